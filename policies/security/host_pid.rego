# METADATA
# title: Pod shares the host process namespace
# description: >-
#   A pod in the host PID namespace sees every process on the node and, with enough privileges,
#   can signal or ptrace them and read their environment. The Pod Security Standards forbid it
#   from the Baseline level up.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, host namespaces)
# custom:
#   id: host-pid
#   severity: error
#   remediation: Remove hostPID from the pod spec, or set it to false.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:hostPIDSet", "kube-linter:host-pid"]
package gitops_lint.resource.host_pid

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	k8s.pod_spec(input).hostPID == true
	result := {
		"msg": "pod shares the host's process namespace (hostPID: true)",
		"path": sprintf("%s/hostPID", [k8s.pod_spec_path(input)]),
	}
}
