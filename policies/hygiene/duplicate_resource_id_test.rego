package gitops_lint.target.duplicate_resource_id_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.duplicate_resource_id as rule

web := fx.deployment({"containers": [{"name": "web"}]})

web_beta := json.patch(web, [{"op": "replace", "path": "/apiVersion", "value": "apps/v1beta2"}])

test_fires_for_same_group_kind_namespace_name if {
	rule.deny == {{
		"msg": `Deployment "web" is defined more than once in this target (resources 0 and 2)`,
		"path": "/metadata/name",
		"resource": web_beta,
		"related": [web],
	}} with input as fx.target([web, fx.configmap("web"), web_beta], "dev")
}

test_fires_for_each_later_copy if {
	count(rule.deny) == 2 with input as fx.target([fx.secret("s"), fx.secret("s"), fx.secret("s")], "dev")
}

test_silent_for_different_namespace_kind_or_group if {
	other_ns := json.patch(web, [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	other_group := json.patch(web, [{"op": "replace", "path": "/apiVersion", "value": "apps.example.com/v1"}])
	count(rule.deny) == 0 with input as fx.target([web, other_ns, other_group, fx.configmap("web"), fx.service("web", {}, [])], "dev")
}
