package gitops_lint.resource.unsafe_sysctls_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.unsafe_sysctls as rule

test_fires_per_unsafe_sysctl if {
	rule.deny == {{"msg": `pod sets unsafe sysctl "kernel.sem"`, "path": "/spec/template/spec/securityContext/sysctls/1/name"}} with input as fx.deployment({
		"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_syncookies", "value": "1"}, {"name": "kernel.sem", "value": "250"}]},
		"containers": [{"name": "web"}],
	})
}

test_fires_for_cronjob if {
	rule.deny == {{"msg": `pod sets unsafe sysctl "net.core.somaxconn"`, "path": "/spec/jobTemplate/spec/template/spec/securityContext/sysctls/0/name"}} with input as fx.cronjob({
		"securityContext": {"sysctls": [{"name": "net.core.somaxconn", "value": "1024"}]},
		"containers": [{"name": "job"}],
	})
}

test_silent_for_safe_sysctls if {
	count(rule.deny) == 0 with input as fx.pod({
		"securityContext": {"sysctls": [{"name": "net/ipv4/ip_local_port_range", "value": "1024 65000"}, {"name": "kernel.shm_rmid_forced", "value": "1"}]},
		"containers": [{"name": "a"}],
	})
}

test_silent_without_sysctls if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [{"name": "a"}]})
}
