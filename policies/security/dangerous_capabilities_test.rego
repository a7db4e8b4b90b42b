package gitops_lint.resource.dangerous_capabilities_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.dangerous_capabilities as rule

test_fires_per_dangerous_capability if {
	rule.deny == {
		{"msg": `container "web" adds capability SYS_ADMIN`, "path": "/spec/template/spec/containers/0/securityContext/capabilities/add/0"},
		{"msg": `container "web" adds capability NET_RAW`, "path": "/spec/template/spec/containers/0/securityContext/capabilities/add/2"},
	} with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"capabilities": {"add": ["CAP_SYS_ADMIN", "NET_BIND_SERVICE", "NET_RAW"]}}}]})
}

test_fires_for_all_in_any_case if {
	rule.deny == {{"msg": `container "a" adds capability ALL`, "path": "/spec/containers/0/securityContext/capabilities/add/0"}} with input as fx.pod({"containers": [{"name": "a", "securityContext": {"capabilities": {"add": ["all"]}}}]})
}

test_fires_for_cronjob if {
	rule.deny == {{
		"msg": `container "job" adds capability NET_ADMIN`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/capabilities/add/0",
	}} with input as fx.cronjob({"containers": [{"name": "job", "securityContext": {"capabilities": {"add": ["nEt_aDmIn"]}}}]})
}

test_silent_for_baseline_capabilities if {
	count(rule.deny) == 0 with input as fx.deployment({"containers": [
		{"name": "web", "securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "chown"]}}},
		{"name": "b", "securityContext": {"capabilities": {"add": null}}},
		{"name": "c", "securityContext": {"capabilities": null}},
	]})
}
