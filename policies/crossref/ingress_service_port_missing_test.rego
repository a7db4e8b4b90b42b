package gitops_lint.target.ingress_service_port_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.ingress_service_port_missing as rule

ingress(port) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "Ingress",
	"metadata": {"name": "site", "namespace": "shop"},
	"spec": {"defaultBackend": {"service": {"name": "web", "port": port}}},
}

web := fx.service("web", {"app": "web"}, [{"name": "http", "port": 80, "targetPort": 8080}])

test_fires_for_unknown_number if {
	ing := ingress({"number": 8080})
	rule.deny == {{
		"msg": `Ingress "site" routes to port 8080 of Service "web", which does not expose it`,
		"path": "/spec/defaultBackend/service/port/number",
		"resource": ing,
		"related": [web],
	}} with input as fx.target([web, ing], "dev")
}

test_fires_for_unknown_name if {
	ing := ingress({"name": "grpc"})
	rule.deny == {{
		"msg": `Ingress "site" routes to port grpc of Service "web", which does not expose it`,
		"path": "/spec/defaultBackend/service/port/name",
		"resource": ing,
		"related": [web],
	}} with input as fx.target([web, ing], "dev")
}

test_silent_for_exposed_ports if {
	legacy := {"apiVersion": "extensions/v1beta1", "kind": "Ingress", "metadata": {"name": "old"}, "spec": {"backend": {"serviceName": "web", "servicePort": "80"}}}
	count(rule.deny) == 0 with input as fx.target([web, ingress({"number": 80}), ingress({"name": "http"}), legacy], "dev")
}

test_silent_when_service_missing if {
	count(rule.deny) == 0 with input as fx.target([ingress({"number": 8080})], "dev")
}
