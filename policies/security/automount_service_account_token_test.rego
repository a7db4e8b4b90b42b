package gitops_lint.target.automount_service_account_token_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.automount_service_account_token as rule

sa(name, automount) := object.union(fx.service_account(name), {"automountServiceAccountToken": automount})

test_fires_when_nothing_disables_it if {
	d := fx.deployment({"containers": [{"name": "web"}]})
	rule.deny == {{
		"msg": `Deployment "web" mounts the token of service account "default": automountServiceAccountToken is false on neither the pod nor the ServiceAccount`,
		"path": "/spec/template/spec",
		"resource": d,
	}} with input as fx.target([d], "dev")
}

test_fires_when_pod_sets_true_over_account if {
	c := fx.cronjob({"serviceAccountName": "runner", "automountServiceAccountToken": true, "containers": [{"name": "job"}]})
	rule.deny == {{
		"msg": `CronJob "nightly" mounts a service account token (automountServiceAccountToken: true)`,
		"path": "/spec/jobTemplate/spec/template/spec/automountServiceAccountToken",
		"resource": c,
	}} with input as fx.target([c, sa("runner", false)], "dev")
}

test_fires_when_account_enables_it if {
	p := fx.pod({"serviceAccountName": "runner", "containers": [{"name": "a"}]})
	count(rule.deny) == 1 with input as fx.target([p, sa("runner", true)], "dev")
}

test_silent_when_pod_disables_it if {
	p := fx.pod({"automountServiceAccountToken": false, "serviceAccountName": "runner", "containers": [{"name": "a"}]})
	count(rule.deny) == 0 with input as fx.target([p, sa("runner", true)], "dev")
}

test_silent_when_account_disables_it if {
	d := fx.deployment({"serviceAccountName": "web", "containers": [{"name": "web"}]})
	count(rule.deny) == 0 with input as fx.target([d, sa("web", false)], "dev")
}

test_silent_when_default_account_disables_it if {
	d := fx.deployment({"containers": [{"name": "web"}]})
	count(rule.deny) == 0 with input as fx.target([d, sa("default", false)], "dev")
}

test_account_in_other_namespace_does_not_count if {
	d := fx.deployment({"serviceAccountName": "web", "containers": [{"name": "web"}]})
	other := json.patch(sa("web", false), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	count(rule.deny) == 1 with input as fx.target([d, other], "dev")
}

test_deprecated_service_account_field_names_the_account if {
	d := fx.deployment({"serviceAccount": "legacy", "containers": [{"name": "web"}]})
	count(rule.deny) == 0 with input as fx.target([d, sa("legacy", false)], "dev")
	{r.msg | some r in rule.deny} == {`Deployment "web" mounts the token of service account "legacy": automountServiceAccountToken is false on neither the pod nor the ServiceAccount`} with input as fx.target([d], "dev")
}
