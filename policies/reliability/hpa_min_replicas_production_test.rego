package gitops_lint.resource.hpa_min_replicas_production_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.hpa_min_replicas_production as rule

test_fires_for_min_one_in_prod if {
	rule.deny == {{
		"msg": `autoscaler may scale down to 1 replica(s) in production environment "prod" (minReplicas defaults to 1)`,
		"path": "/spec/minReplicas",
	}} with input as fx.hpa("web", "web", 1, 5)
		with data.gitops_lint.context as fx.context("prod")
}

test_fires_for_unset_min_in_prod if {
	rule.deny == {{
		"msg": `autoscaler may scale down to 1 replica(s) in production environment "live" (minReplicas defaults to 1)`,
		"path": "/spec",
	}} with input as json.remove(fx.hpa("web", "web", 1, 5), ["/spec/minReplicas"])
		with data.gitops_lint.context as fx.context("live")
}

test_silent_for_two if {
	count(rule.deny) == 0 with input as fx.hpa("web", "web", 2, 5) with data.gitops_lint.context as fx.context("prod")
}

test_silent_outside_production if {
	count(rule.deny) == 0 with input as fx.hpa("web", "web", 1, 5) with data.gitops_lint.context as fx.context("dev")
	count(rule.deny) == 0 with input as fx.hpa("web", "web", 1, 5)
}
