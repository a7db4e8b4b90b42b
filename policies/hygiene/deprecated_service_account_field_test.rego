package gitops_lint.resource.deprecated_service_account_field_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.deprecated_service_account_field as rule

test_fires_for_service_account if {
	rule.deny == {{
		"msg": `pod sets the deprecated serviceAccount field ("runner"); use serviceAccountName`,
		"path": "/spec/template/spec/serviceAccount",
	}} with input as fx.deployment({"serviceAccount": "runner", "containers": [{"name": "web"}]})
}

test_fires_for_cronjob if {
	rule.deny == {{
		"msg": `pod sets the deprecated serviceAccount field ("default"); use serviceAccountName`,
		"path": "/spec/jobTemplate/spec/template/spec/serviceAccount",
	}} with input as fx.cronjob({"serviceAccount": "default", "serviceAccountName": "default", "containers": [{"name": "job"}]})
}

test_silent_for_service_account_name if {
	count(rule.deny) == 0 with input as fx.pod({"serviceAccountName": "runner", "containers": [{"name": "a"}]})
}
