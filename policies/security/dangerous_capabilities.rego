# METADATA
# title: Container adds a dangerous capability
# description: >-
#   Adding capabilities beyond the small set the Pod Security Standards (Baseline) allow, such
#   as SYS_ADMIN, NET_ADMIN, SYS_PTRACE, SYS_MODULE, NET_RAW or ALL, hands the container powers
#   that lead to node compromise, traffic interception or spoofing.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, capabilities)
#   - ref: https://man7.org/linux/man-pages/man7/capabilities.7.html
#     description: capabilities(7)
# custom:
#   id: dangerous-capabilities
#   severity: error
#   remediation: >-
#     Remove the capability from securityContext.capabilities.add; if the workload truly needs
#     it, run it in a dedicated, tightly controlled namespace.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:dangerousCapabilities"]
package gitops_lint.resource.dangerous_capabilities

import data.gitops_lint.lib.kubernetes as k8s

# The capabilities the Pod Security Standards (Baseline) allow a container to add.
baseline_allowed := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

deny contains result if {
	some x in k8s.containers
	some i, cap in k8s.as_array(x.container.securityContext.capabilities.add)
	name := k8s.capability_name(cap)
	not name in baseline_allowed
	result := {
		"msg": sprintf("%s adds capability %s", [x.label, name]),
		"path": sprintf("%s/securityContext/capabilities/add/%d", [x.path, i]),
	}
}
