package gitops_lint.target.pdb_missing_production_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.pdb_missing_production as rule

web := fx.deployment({"containers": [{"name": "web"}]})

single := json.patch(web, [{"op": "replace", "path": "/spec/replicas", "value": 1}])

test_fires_without_budget if {
	rule.deny == {{
		"msg": `Deployment "web" has no PodDisruptionBudget selecting its pods in production environment "prod"`,
		"path": "/spec/template/metadata/labels",
		"resource": web,
	}} with input as fx.target([web], "prod")
}

test_fires_when_budget_selects_other_pods_or_namespace if {
	other := fx.pdb("other", {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "api"}}})
	elsewhere := json.patch(fx.pdb("web", {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "web"}}}), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	count(rule.deny) == 1 with input as fx.target([web, other, elsewhere], "prod")
}

test_fires_for_single_replica_scaled_by_autoscaler if {
	count(rule.deny) == 1 with input as fx.target([single, fx.hpa("web", "web", 1, 4)], "prod")
}

test_silent_with_matching_budget if {
	pdb := fx.pdb("web", {"maxUnavailable": 1, "selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]}})
	count(rule.deny) == 0 with input as fx.target([web, pdb], "prod")
}

test_silent_for_single_replica_and_outside_production if {
	count(rule.deny) == 0 with input as fx.target([single], "prod")
	count(rule.deny) == 0 with input as fx.target([web], "dev")
}
