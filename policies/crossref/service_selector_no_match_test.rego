package gitops_lint.target.service_selector_no_match_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.service_selector_no_match as rule

web := fx.deployment({"containers": [{"name": "web"}]})

test_fires_when_no_template_matches if {
	svc := fx.service("web", {"app": "web", "tier": "front"}, [{"port": 80}])
	rule.deny == {{
		"msg": `Service "web" selects no pod template in this target (selector app=web,tier=front)`,
		"path": "/spec/selector",
		"resource": svc,
	}} with input as fx.target([web, svc], "dev")
}

test_fires_when_pods_are_in_another_namespace if {
	svc := json.patch(fx.service("web", {"app": "web"}, [{"port": 80}]), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	count(rule.deny) == 1 with input as fx.target([web, svc], "dev")
}

test_silent_when_a_template_matches if {
	svc := fx.service("web", {"app": "web"}, [{"port": 80}])
	job := fx.cronjob({"containers": [{"name": "job"}]})
	nightly := fx.service("nightly", {"app": "nightly"}, [{"port": 80}])
	count(rule.deny) == 0 with input as fx.target([web, job, svc, nightly], "dev")
}

test_silent_without_selector_or_for_external_name if {
	bare := json.remove(fx.service("db", {}, [{"port": 5432}]), ["/spec/selector"])
	empty := fx.service("empty", {}, [{"port": 5432}])
	external := json.patch(fx.service("ext", {"app": "x"}, []), [{"op": "add", "path": "/spec/type", "value": "ExternalName"}])
	count(rule.deny) == 0 with input as fx.target([bare, empty, external], "dev")
}

test_silent_for_per_pod_service_of_statefulset if {
	svc := fx.service("db-0", {"app": "db", "statefulset.kubernetes.io/pod-name": "db-0"}, [{"port": 5432}])
	count(rule.deny) == 0 with input as fx.target([fx.statefulset({"containers": [{"name": "db"}]}), svc], "dev")
}

test_silent_for_pods_an_operator_creates if {
	prom := {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "app", "namespace": "shop"}}
	old := fx.service("prometheus-app", {"app": "prometheus"}, [{"port": 9090}])
	current := fx.service("prometheus", {"app.kubernetes.io/name": "prometheus", "prometheus": "app"}, [{"port": 9090}])
	pg := {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "db", "namespace": "shop"}}
	rw := fx.service("db-rw", {"cnpg.io/cluster": "db", "role": "primary"}, [{"port": 5432}])
	count(rule.deny) == 0 with input as fx.target([prom, old, current, pg, rw], "dev")
}

test_fires_when_the_operator_resource_is_another if {
	prom := {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "metadata": {"name": "app", "namespace": "shop"}}
	other := fx.service("prometheus", {"prometheus": "other"}, [{"port": 9090}])
	elsewhere := json.patch(fx.service("prom", {"prometheus": "app"}, [{"port": 9090}]), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	count(rule.deny) == 2 with input as fx.target([prom, other, elsewhere], "dev")
}
