# METADATA
# title: Container allows privilege escalation
# description: >-
#   Unless allowPrivilegeEscalation is false, a process in the container can gain more
#   privileges than its parent (setuid binaries, file capabilities). The Pod Security Standards
#   (Restricted) require it to be false on every container. Windows pods are exempt.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Restricted, privilege escalation)
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     description: Configure a security context for a pod or container
# custom:
#   id: privilege-escalation-allowed
#   severity: warning
#   remediation: Set securityContext.allowPrivilegeEscalation to false on the container.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:privilegeEscalationAllowed", "kube-linter:privilege-escalation-container"]
package gitops_lint.resource.privilege_escalation_allowed

import data.gitops_lint.lib.kubernetes as k8s

# allowPrivilegeEscalation exists only on containers; a pod-level value is ignored.
deny contains result if {
	not k8s.is_windows(input)
	some x in k8s.containers
	x.container.securityContext.allowPrivilegeEscalation == true
	result := {
		"msg": sprintf("%s sets allowPrivilegeEscalation to true", [x.label]),
		"path": sprintf("%s/securityContext/allowPrivilegeEscalation", [x.path]),
	}
}

deny contains result if {
	not k8s.is_windows(input)
	some x in k8s.containers
	not x.container.securityContext.allowPrivilegeEscalation == true
	not x.container.securityContext.allowPrivilegeEscalation == false
	result := {
		"msg": sprintf("%s does not set allowPrivilegeEscalation to false", [x.label]),
		"path": k8s.nearest_path(x.container, x.path, ["securityContext", "allowPrivilegeEscalation"]),
	}
}
