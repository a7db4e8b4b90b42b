package gitops_lint.resource.capabilities_not_dropped_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.capabilities_not_dropped as rule

msg(label) := sprintf("%s does not drop all capabilities (capabilities.drop does not include ALL)", [label])

test_fires_when_nothing_dropped if {
	rule.deny == {{"msg": msg(`container "web"`), "path": "/spec/template/spec/containers/0"}} with input as fx.deployment({"containers": [{"name": "web"}]})
}

test_fires_when_some_defaults_kept if {
	rule.deny == {{
		"msg": msg(`container "job"`),
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/capabilities/drop",
	}} with input as fx.cronjob({"containers": [{"name": "job", "securityContext": {"capabilities": {"drop": ["NET_RAW", "CHOWN"]}}}]})
}

test_fires_for_null_capabilities if {
	rule.deny == {{"msg": msg(`container "a"`), "path": "/spec/containers/0/securityContext/capabilities"}} with input as fx.pod({"containers": [{"name": "a", "securityContext": {"capabilities": null}}]})
}

test_silent_when_all_dropped_in_any_case if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [
		{"name": "a", "securityContext": {"capabilities": {"drop": ["ALL"]}}},
		{"name": "b", "securityContext": {"capabilities": {"drop": ["all"], "add": ["NET_BIND_SERVICE"]}}},
	]})
}

test_silent_when_every_default_dropped if {
	count(rule.deny) == 0 with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"capabilities": {"drop": [
		"audit_write", "CAP_CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
		"NET_BIND_SERVICE", "NET_RAW", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
	]}}}]})
}

test_silent_for_windows_pods if {
	count(rule.deny) == 0 with input as fx.pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]})
}
