# METADATA
# title: Container has no CPU limit
# description: >-
#   Without a CPU limit a container can use every idle CPU of its node. That is often what you
#   want (limits cause throttling), hence the info severity, but some teams require limits for
#   predictable performance or quota accounting. Init containers are checked too (ephemeral
#   containers cannot set resources); a value of 0 counts as missing.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource management for pods and containers
# custom:
#   id: cpu-limits-missing
#   severity: info
#   remediation: Set resources.limits.cpu if your cluster or team requires CPU limits; otherwise disable this rule.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:cpuLimitsMissing", "kube-linter:unset-cpu-requirements"]
package gitops_lint.resource.cpu_limits_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.resourced_containers
	k8s.resource_missing(x.container, ["resources", "limits", "cpu"])
	result := {
		"msg": sprintf("%s has no CPU limit", [x.label]),
		"path": k8s.nearest_path(x.container, x.path, ["resources", "limits", "cpu"]),
	}
}
