package gitops_lint.resource.memory_requests_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.memory_requests_missing as rule

test_fires_when_resources_missing if {
	rule.deny == {{
		"msg": `container "web" has no memory request`,
		"path": "/spec/template/spec/containers/0",
	}} with input as fx.deployment({"containers": [{"name": "web"}]})
}

test_fires_for_init_container_of_cronjob if {
	rule.deny == {{
		"msg": `init container "init" has no memory request`,
		"path": "/spec/jobTemplate/spec/template/spec/initContainers/0/resources/requests",
	}} with input as fx.cronjob({
		"initContainers": [{"name": "init", "resources": {"requests": {"other": "1"}}}],
		"containers": [{"name": "job", "resources": {"requests": {"memory": "1"}}}],
	})
}

test_fires_for_zero_and_null if {
	rule.deny == {
		{"msg": `container "a" has no memory request`, "path": "/spec/containers/0/resources/requests/memory"},
		{"msg": `container "b" has no memory request`, "path": "/spec/containers/1/resources/requests"},
	} with input as fx.pod({"containers": [
		{"name": "a", "resources": {"requests": {"memory": "0"}}},
		{"name": "b", "resources": {"requests": null}},
	]})
}

test_silent_when_set if {
	count(rule.deny) == 0 with input as fx.pod({
		"initContainers": [{"name": "i", "resources": {"requests": {"memory": "100m"}}}],
		"containers": [{"name": "a", "resources": {"requests": {"memory": 1}}}],
		"ephemeralContainers": [{"name": "debug"}],
	})
}
