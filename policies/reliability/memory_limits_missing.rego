# METADATA
# title: Container has no memory limit
# description: >-
#   Without a memory limit a leaking or misbehaving container can use all the memory of its
#   node, until the kernel OOM killer picks victims among the other pods. Init containers are
#   checked too (ephemeral containers cannot set resources); a value of 0 counts as missing.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource management for pods and containers
# custom:
#   id: memory-limits-missing
#   severity: warning
#   remediation: Set resources.limits.memory (usually equal to the request).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:memoryLimitsMissing", "kube-linter:unset-memory-requirements"]
package gitops_lint.resource.memory_limits_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.resourced_containers
	k8s.resource_missing(x.container, ["resources", "limits", "memory"])
	result := {
		"msg": sprintf("%s has no memory limit", [x.label]),
		"path": k8s.nearest_path(x.container, x.path, ["resources", "limits", "memory"]),
	}
}
