package gitops_lint.resource.writable_root_filesystem_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.writable_root_filesystem as rule

msg(label) := sprintf("%s does not have a read-only root filesystem (readOnlyRootFilesystem is not true)", [label])

test_fires_when_false if {
	rule.deny == {{
		"msg": msg(`container "web"`),
		"path": "/spec/template/spec/containers/0/securityContext/readOnlyRootFilesystem",
	}} with input as fx.deployment({"containers": [{"name": "web", "securityContext": {"readOnlyRootFilesystem": false}}]})
}

test_fires_for_each_unset_container_of_pod if {
	rule.deny == {
		{"msg": msg(`container "b"`), "path": "/spec/containers/1"},
		{"msg": msg(`init container "i"`), "path": "/spec/initContainers/0/securityContext"},
	} with input as fx.pod({
		# the pod-level field does not exist in the API and does not count
		"securityContext": {"readOnlyRootFilesystem": true},
		"initContainers": [{"name": "i", "securityContext": {}}],
		"containers": [{"name": "a", "securityContext": {"readOnlyRootFilesystem": true}}, {"name": "b"}],
	})
}

test_silent_when_true if {
	count(rule.deny) == 0 with input as fx.cronjob({"containers": [{"name": "job", "securityContext": {"readOnlyRootFilesystem": true}}]})
}

test_fires_for_cronjob if {
	count(rule.deny) == 1 with input as fx.cronjob({"containers": [{"name": "job"}]})
}
