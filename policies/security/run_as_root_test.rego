package gitops_lint.resource.run_as_root_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.run_as_root as rule

msg(label) := sprintf("%s is not set to run as non-root (runAsNonRoot is not true and runAsUser is not a non-zero UID)", [label])

test_fires_when_nothing_set if {
	rule.deny == {{"msg": msg(`container "web"`), "path": "/spec/template/spec/containers/0"}} with input as fx.deployment({"containers": [{"name": "web"}]})
}

test_fires_when_container_overrides_pod_with_false if {
	rule.deny == {{
		"msg": msg(`container "job"`),
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/runAsNonRoot",
	}} with input as fx.cronjob({
		"securityContext": {"runAsNonRoot": true},
		"containers": [{"name": "job", "securityContext": {"runAsNonRoot": false}}],
	})
}

test_fires_for_uid_zero_and_misplaced_fields if {
	# runAsUser directly on the container is not a Kubernetes field
	rule.deny == {{"msg": msg(`container "app"`), "path": "/spec/containers/0/securityContext"}} with input as fx.pod({"containers": [{
		"name": "app",
		"runAsUser": 1000,
		"securityContext": {"runAsUser": 0},
	}]})
}

test_silent_when_pod_sets_run_as_non_root if {
	count(rule.deny) == 0 with input as fx.deployment({
		"securityContext": {"runAsNonRoot": true},
		"initContainers": [{"name": "init"}],
		"containers": [{"name": "web"}],
	})
}

test_silent_when_uid_is_non_zero if {
	count(rule.deny) == 0 with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"runAsUser": 1001, "runAsGroup": 0}}]})
}

test_silent_for_windows_pods if {
	count(rule.deny) == 0 with input as fx.pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}
