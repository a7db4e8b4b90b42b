# METADATA
# title: Container has no liveness probe
# description: >-
#   Without a liveness probe Kubernetes restarts a container only when its process exits, so a
#   deadlocked or wedged process keeps its pod and its share of traffic until someone notices.
#   Only regular containers of long-running workloads are checked: init containers, ephemeral
#   containers and the pods of Jobs and CronJobs are left out.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     description: Configure liveness, readiness and startup probes
# custom:
#   id: liveness-probe-missing
#   severity: warning
#   remediation: Add a livenessProbe that fails only when the process cannot recover (not when a dependency is down).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, DeploymentConfig, Rollout]
#   peers: ["polaris:livenessProbeMissing", "kube-linter:no-liveness-probe"]
package gitops_lint.resource.liveness_probe_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	not input.kind in k8s.batch_kinds
	some x in k8s.regular_containers
	not is_object(object.get(x.container, "livenessProbe", null))
	result := {
		"msg": sprintf("%s has no liveness probe", [x.label]),
		"path": x.path,
	}
}
