package gitops_lint.resource.memory_limits_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.memory_limits_missing as rule

test_fires_when_resources_missing if {
	rule.deny == {{
		"msg": `container "web" has no memory limit`,
		"path": "/spec/template/spec/containers/0",
	}} with input as fx.deployment({"containers": [{"name": "web"}]})
}

test_fires_for_init_container_of_cronjob if {
	rule.deny == {{
		"msg": `init container "init" has no memory limit`,
		"path": "/spec/jobTemplate/spec/template/spec/initContainers/0/resources/limits",
	}} with input as fx.cronjob({
		"initContainers": [{"name": "init", "resources": {"limits": {"other": "1"}}}],
		"containers": [{"name": "job", "resources": {"limits": {"memory": "1"}}}],
	})
}

test_fires_for_zero_and_null if {
	rule.deny == {
		{"msg": `container "a" has no memory limit`, "path": "/spec/containers/0/resources/limits/memory"},
		{"msg": `container "b" has no memory limit`, "path": "/spec/containers/1/resources/limits"},
	} with input as fx.pod({"containers": [
		{"name": "a", "resources": {"limits": {"memory": "0"}}},
		{"name": "b", "resources": {"limits": null}},
	]})
}

test_silent_when_set if {
	count(rule.deny) == 0 with input as fx.pod({
		"initContainers": [{"name": "i", "resources": {"limits": {"memory": "100m"}}}],
		"containers": [{"name": "a", "resources": {"limits": {"memory": 1}}}],
		"ephemeralContainers": [{"name": "debug"}],
	})
}
