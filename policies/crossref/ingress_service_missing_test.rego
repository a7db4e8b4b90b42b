package gitops_lint.target.ingress_service_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.ingress_service_missing as rule

ingress(backend) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "site", "namespace": "shop"},
	"spec": {"rules": [{"host": "shop.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": backend}]}}]},
}

web := fx.service("web", {"app": "web"}, [{"name": "http", "port": 80}])

test_fires_for_missing_service if {
	ing := ingress({"service": {"name": "api", "port": {"number": 80}}})
	rule.deny == {{
		"msg": `Ingress "site" routes to Service "api", which is not in this target`,
		"path": "/spec/rules/0/http/paths/0/backend/service/name",
		"resource": ing,
	}} with input as fx.target([web, ing], "dev")
}

test_fires_for_legacy_backend if {
	ing := {"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "old"}, "spec": {"backend": {"serviceName": "gone", "servicePort": 80}}}
	rule.deny == {{
		"msg": `Ingress "old" routes to Service "gone", which is not in this target`,
		"path": "/spec/backend/serviceName",
		"resource": ing,
	}} with input as fx.target([web, ing], "dev")
}

test_silent_when_service_exists if {
	count(rule.deny) == 0 with input as fx.target([web, ingress({"service": {"name": "web", "port": {"name": "http"}}})], "dev")
}

test_silent_for_resource_backends if {
	count(rule.deny) == 0 with input as fx.target([ingress({"resource": {"apiGroup": "k8s.example.com", "kind": "StorageBucket", "name": "assets"}})], "dev")
}
