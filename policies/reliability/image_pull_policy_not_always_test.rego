package gitops_lint.resource.image_pull_policy_not_always_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.image_pull_policy_not_always as rule

test_fires_for_latest_if_not_present if {
	rule.deny == {{
		"msg": `container "web" pulls mutable image "web:latest" with imagePullPolicy IfNotPresent`,
		"path": "/spec/template/spec/containers/0/imagePullPolicy",
	}} with input as fx.deployment({"containers": [{"name": "web", "image": "web:latest", "imagePullPolicy": "IfNotPresent"}]})
}

test_fires_for_untagged_never_in_cronjob if {
	rule.deny == {{
		"msg": `container "job" pulls mutable image "busybox" with imagePullPolicy Never`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/imagePullPolicy",
	}} with input as fx.cronjob({"containers": [{"name": "job", "image": "busybox", "imagePullPolicy": "Never"}]})
}

test_silent_for_default_or_always if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [
		{"name": "a", "image": "nginx:latest"},
		{"name": "b", "image": "nginx", "imagePullPolicy": "Always"},
	]})
}

test_silent_for_pinned_images if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [
		{"name": "a", "image": "nginx:1.25", "imagePullPolicy": "IfNotPresent"},
		{"name": "b", "image": "nginx@sha256:0123", "imagePullPolicy": "Never"},
	]})
}
