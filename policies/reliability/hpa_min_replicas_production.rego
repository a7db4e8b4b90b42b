# METADATA
# title: Production autoscaler may scale down to one replica
# description: >-
#   In a production overlay (see replicas-production for the environment names), a
#   HorizontalPodAutoscaler whose minReplicas is below 2 (it defaults to 1) scales the workload
#   down to a single pod in quiet hours, which then goes down on every node drain or crash.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
#     description: Horizontal Pod Autoscaling
# custom:
#   id: hpa-min-replicas-production
#   severity: warning
#   remediation: Set spec.minReplicas to 2 or more in the production overlay.
#   kinds: [HorizontalPodAutoscaler]
#   peers: ["polaris:hpaMinAvailability"]
package gitops_lint.resource.hpa_min_replicas_production

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	input.kind == "HorizontalPodAutoscaler"
	k8s.in_production
	n := object.get(input.spec, "minReplicas", 1)
	is_number(n)
	n < 2
	result := {
		"msg": sprintf("autoscaler may scale down to %d replica(s) in production environment %q (minReplicas defaults to 1)", [n, k8s.context_environment]),
		"path": k8s.nearest_path(input, "", ["spec", "minReplicas"]),
	}
}
