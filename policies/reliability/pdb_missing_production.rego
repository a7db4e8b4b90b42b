# METADATA
# title: Production workload has no PodDisruptionBudget
# description: >-
#   In a production overlay (see replicas-production for the environment names), a Deployment or
#   StatefulSet that runs two or more replicas (or may, through an autoscaler) needs a
#   PodDisruptionBudget in the same namespace whose selector matches its pod template; otherwise
#   a node drain or cluster upgrade may evict all of its pods at once. Single-replica workloads
#   are left to replicas-production: a budget cannot protect one pod without blocking drains.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/workloads/pods/disruptions/
#     description: Disruptions
#   - ref: https://kubernetes.io/docs/tasks/run-application/configure-pdb/
#     description: Specifying a disruption budget for your application
# custom:
#   id: pdb-missing-production
#   severity: warning
#   remediation: >-
#     Add a PodDisruptionBudget (policy/v1) with maxUnavailable 1 and a selector that matches
#     the pod template labels.
#   kinds: [Deployment, StatefulSet, DeploymentConfig, Rollout]
#   input: target
#   peers: ["polaris:missingPodDisruptionBudget"]
package gitops_lint.target.pdb_missing_production

import data.gitops_lint.lib.kubernetes as k8s

# covered is the index of every resource whose pods some budget selects.
covered contains i if {
	some pdb in input.resources
	pdb.kind == "PodDisruptionBudget"
	some i in k8s.selected_templates(pdb, pdb.spec.selector)
}

deny contains result if {
	k8s.is_production(input.target.environment)
	some i, r in input.resources
	r.kind in {"Deployment", "StatefulSet", "DeploymentConfig", "Rollout"}
	k8s.pod_spec(r)
	k8s.max_replicas(r) >= 2
	not i in covered
	result := {
		"msg": sprintf("%s has no PodDisruptionBudget selecting its pods in production environment %q", [k8s.describe(r), input.target.environment]),
		"path": k8s.nearest_path(r, "", ["spec", "template", "metadata", "labels"]),
		"resource": r,
	}
}
