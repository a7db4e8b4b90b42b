# METADATA
# title: Production workload runs a single replica
# description: >-
#   In a production overlay (an environment named prod, production, prd or live, or with such a
#   token, e.g. eu-prod), a Deployment or StatefulSet with fewer than two replicas goes down on
#   every node drain, rollout hiccup or crash. Workloads scaled by a HorizontalPodAutoscaler or
#   KEDA ScaledObject in the same target are left to hpa-min-replicas-production; replicas 0 is
#   taken as deliberately switched off.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#replicas
#     description: Deployment replicas
#   - ref: https://kubernetes.io/docs/tasks/run-application/configure-pdb/
#     description: Specifying a disruption budget for your application
# custom:
#   id: replicas-production
#   severity: warning
#   remediation: Set spec.replicas to 2 or more in the production overlay (a kustomize replicas entry or patch), or add an autoscaler.
#   kinds: [Deployment, StatefulSet, DeploymentConfig, Rollout]
#   input: target
#   peers: ["polaris:deploymentMissingReplicas"]
package gitops_lint.target.replicas_production

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	k8s.is_production(input.target.environment)
	some r in input.resources
	r.kind in {"Deployment", "StatefulSet", "DeploymentConfig", "Rollout"}
	n := k8s.replicas(r)
	n == 1
	count(k8s.autoscalers_of(r)) == 0
	result := {
		"msg": sprintf("%s runs 1 replica in production environment %q", [k8s.describe(r), input.target.environment]),
		"path": k8s.nearest_path(r, "", ["spec", "replicas"]),
		"resource": r,
	}
}
