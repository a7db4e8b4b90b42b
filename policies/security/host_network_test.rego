package gitops_lint.resource.host_network_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.host_network as rule

test_fires_for_deployment if {
	rule.deny == {{
		"msg": "pod shares the host's network namespace (hostNetwork: true)",
		"path": "/spec/template/spec/hostNetwork",
	}} with input as fx.deployment({"hostNetwork": true, "containers": [{"name": "web"}]})
}

test_fires_for_cronjob if {
	rule.deny == {{
		"msg": "pod shares the host's network namespace (hostNetwork: true)",
		"path": "/spec/jobTemplate/spec/template/spec/hostNetwork",
	}} with input as fx.cronjob({"hostNetwork": true, "containers": [{"name": "job"}]})
}

test_fires_for_pod if {
	count(rule.deny) == 1 with input as fx.pod({"hostNetwork": true, "containers": [{"name": "a"}]})
}

test_silent_when_false_or_unset if {
	count(rule.deny) == 0 with input as fx.pod({"hostNetwork": false, "containers": [{"name": "a"}]})
	count(rule.deny) == 0 with input as fx.deployment({"containers": [{"name": "web"}]})
}

test_silent_for_other_kinds if {
	count(rule.deny) == 0 with input as {"kind": "Service", "spec": {"hostNetwork": true}}
}
