package gitops_lint.resource.seccomp_unconfined_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.seccomp_unconfined as rule

test_fires_for_container_profile if {
	rule.deny == {{
		"msg": `container "web" runs with seccomp profile Unconfined`,
		"path": "/spec/template/spec/containers/0/securityContext/seccompProfile/type",
	}} with input as fx.deployment({
		"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
		"containers": [{"name": "web", "securityContext": {"seccompProfile": {"type": "Unconfined"}}}],
	})
}

test_fires_for_inherited_pod_profile if {
	rule.deny == {{
		"msg": `container "job" runs with seccomp profile Unconfined`,
		"path": "/spec/jobTemplate/spec/template/spec/securityContext/seccompProfile/type",
	}} with input as fx.cronjob({
		"securityContext": {"seccompProfile": {"type": "Unconfined"}},
		"containers": [{"name": "job"}, {"name": "safe", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}],
	})
}

test_fires_for_legacy_annotation if {
	rule.deny == {{
		"msg": "annotation container.seccomp.security.alpha.kubernetes.io/web turns seccomp off",
		"path": "/spec/template/metadata/annotations/container.seccomp.security.alpha.kubernetes.io~1web",
	}} with input as json.patch(fx.deployment({"containers": [{"name": "web"}]}), [{
		"op": "add",
		"path": "/spec/template/metadata/annotations",
		"value": {"container.seccomp.security.alpha.kubernetes.io/web": "unconfined"},
	}])
}

test_silent_for_runtime_default if {
	count(rule.deny) == 0 with input as fx.pod({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [{"name": "a"}]})
}

test_silent_when_unset if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [{"name": "a"}]})
}

test_fires_for_legacy_pod_annotation_on_pod if {
	rule.deny == {{
		"msg": "annotation seccomp.security.alpha.kubernetes.io/pod turns seccomp off",
		"path": "/metadata/annotations/seccomp.security.alpha.kubernetes.io~1pod",
	}} with input as object.union(fx.pod({"containers": [{"name": "a"}]}), {"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}})
}
