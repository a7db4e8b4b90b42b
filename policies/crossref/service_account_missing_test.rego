package gitops_lint.target.service_account_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.service_account_missing as rule

test_fires_for_missing_account if {
	d := fx.deployment({"serviceAccountName": "web", "containers": [{"name": "web"}]})
	rule.deny == {{
		"msg": `Deployment "web" runs as ServiceAccount "web", which is not in this target`,
		"path": "/spec/template/spec/serviceAccountName",
		"resource": d,
	}} with input as fx.target([d, fx.service_account("api")], "dev")
}

test_fires_for_deprecated_field_of_cronjob if {
	c := fx.cronjob({"serviceAccount": "runner", "containers": [{"name": "job"}]})
	rule.deny == {{
		"msg": `CronJob "nightly" runs as ServiceAccount "runner", which is not in this target`,
		"path": "/spec/jobTemplate/spec/template/spec/serviceAccount",
		"resource": c,
	}} with input as fx.target([c], "dev")
}

test_silent_for_defined_or_default_accounts if {
	d := fx.deployment({"serviceAccountName": "web", "containers": [{"name": "web"}]})
	p := fx.pod({"serviceAccountName": "default", "containers": [{"name": "a"}]})
	j := fx.job({"containers": [{"name": "j"}]})
	count(rule.deny) == 0 with input as fx.target([d, p, j, fx.service_account("web")], "dev")
}

test_account_in_other_namespace_does_not_count if {
	d := fx.deployment({"serviceAccountName": "web", "containers": [{"name": "web"}]})
	other := json.patch(fx.service_account("web"), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	count(rule.deny) == 1 with input as fx.target([d, other], "dev")
}
