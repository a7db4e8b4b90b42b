# METADATA
# title: Pod sets an unsafe sysctl
# description: >-
#   Sysctls outside the namespaced, safe set can change kernel behaviour for the whole node or
#   for other pods. The Pod Security Standards (Baseline) allow only the safe set
#   (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start,
#   net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports and the
#   net.ipv4.tcp_keepalive_* and tcp_fin_timeout settings).
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/administer-cluster/sysctl-cluster/
#     description: Using sysctls in a Kubernetes cluster
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, sysctls)
# custom:
#   id: unsafe-sysctls
#   severity: error
#   remediation: Remove the sysctl from securityContext.sysctls, or configure it on dedicated nodes.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["kube-linter:unsafe-sysctls"]
package gitops_lint.resource.unsafe_sysctls

import data.gitops_lint.lib.kubernetes as k8s

safe_sysctls := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

deny contains result if {
	spec := k8s.pod_spec(input)
	some i, sysctl in k8s.as_array(spec.securityContext.sysctls)
	is_string(sysctl.name)

	# sysctl names may use "/" as separator
	not replace(sysctl.name, "/", ".") in safe_sysctls
	result := {
		"msg": sprintf("pod sets unsafe sysctl %q", [sysctl.name]),
		"path": sprintf("%s/securityContext/sysctls/%d/name", [k8s.pod_spec_path(input), i]),
	}
}
