package gitops_lint.target.duplicate_resource_id_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.duplicate_resource_id as rule

web := fx.deployment({"containers": [{"name": "web"}]})

web_beta := json.patch(web, [{"op": "replace", "path": "/apiVersion", "value": "apps/v1beta2"}])

test_fires_for_same_group_kind_namespace_name if {
	rule.deny == {{
		"msg": `Deployment "web" is defined 2 times in this target`,
		"path": "/metadata/name",
		"resource": web_beta,
		"related": [web],
		"index": 2,
		"related_indexes": [0],
	}} with input as fx.target([web, fx.configmap("web"), web_beta], "dev")
}

test_fires_once_listing_every_copy if {
	first := fx.secret("s")
	second := json.patch(first, [{"op": "add", "path": "/data", "value": {"k": "djI="}}])
	third := json.patch(first, [{"op": "add", "path": "/data", "value": {"k": "djM="}}])
	rule.deny == {{
		"msg": `Secret "s" is defined 3 times in this target`,
		"path": "/metadata/name",
		"resource": second,
		"related": [first, third],
		"index": 1,
		"related_indexes": [0, 2],
	}} with input as fx.target([first, second, third], "dev")
}

test_silent_for_different_namespace_kind_or_group if {
	other_ns := json.patch(web, [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	other_group := json.patch(web, [{"op": "replace", "path": "/apiVersion", "value": "apps.example.com/v1"}])
	count(rule.deny) == 0 with input as fx.target([web, other_ns, other_group, fx.configmap("web"), fx.service("web", {}, [])], "dev")
}
