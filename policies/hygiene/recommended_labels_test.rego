package gitops_lint.resource.recommended_labels_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.recommended_labels as rule

with_labels(obj, labels) := json.patch(obj, [{"op": "add", "path": "/metadata/labels", "value": labels}])

test_fires_without_labels if {
	rule.deny == {{
		"msg": `Deployment "web" has no app.kubernetes.io/name or app.kubernetes.io/instance label`,
		"path": "/metadata",
	}} with input as fx.deployment({"containers": [{"name": "web"}]})
}

test_fires_for_missing_instance_on_cronjob if {
	rule.deny == {{
		"msg": `CronJob "nightly" has no app.kubernetes.io/instance label`,
		"path": "/metadata/labels",
	}} with input as with_labels(fx.cronjob({"containers": [{"name": "job"}]}), {"app.kubernetes.io/name": "nightly"})
}

test_silent_with_both_labels if {
	count(rule.deny) == 0 with input as with_labels(fx.deployment({"containers": [{"name": "web"}]}), {
		"app.kubernetes.io/name": "web",
		"app.kubernetes.io/instance": "web-prod",
	})
}

test_silent_for_non_workloads if {
	count(rule.deny) == 0 with input as fx.configmap("settings")
}
