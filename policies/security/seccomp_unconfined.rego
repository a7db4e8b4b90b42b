# METADATA
# title: Container runs without seccomp filtering
# description: >-
#   A seccompProfile of type Unconfined (or the legacy "unconfined" seccomp annotation)
#   explicitly turns system-call filtering off, even on clusters that default to RuntimeDefault.
#   The Pod Security Standards forbid it from the Baseline level up.
# related_resources:
#   - ref: https://kubernetes.io/docs/tutorials/security/seccomp/
#     description: Restrict a container's syscalls with seccomp
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, seccomp)
# custom:
#   id: seccomp-unconfined
#   severity: error
#   remediation: Set seccompProfile.type to RuntimeDefault (or a Localhost profile) instead of Unconfined.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
package gitops_lint.resource.seccomp_unconfined

import data.gitops_lint.lib.kubernetes as k8s

# The effective profile counts: a container may override an Unconfined pod default.
deny contains result if {
	some x in k8s.containers
	k8s.effective_security(input, x, "seccompProfile").type == "Unconfined"
	result := {
		"msg": sprintf("%s runs with seccomp profile Unconfined", [x.label]),
		"path": sprintf("%s/type", [k8s.effective_security_path(input, x, "seccompProfile")]),
	}
}

legacy_pod_key := "seccomp.security.alpha.kubernetes.io/pod"

legacy_container_prefix := "container.seccomp.security.alpha.kubernetes.io/"

deny contains result if {
	some key, value in k8s.pod_annotations(input)
	legacy_key(key)
	value == "unconfined"
	result := {
		"msg": sprintf("annotation %s turns seccomp off", [key]),
		"path": sprintf("%s/annotations/%s", [k8s.pod_metadata_path(input), k8s.escape_segment(key)]),
	}
}

legacy_key(key) if key == legacy_pod_key

legacy_key(key) if startswith(key, legacy_container_prefix)
