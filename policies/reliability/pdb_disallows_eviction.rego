# METADATA
# title: PodDisruptionBudget allows no eviction
# description: >-
#   A PodDisruptionBudget with maxUnavailable 0, minAvailable 100%, or a minAvailable at least
#   as large as the replicas it protects (the autoscaler minimum for scaled workloads in the
#   same target) never allows a voluntary eviction. Node drains then hang and cluster upgrades
#   stall until someone deletes the budget by hand.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions
#     description: Specifying a disruption budget for your application
# custom:
#   id: pdb-disallows-eviction
#   severity: warning
#   remediation: Use maxUnavailable 1 (or a minAvailable below the replica count) so that at least one pod can be evicted at a time.
#   kinds: [PodDisruptionBudget]
#   input: target
#   peers: ["polaris:pdbDisruptionsIsZero", "kube-linter:pdb-max-unavailable", "kube-linter:pdb-min-available"]
package gitops_lint.target.pdb_disallows_eviction

import data.gitops_lint.lib.kubernetes as k8s

budgets contains pdb if {
	some pdb in input.resources
	pdb.kind == "PodDisruptionBudget"
}

deny contains result if {
	some pdb in budgets
	pdb.spec.maxUnavailable in {0, "0%"}
	result := {
		"msg": sprintf("%s sets maxUnavailable to %v, so no pod can ever be evicted", [k8s.describe(pdb), pdb.spec.maxUnavailable]),
		"path": "/spec/maxUnavailable",
		"resource": pdb,
	}
}

deny contains result if {
	some pdb in budgets
	pdb.spec.minAvailable == "100%"
	result := {
		"msg": sprintf("%s sets minAvailable to 100%%, so no pod can ever be evicted", [k8s.describe(pdb)]),
		"path": "/spec/minAvailable",
		"resource": pdb,
	}
}

# The workloads whose pods a budget selects.
protected(pdb) := {r |
	some i in k8s.selected_templates(pdb, pdb.spec.selector)
	r := input.resources[i]
	r.kind in k8s.replicated_kinds
}

# required is how many pods minAvailable keeps up out of total; percentages round up.
required(min_available, _) := min_available if is_number(min_available)

required(min_available, total) := ceil((to_number(trim_suffix(min_available, "%")) * total) / 100) if {
	is_string(min_available)
	endswith(min_available, "%")
}

deny contains result if {
	some pdb in budgets
	pdb.spec.minAvailable != "100%"
	workloads := protected(pdb)
	count(workloads) > 0
	total := sum([k8s.min_replicas(r) | some r in workloads])
	total > 0
	needed := required(pdb.spec.minAvailable, total)
	needed >= total
	result := {
		"msg": sprintf("%s keeps %d pod(s) available out of the %d that %s runs (at minimum), so no pod can ever be evicted", [k8s.describe(pdb), needed, total, concat(", ", sort([k8s.describe(r) | some r in workloads]))]),
		"path": "/spec/minAvailable",
		"resource": pdb,
		"related": [r | some r in workloads],
	}
}
