package gitops_lint.resource.privilege_escalation_allowed_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.privilege_escalation_allowed as rule

test_fires_when_true if {
	rule.deny == {{
		"msg": `container "web" sets allowPrivilegeEscalation to true`,
		"path": "/spec/template/spec/containers/0/securityContext/allowPrivilegeEscalation",
	}} with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"allowPrivilegeEscalation": true}}]})
}

test_fires_when_unset_pointing_at_security_context if {
	rule.deny == {{
		"msg": `container "job" does not set allowPrivilegeEscalation to false`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/securityContext",
	}} with input as fx.cronjob({"containers": [{"name": "job", "securityContext": {"runAsNonRoot": true}}]})
}

test_fires_when_unset_pointing_at_container if {
	rule.deny == {{
		"msg": `container "shell" does not set allowPrivilegeEscalation to false`,
		"path": "/spec/containers/0",
	}} with input as fx.pod({
		# the pod-level field does not exist in the API and does not count
		"securityContext": {"allowPrivilegeEscalation": false},
		"containers": [{"name": "shell"}],
	})
}

test_silent_when_false if {
	count(rule.deny) == 0 with input as fx.deployment({
		"initContainers": [{"name": "init", "securityContext": {"allowPrivilegeEscalation": false}}],
		"containers": [{"name": "web", "securityContext": {"allowPrivilegeEscalation": false}}],
	})
}

test_silent_for_windows_pods if {
	count(rule.deny) == 0 with input as fx.deployment({"os": {"name": "windows"}, "containers": [{"name": "web"}]})
}
