package gitops_lint.resource.privileged_container_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.privileged_container as rule

test_fires_for_privileged_container if {
	rule.deny == {{
		"msg": `container "web" runs privileged`,
		"path": "/spec/template/spec/containers/0/securityContext/privileged",
	}} with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"privileged": true}}]})
}

test_fires_for_init_container_of_cronjob if {
	rule.deny == {{
		"msg": `init container "setup" runs privileged`,
		"path": "/spec/jobTemplate/spec/template/spec/initContainers/0/securityContext/privileged",
	}} with input as fx.cronjob({
		"initContainers": [{"name": "setup", "securityContext": {"privileged": true}}],
		"containers": [{"name": "job"}],
	})
}

test_fires_once_per_privileged_container_of_pod if {
	rule.deny == {{
		"msg": `container #0 runs privileged`,
		"path": "/spec/containers/0/securityContext/privileged",
	}} with input as fx.pod({"containers": [
		{"securityContext": {"privileged": true}},
		{"name": "b", "securityContext": {"privileged": false}},
	]})
}

test_silent_when_not_privileged if {
	count(rule.deny) == 0 with input as fx.deployment({"containers": [
		{"name": "a", "securityContext": {"privileged": false}},
		{"name": "b", "securityContext": null},
		{"name": "c"},
	]})
}

test_silent_for_pod_level_field if {
	# privileged is a container field; a stray pod-level value changes nothing.
	count(rule.deny) == 0 with input as fx.pod({
		"securityContext": {"privileged": true},
		"containers": [{"name": "a", "securityContext": {"privileged": false}}],
	})
}

test_silent_for_other_kinds if {
	count(rule.deny) == 0 with input as {"kind": "ConfigMap", "spec": {"containers": [{"securityContext": {"privileged": true}}]}}
}
