package gitops_lint.resource.apparmor_unconfined_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.apparmor_unconfined as rule

test_fires_for_field if {
	rule.deny == {{
		"msg": `container "web" runs with AppArmor profile Unconfined`,
		"path": "/spec/template/spec/securityContext/appArmorProfile/type",
	}} with input as fx.deployment({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [{"name": "web"}]})
}

test_fires_for_annotation_on_pod if {
	rule.deny == {{
		"msg": `container "a" runs with AppArmor unconfined (annotation container.apparmor.security.beta.kubernetes.io/a)`,
		"path": "/metadata/annotations/container.apparmor.security.beta.kubernetes.io~1a",
	}} with input as object.union(fx.pod({"containers": [{"name": "a"}]}), {"metadata": {"annotations": {
		"container.apparmor.security.beta.kubernetes.io/a": "unconfined",
		"container.apparmor.security.beta.kubernetes.io/b": "runtime/default",
	}}})
}

test_fires_for_cronjob_container_field if {
	rule.deny == {{
		"msg": `container "job" runs with AppArmor profile Unconfined`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/securityContext/appArmorProfile/type",
	}} with input as fx.cronjob({"containers": [{"name": "job", "securityContext": {"appArmorProfile": {"type": "Unconfined"}}}]})
}

test_silent_when_container_overrides if {
	count(rule.deny) == 0 with input as fx.pod({
		"securityContext": {"appArmorProfile": {"type": "Unconfined"}},
		"containers": [{"name": "a", "securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}}],
	})
}

test_silent_when_unset if {
	count(rule.deny) == 0 with input as fx.deployment({"containers": [{"name": "web"}]})
}
