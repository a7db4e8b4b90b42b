package gitops_lint.resource.image_tag_latest_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.image_tag_latest as rule

test_fires_for_latest if {
	rule.deny == {{
		"msg": `container "web" uses image "ghcr.io/acme/web:latest" with the latest tag`,
		"path": "/spec/template/spec/containers/0/image",
	}} with input as fx.deployment({"containers": [{"name": "web", "image": "ghcr.io/acme/web:latest"}]})
}

test_fires_for_init_container_of_cronjob if {
	rule.deny == {{
		"msg": `init container "init" uses image "busybox:latest" with the latest tag`,
		"path": "/spec/jobTemplate/spec/template/spec/initContainers/0/image",
	}} with input as fx.cronjob({"initContainers": [{"name": "init", "image": "busybox:latest"}], "containers": [{"name": "job", "image": "job:1.0"}]})
}

test_silent_for_versions_digests_and_missing_tags if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [
		{"name": "a", "image": "nginx:1.25"},
		{"name": "b", "image": "nginx:latest@sha256:0123456789abcdef"},
		{"name": "c", "image": "registry.local:5000/nginx"},
		{"name": "d"},
	]})
}
