package gitops_lint.resource.proc_mount_unmasked_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.proc_mount_unmasked as rule

test_fires_for_unmasked if {
	rule.deny == {{
		"msg": `container "web" sets procMount to Unmasked`,
		"path": "/spec/template/spec/containers/0/securityContext/procMount",
	}} with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"procMount": "Unmasked"}}]})
}

test_fires_for_cronjob if {
	count(rule.deny) == 1 with input as fx.cronjob({"containers": [{"name": "job", "securityContext": {"procMount": "Unmasked"}}]})
}

test_silent_for_default if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [{"name": "a", "securityContext": {"procMount": "Default"}}, {"name": "b"}]})
}
