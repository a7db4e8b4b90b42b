# METADATA
# title: Container has no CPU request
# description: >-
#   Without a CPU request the scheduler places the pod as if it needed no CPU, so nodes get
#   overcommitted and the pod is among the first to starve under contention (BestEffort or
#   Burstable QoS). Init containers are checked too (ephemeral containers cannot set resources);
#   a value of 0 counts as missing.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/
#     description: Resource management for pods and containers
# custom:
#   id: cpu-requests-missing
#   severity: warning
#   remediation: Set resources.requests.cpu to the CPU the container needs under normal load.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:cpuRequestsMissing", "kube-linter:unset-cpu-requirements"]
package gitops_lint.resource.cpu_requests_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.resourced_containers
	k8s.resource_missing(x.container, ["resources", "requests", "cpu"])
	result := {
		"msg": sprintf("%s has no CPU request", [x.label]),
		"path": k8s.nearest_path(x.container, x.path, ["resources", "requests", "cpu"]),
	}
}
