package gitops_lint.resource.host_ipc_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.host_ipc as rule

test_fires_for_deployment if {
	rule.deny == {{
		"msg": "pod shares the host's IPC namespace (hostIPC: true)",
		"path": "/spec/template/spec/hostIPC",
	}} with input as fx.deployment({"hostIPC": true, "containers": [{"name": "web"}]})
}

test_fires_for_cronjob if {
	rule.deny == {{
		"msg": "pod shares the host's IPC namespace (hostIPC: true)",
		"path": "/spec/jobTemplate/spec/template/spec/hostIPC",
	}} with input as fx.cronjob({"hostIPC": true, "containers": [{"name": "job"}]})
}

test_fires_for_pod if {
	count(rule.deny) == 1 with input as fx.pod({"hostIPC": true, "containers": [{"name": "a"}]})
}

test_silent_when_false_or_unset if {
	count(rule.deny) == 0 with input as fx.pod({"hostIPC": false, "containers": [{"name": "a"}]})
	count(rule.deny) == 0 with input as fx.deployment({"containers": [{"name": "web"}]})
}

test_silent_for_other_kinds if {
	count(rule.deny) == 0 with input as {"kind": "Service", "spec": {"hostIPC": true}}
}
