package gitops_lint.resource.duplicate_env_var_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.duplicate_env_var as rule

test_fires_for_later_duplicates if {
	rule.deny == {
		{"msg": `container "web" defines environment variable PORT more than once (entries 0 and 2)`, "path": "/spec/template/spec/containers/0/env/2/name"},
		{"msg": `container "web" defines environment variable PORT more than once (entries 0 and 3)`, "path": "/spec/template/spec/containers/0/env/3/name"},
	} with input as fx.deployment({"containers": [{"name": "web", "env": [
		{"name": "PORT", "value": "8080"},
		{"name": "HOST", "value": "localhost"},
		{"name": "PORT", "value": "9090"},
		{"name": "PORT", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "port"}}},
	]}]})
}

test_fires_for_cronjob if {
	count(rule.deny) == 1 with input as fx.cronjob({"containers": [{"name": "job", "env": [{"name": "A"}, {"name": "A"}]}]})
}

test_silent_across_containers if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [
		{"name": "a", "env": [{"name": "PORT", "value": "1"}, {"name": "HOST", "value": "h"}]},
		{"name": "b", "env": [{"name": "PORT", "value": "2"}]},
	]})
}
