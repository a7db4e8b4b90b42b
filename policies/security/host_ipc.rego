# METADATA
# title: Pod shares the host IPC namespace
# description: >-
#   A pod in the host IPC namespace can read and write the shared memory and message queues of
#   every process on the node. The Pod Security Standards forbid it from the Baseline level up.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, host namespaces)
# custom:
#   id: host-ipc
#   severity: error
#   remediation: Remove hostIPC from the pod spec, or set it to false.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:hostIPCSet", "kube-linter:host-ipc"]
package gitops_lint.resource.host_ipc

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	k8s.pod_spec(input).hostIPC == true
	result := {
		"msg": "pod shares the host's IPC namespace (hostIPC: true)",
		"path": sprintf("%s/hostIPC", [k8s.pod_spec_path(input)]),
	}
}
