package gitops_lint.resource.selinux_custom_options_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.selinux_custom_options as rule

test_fires_for_privileged_type if {
	rule.deny == {{
		"msg": `container "web" sets SELinux type "spc_t"`,
		"path": "/spec/template/spec/containers/0/securityContext/seLinuxOptions/type",
	}} with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"seLinuxOptions": {"type": "spc_t"}}}]})
}

test_fires_for_pod_user_and_role if {
	rule.deny == {
		{"msg": `pod sets SELinux user "system_u"`, "path": "/spec/jobTemplate/spec/template/spec/securityContext/seLinuxOptions/user"},
		{"msg": `pod sets SELinux role "system_r"`, "path": "/spec/jobTemplate/spec/template/spec/securityContext/seLinuxOptions/role"},
	} with input as fx.cronjob({
		"securityContext": {"seLinuxOptions": {"user": "system_u", "role": "system_r", "level": "s0"}},
		"containers": [{"name": "job"}],
	})
}

test_silent_for_container_types_and_levels if {
	count(rule.deny) == 0 with input as fx.pod({
		"securityContext": {"seLinuxOptions": {"level": "s0:c123,c456"}},
		"containers": [
			{"name": "a", "securityContext": {"seLinuxOptions": {"type": "container_init_t"}}},
			{"name": "b", "securityContext": {"seLinuxOptions": null}},
		],
	})
}
