package gitops_lint.resource.default_namespace_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.default_namespace as rule

in_default(obj) := json.patch(obj, [{"op": "replace", "path": "/metadata/namespace", "value": "default"}])

test_fires_for_deployment_in_default if {
	rule.deny == {{"msg": `Deployment "web" is in the default namespace`, "path": "/metadata/namespace"}} with input as in_default(fx.deployment({"containers": [{"name": "web"}]}))
}

test_fires_for_cronjob_in_default if {
	rule.deny == {{"msg": `CronJob "nightly" is in the default namespace`, "path": "/metadata/namespace"}} with input as in_default(fx.cronjob({"containers": [{"name": "job"}]}))
}

test_fires_for_service_in_default if {
	rule.deny == {{"msg": `Service "web" is in the default namespace`, "path": "/metadata/namespace"}} with input as in_default(fx.service("web", {"app": "web"}, [{"port": 80}]))
}

test_silent_without_namespace if {
	count(rule.deny) == 0 with input as json.remove(fx.deployment({"containers": [{"name": "web"}]}), ["/metadata/namespace"])
}

test_silent_in_other_namespace_or_for_other_kinds if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [{"name": "a"}]})
	count(rule.deny) == 0 with input as in_default(fx.configmap("settings"))
}
