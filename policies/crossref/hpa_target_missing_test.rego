package gitops_lint.target.hpa_target_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.hpa_target_missing as rule

web := fx.deployment({"containers": [{"name": "web"}]})

test_fires_for_missing_name if {
	hpa := fx.hpa("api", "api", 2, 5)
	rule.deny == {{
		"msg": `HorizontalPodAutoscaler "api" targets Deployment "api", which is not in this target`,
		"path": "/spec/scaleTargetRef/name",
		"resource": hpa,
	}} with input as fx.target([web, hpa], "dev")
}

test_fires_for_wrong_kind if {
	hpa := json.patch(fx.hpa("web", "web", 2, 5), [{"op": "replace", "path": "/spec/scaleTargetRef/kind", "value": "StatefulSet"}])
	count(rule.deny) == 1 with input as fx.target([web, hpa], "dev")
}

test_silent_when_target_exists if {
	count(rule.deny) == 0 with input as fx.target([web, fx.hpa("web", "web", 2, 5)], "dev")
}
