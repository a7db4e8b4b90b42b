# METADATA
# title: Container runs as UID 0
# description: >-
#   runAsUser 0 at pod or container level explicitly runs the container as root, which overrides
#   a non-root USER in the image. The Pod Security Standards (Restricted) forbid it.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Restricted, running as non-root user)
# custom:
#   id: run-as-user-zero
#   severity: error
#   remediation: Set runAsUser to a non-zero UID, or remove it and set runAsNonRoot to true.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
package gitops_lint.resource.run_as_user_zero

import data.gitops_lint.lib.kubernetes as k8s

# The effective value counts: a pod-level 0 that a container overrides is fine.
deny contains result if {
	some x in k8s.containers
	k8s.effective_security(input, x, "runAsUser") == 0
	result := {
		"msg": sprintf("%s runs as UID 0 (runAsUser: 0)", [x.label]),
		"path": k8s.effective_security_path(input, x, "runAsUser"),
	}
}
