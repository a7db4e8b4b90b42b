# METADATA
# title: Container has no readiness probe
# description: >-
#   Without a readiness probe a pod receives Service traffic as soon as its containers start,
#   before the application is ready, and keeps receiving it while overloaded; rolling updates
#   then drop requests. Only regular containers of long-running workloads are checked: init
#   containers, ephemeral containers and the pods of Jobs and CronJobs are left out.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
#     description: Configure liveness, readiness and startup probes
# custom:
#   id: readiness-probe-missing
#   severity: warning
#   remediation: Add a readinessProbe that succeeds only when the container can serve requests.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, DeploymentConfig, Rollout]
#   peers: ["polaris:readinessProbeMissing", "kube-linter:no-readiness-probe"]
package gitops_lint.resource.readiness_probe_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	not input.kind in k8s.batch_kinds
	some x in k8s.regular_containers
	not is_object(object.get(x.container, "readinessProbe", null))
	result := {
		"msg": sprintf("%s has no readiness probe", [x.label]),
		"path": x.path,
	}
}
