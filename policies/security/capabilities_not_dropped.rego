# METADATA
# title: Container does not drop all capabilities
# description: >-
#   Container runtimes grant a default set of Linux capabilities (CHOWN, NET_RAW, SETUID, ...)
#   that most applications never need. Dropping ALL and adding back only what is required limits
#   what a compromised process can do; the Pod Security Standards (Restricted) require drop ALL.
#   A drop list that names every default capability is accepted as equivalent. Windows pods are
#   exempt.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Restricted, capabilities)
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#set-capabilities-for-a-container
#     description: Set capabilities for a container
# custom:
#   id: capabilities-not-dropped
#   severity: warning
#   remediation: >-
#     Set securityContext.capabilities.drop to [ALL] and add back only the capabilities the
#     container needs (often NET_BIND_SERVICE at most).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:insecureCapabilities"]
package gitops_lint.resource.capabilities_not_dropped

import data.gitops_lint.lib.kubernetes as k8s

# The capabilities containerd and Docker grant by default.
runtime_defaults := {
	"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
	"NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
}

dropped(x) := {k8s.capability_name(c) | some c in k8s.as_array(x.container.securityContext.capabilities.drop)}

drops_enough(x) if "ALL" in dropped(x)

drops_enough(x) if count(runtime_defaults - dropped(x)) == 0

deny contains result if {
	not k8s.is_windows(input)
	some x in k8s.containers
	not drops_enough(x)
	result := {
		"msg": sprintf("%s does not drop all capabilities (capabilities.drop does not include ALL)", [x.label]),
		"path": k8s.nearest_path(x.container, x.path, ["securityContext", "capabilities", "drop"]),
	}
}
