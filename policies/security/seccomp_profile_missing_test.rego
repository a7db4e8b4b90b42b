package gitops_lint.resource.seccomp_profile_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.seccomp_profile_missing as rule

test_fires_once_listing_containers if {
	rule.deny == {{
		"msg": `no seccomp profile applies to container "web", init container "init"`,
		"path": "/spec/template/spec",
	}} with input as fx.deployment({"initContainers": [{"name": "init"}], "containers": [{"name": "web"}]})
}

test_fires_for_containers_not_covered if {
	rule.deny == {{
		"msg": `no seccomp profile applies to container "b"`,
		"path": "/spec/jobTemplate/spec/template/spec/securityContext",
	}} with input as fx.cronjob({
		"securityContext": {"runAsNonRoot": true},
		"containers": [
			{"name": "a", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
			{"name": "b"},
		],
	})
}

test_fires_when_pod_profile_has_no_type if {
	rule.deny == {{
		"msg": `no seccomp profile applies to container "a"`,
		"path": "/spec/securityContext/seccompProfile",
	}} with input as fx.pod({"securityContext": {"seccompProfile": null}, "containers": [{"name": "a"}]})
}

test_fires_despite_legacy_annotation if {
	count(rule.deny) == 1 with input as object.union(
		fx.pod({"containers": [{"name": "a"}]}),
		{"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}}},
	)
}

test_silent_with_pod_profile if {
	count(rule.deny) == 0 with input as fx.deployment({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "web"}]})
}

test_silent_with_container_profiles if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [
		{"name": "a", "securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"}}},
		{"name": "b", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
	]})
}

test_silent_when_unconfined if {
	# seccomp-unconfined reports this one
	count(rule.deny) == 0 with input as fx.pod({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [{"name": "a"}]})
}

test_silent_for_windows_pods if {
	count(rule.deny) == 0 with input as fx.pod({"os": {"name": "windows"}, "containers": [{"name": "a"}]})
}
