package gitops_lint.target.pdb_disallows_eviction_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.pdb_disallows_eviction as rule

web := fx.deployment({"containers": [{"name": "web"}]})

selector := {"matchLabels": {"app": "web"}}

test_fires_for_max_unavailable_zero if {
	pdb := fx.pdb("web", {"maxUnavailable": 0, "selector": selector})
	rule.deny == {{
		"msg": `PodDisruptionBudget "web" sets maxUnavailable to 0, so no pod can ever be evicted`,
		"path": "/spec/maxUnavailable",
		"resource": pdb,
	}} with input as fx.target([web, pdb], "dev")
}

test_fires_for_min_available_all if {
	pdb := fx.pdb("web", {"minAvailable": "100%", "selector": selector})
	rule.deny == {{
		"msg": `PodDisruptionBudget "web" sets minAvailable to 100%, so no pod can ever be evicted`,
		"path": "/spec/minAvailable",
		"resource": pdb,
	}} with input as fx.target([pdb], "dev")
}

test_fires_when_min_available_equals_replicas if {
	pdb := fx.pdb("web", {"minAvailable": 2, "selector": selector})
	rule.deny == {{
		"msg": `PodDisruptionBudget "web" keeps 2 pod(s) available out of the 2 that Deployment "web" runs (at minimum), so no pod can ever be evicted`,
		"path": "/spec/minAvailable",
		"resource": pdb,
		"related": [web],
	}} with input as fx.target([web, pdb], "dev")
}

test_fires_for_percentage_rounding_up if {
	pdb := fx.pdb("web", {"minAvailable": "60%", "selector": selector})
	count(rule.deny) == 1 with input as fx.target([web, pdb], "dev")
}

test_fires_against_autoscaler_minimum if {
	pdb := fx.pdb("web", {"minAvailable": 1, "selector": selector})
	count(rule.deny) == 1 with input as fx.target([web, pdb, fx.hpa("web", "web", 1, 5)], "dev")
}

test_silent_when_evictions_possible if {
	pdbs := [
		fx.pdb("a", {"maxUnavailable": 1, "selector": selector}),
		fx.pdb("b", {"minAvailable": 1, "selector": selector}),
		fx.pdb("c", {"minAvailable": "50%", "selector": selector}),
		fx.pdb("d", {"maxUnavailable": "10%", "selector": selector}),
		fx.pdb("e", {"minAvailable": 5, "selector": {"matchLabels": {"app": "none"}}}),
		fx.pdb("f", {}),
	]
	count(rule.deny) == 0 with input as fx.target(array.concat([web], pdbs), "dev")
}
