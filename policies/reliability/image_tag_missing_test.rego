package gitops_lint.resource.image_tag_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.image_tag_missing as rule

test_fires_without_tag if {
	rule.deny == {{
		"msg": `container "web" uses image "registry.local:5000/acme/web" without a tag or digest`,
		"path": "/spec/template/spec/containers/0/image",
	}} with input as fx.deployment({"containers": [{"name": "web", "image": "registry.local:5000/acme/web"}]})
}

test_fires_for_cronjob if {
	rule.deny == {{
		"msg": `container "job" uses image "busybox" without a tag or digest`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/image",
	}} with input as fx.cronjob({"containers": [{"name": "job", "image": "busybox"}]})
}

test_silent_for_tags_and_digests if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [
		{"name": "a", "image": "nginx:1.25"},
		{"name": "b", "image": "nginx@sha256:0123456789abcdef"},
		{"name": "c", "image": "nginx:latest"},
		{"name": "d", "image": ""},
		{"name": "e"},
	]})
}
