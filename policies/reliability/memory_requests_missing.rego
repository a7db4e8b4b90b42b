# METADATA
# title: Container has no memory request
# description: >-
#   Without a memory request the scheduler places the pod as if it needed no memory; nodes get
#   overcommitted and the pod is among the first to be evicted under memory pressure. Init
#   containers are checked too (ephemeral containers cannot set resources); a value of 0 counts
#   as missing.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource management for pods and containers
# custom:
#   id: memory-requests-missing
#   severity: warning
#   remediation: Set resources.requests.memory to the memory the container needs under normal load.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:memoryRequestsMissing", "kube-linter:unset-memory-requirements"]
package gitops_lint.resource.memory_requests_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.resourced_containers
	k8s.resource_missing(x.container, ["resources", "requests", "memory"])
	result := {
		"msg": sprintf("%s has no memory request", [x.label]),
		"path": k8s.nearest_path(x.container, x.path, ["resources", "requests", "memory"]),
	}
}
