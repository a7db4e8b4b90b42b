# METADATA
# title: Container may run as root
# description: >-
#   Neither the container nor the pod sets runAsNonRoot to true or a non-zero runAsUser, so the
#   container runs as whatever user its image declares, often root. A root process that escapes
#   the container is root on the node. Windows pods are exempt.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Restricted, running as non-root)
# custom:
#   id: run-as-root
#   severity: warning
#   remediation: >-
#     Set securityContext.runAsNonRoot to true (pod or container), and give the image a non-root
#     USER or set runAsUser to a non-zero UID.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:runAsRootAllowed", "kube-linter:run-as-non-root"]
package gitops_lint.resource.run_as_root

import data.gitops_lint.lib.kubernetes as k8s

# A container is known to run as non-root when the effective runAsNonRoot is true
# (the kubelet then refuses UID 0) or the effective runAsUser is a non-zero UID.
non_root(x) if k8s.effective_security(input, x, "runAsNonRoot") == true

non_root(x) if {
	uid := k8s.effective_security(input, x, "runAsUser")
	is_number(uid)
	uid > 0
}

deny contains result if {
	not k8s.is_windows(input)
	some x in k8s.containers
	not non_root(x)
	result := {
		"msg": sprintf("%s is not set to run as non-root (runAsNonRoot is not true and runAsUser is not a non-zero UID)", [x.label]),
		"path": k8s.effective_security_path(input, x, "runAsNonRoot"),
	}
}
