# METADATA
# title: Container binds a host port
# description: >-
#   A hostPort ties the pod to a port on the node's interfaces: it limits where the pod can be
#   scheduled, bypasses Service-level controls and exposes the workload on the node network. The
#   Pod Security Standards (Baseline) disallow host ports.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/overview/#services
#     description: Configuration best practices (avoid hostPort)
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, host ports)
# custom:
#   id: host-port
#   severity: warning
#   remediation: Remove hostPort and expose the container through a Service (NodePort or LoadBalancer if it must be reachable from outside).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:hostPortSet"]
package gitops_lint.resource.host_port

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.containers
	some i, port in k8s.as_array(x.container.ports)
	is_number(port.hostPort)
	port.hostPort != 0
	result := {
		"msg": sprintf("%s binds host port %d", [x.label, port.hostPort]),
		"path": sprintf("%s/ports/%d/hostPort", [x.path, i]),
	}
}
