package gitops_lint.resource.run_as_user_zero_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.run_as_user_zero as rule

test_fires_for_container_uid_zero if {
	rule.deny == {{
		"msg": `container "web" runs as UID 0 (runAsUser: 0)`,
		"path": "/spec/template/spec/containers/0/securityContext/runAsUser",
	}} with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"runAsUser": 0}}]})
}

test_fires_for_pod_uid_zero_inherited if {
	rule.deny == {{
		"msg": `container "job" runs as UID 0 (runAsUser: 0)`,
		"path": "/spec/jobTemplate/spec/template/spec/securityContext/runAsUser",
	}} with input as fx.cronjob({
		"securityContext": {"runAsUser": 0},
		"containers": [{"name": "job"}, {"name": "own", "securityContext": {"runAsUser": 1000}}],
	})
}

test_silent_for_non_zero_uid if {
	count(rule.deny) == 0 with input as fx.pod({
		"securityContext": {"runAsUser": 1000},
		"containers": [{"name": "a"}, {"name": "b", "securityContext": {"runAsUser": 2000}}],
	})
}

test_silent_when_unset if {
	count(rule.deny) == 0 with input as fx.deployment({"containers": [{"name": "web"}]})
}
