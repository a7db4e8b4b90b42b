package gitops_lint.resource.windows_host_process_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.windows_host_process as rule

test_fires_for_pod_level if {
	rule.deny == {{
		"msg": "pod runs as a Windows HostProcess (windowsOptions.hostProcess: true)",
		"path": "/spec/template/spec/securityContext/windowsOptions/hostProcess",
	}} with input as fx.deployment({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [{"name": "web"}]})
}

test_fires_for_container_level if {
	rule.deny == {{
		"msg": `container "job" runs as a Windows HostProcess (windowsOptions.hostProcess: true)`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/windowsOptions/hostProcess",
	}} with input as fx.cronjob({"containers": [{"name": "job", "securityContext": {"windowsOptions": {"hostProcess": true}}}]})
}

test_silent_when_false if {
	count(rule.deny) == 0 with input as fx.pod({
		"securityContext": {"windowsOptions": {"hostProcess": false}},
		"containers": [{"name": "a", "securityContext": {"windowsOptions": {"hostProcess": false}}}],
	})
}
