package gitops_lint.target.replicas_production_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.replicas_production as rule

single := json.patch(fx.deployment({"containers": [{"name": "web"}]}), [{"op": "replace", "path": "/spec/replicas", "value": 1}])

unset := json.remove(fx.statefulset({"containers": [{"name": "db"}]}), ["/spec/replicas"])

test_fires_for_one_replica_in_prod if {
	rule.deny == {{
		"msg": `Deployment "web" runs 1 replica in production environment "prod"`,
		"path": "/spec/replicas",
		"resource": single,
	}} with input as fx.target([single], "prod")
}

test_fires_for_unset_replicas_in_production_like_names if {
	rule.deny == {{
		"msg": `StatefulSet "db" runs 1 replica in production environment "eu-production"`,
		"path": "/spec",
		"resource": unset,
	}} with input as fx.target([unset], "eu-production")
}

test_silent_outside_production if {
	count(rule.deny) == 0 with input as fx.target([single, unset], "staging")
	count(rule.deny) == 0 with input as {"resources": [single]}
}

test_silent_with_autoscaler if {
	count(rule.deny) == 0 with input as fx.target([single, fx.hpa("web", "web", 2, 5)], "prod")
}

test_silent_for_two_or_zero_replicas if {
	two := fx.deployment({"containers": [{"name": "web"}]})
	zero := json.patch(single, [{"op": "replace", "path": "/spec/replicas", "value": 0}])
	count(rule.deny) == 0 with input as fx.target([two, zero], "prod")
}

test_autoscaler_for_other_workload_does_not_count if {
	count(rule.deny) == 1 with input as fx.target([single, fx.hpa("api", "api", 2, 5)], "live")
}
