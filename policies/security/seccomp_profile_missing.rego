# METADATA
# title: Pod has no seccomp profile
# description: >-
#   Without a seccomp profile a container can call every system call the kernel offers,
#   including rarely used ones with a history of privilege-escalation bugs. The Pod Security
#   Standards (Restricted) require seccompProfile type RuntimeDefault or Localhost on the pod or
#   on every container. The legacy seccomp.security.alpha.kubernetes.io annotations are not
#   accepted (deprecated since Kubernetes 1.19 and no longer honoured), and an explicit
#   Unconfined profile is left to seccomp-unconfined. Windows pods are exempt.
# related_resources:
#   - ref: https://kubernetes.io/docs/tutorials/security/seccomp/
#     description: Restrict a container's syscalls with seccomp
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Restricted, seccomp)
# custom:
#   id: seccomp-profile-missing
#   severity: warning
#   remediation: Set securityContext.seccompProfile.type to RuntimeDefault in the pod spec.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
package gitops_lint.resource.seccomp_profile_missing

import data.gitops_lint.lib.kubernetes as k8s

has_profile_type(x) if {
	profile := k8s.effective_security(input, x, "seccompProfile")
	is_string(profile.type)
	profile.type != ""
}

missing contains x.label if {
	some x in k8s.containers
	not has_profile_type(x)
}

# One finding per pod, at the pod securityContext where one line fixes every container.
deny contains result if {
	not k8s.is_windows(input)
	count(missing) > 0
	spec := k8s.pod_spec(input)
	result := {
		"msg": sprintf("no seccomp profile applies to %s", [concat(", ", sort(missing))]),
		"path": k8s.nearest_path(spec, k8s.pod_spec_path(input), ["securityContext", "seccompProfile"]),
	}
}
