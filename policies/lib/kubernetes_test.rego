package gitops_lint.lib.kubernetes_test

import data.gitops_lint.lib.kubernetes as k8s

deployment := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {"template": {
		"metadata": {"labels": {"app": "web", "tier": "front"}},
		"spec": {
			"initContainers": [{"name": "migrate", "image": "migrate:1"}],
			"containers": [{"name": "web", "image": "web:1"}, {"image": "sidecar:1"}],
		},
	}},
}

cronjob := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "nightly"},
	"spec": {"jobTemplate": {"spec": {"template": {
		"metadata": {"labels": {"app": "nightly"}},
		"spec": {"containers": [{"name": "job", "image": "job:1"}]},
	}}}},
}

pod := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "debug", "labels": {"app": "debug"}},
	"spec": {
		"securityContext": {"runAsUser": 1000},
		"containers": [{"name": "shell", "securityContext": {"runAsUser": 0}}, {"name": "other"}],
	},
}

test_pod_spec_path_per_kind if {
	k8s.pod_spec_path(pod) == "/spec"
	k8s.pod_spec_path(deployment) == "/spec/template/spec"
	k8s.pod_spec_path(cronjob) == "/spec/jobTemplate/spec/template/spec"
	k8s.pod_spec_path({"kind": "DaemonSet"}) == "/spec/template/spec"
	k8s.pod_spec_path({"kind": "Rollout"}) == "/spec/template/spec"
}

test_pod_spec_undefined_for_other_kinds if {
	not k8s.pod_spec({"kind": "Service", "spec": {"template": {"spec": {}}}})
	not k8s.pod_spec_path({"kind": "ConfigMap"})
}

test_pod_metadata_path if {
	k8s.pod_metadata_path(pod) == "/metadata"
	k8s.pod_metadata_path(deployment) == "/spec/template/metadata"
	k8s.pod_metadata_path(cronjob) == "/spec/jobTemplate/spec/template/metadata"
}

test_pod_labels if {
	k8s.pod_labels(pod) == {"app": "debug"}
	k8s.pod_labels(deployment) == {"app": "web", "tier": "front"}
	k8s.pod_labels(cronjob) == {"app": "nightly"}
	k8s.pod_labels({"kind": "Deployment", "spec": {"template": {"metadata": {"labels": null}}}}) == {}
	k8s.pod_labels({"kind": "Deployment", "spec": {}}) == {}
}

test_containers_cover_all_lists_with_paths if {
	k8s.containers_of(deployment) == {
		{
			"container": {"name": "migrate", "image": "migrate:1"},
			"path": "/spec/template/spec/initContainers/0",
			"kind": "initContainers", "index": 0, "name": "migrate",
			"label": "init container \"migrate\"",
		},
		{
			"container": {"name": "web", "image": "web:1"},
			"path": "/spec/template/spec/containers/0",
			"kind": "containers", "index": 0, "name": "web",
			"label": "container \"web\"",
		},
		{
			"container": {"image": "sidecar:1"},
			"path": "/spec/template/spec/containers/1",
			"kind": "containers", "index": 1, "name": "",
			"label": "container #1",
		},
	}
}

test_containers_of_cronjob if {
	{x.path | some x in k8s.containers_of(cronjob)} == {"/spec/jobTemplate/spec/template/spec/containers/0"}
}

test_containers_tolerate_null_lists if {
	k8s.containers_of({"kind": "Pod", "spec": {"containers": null}}) == set()
	k8s.containers_of({"kind": "Pod", "spec": {"containers": [null]}}) == set()
	k8s.containers_of({"kind": "Deployment", "spec": {"template": null}}) == set()
}

test_regular_containers_exclude_init if {
	{x.name | some x in k8s.regular_containers_of(deployment)} == {"web", ""}
}

test_containers_shortcut_over_input if {
	{x.name | some x in k8s.containers} == {"job"} with input as cronjob
}

test_effective_security_container_overrides_pod if {
	xs := {x.name: x | some x in k8s.containers_of(pod)}
	k8s.effective_security(pod, xs.shell, "runAsUser") == 0
	k8s.effective_security_path(pod, xs.shell, "runAsUser") == "/spec/containers/0/securityContext/runAsUser"
	k8s.effective_security(pod, xs.other, "runAsUser") == 1000
	k8s.effective_security_path(pod, xs.other, "runAsUser") == "/spec/securityContext/runAsUser"
	not k8s.effective_security(pod, xs.other, "runAsNonRoot")
	k8s.effective_security_path(pod, xs.other, "runAsNonRoot") == "/spec/containers/1"
}

test_pointer_escapes_keys if {
	k8s.pointer(["metadata", "labels", "app.kubernetes.io/name"]) == "/metadata/labels/app.kubernetes.io~1name"
	k8s.pointer(["a~b", 3]) == "/a~0b/3"
	k8s.pointer([]) == ""
	k8s.escape_segment("a/~1") == "a~1~01"
	k8s.escape_segment("plain") == "plain"
	k8s.escape_segment(7) == "7"
}

test_nearest_path if {
	c := {"name": "web", "securityContext": {"capabilities": {}}}
	k8s.nearest_path(c, "/spec/containers/0", ["securityContext", "capabilities", "drop"]) == "/spec/containers/0/securityContext/capabilities"
	k8s.nearest_path(c, "/spec/containers/0", ["resources", "limits"]) == "/spec/containers/0"
	k8s.nearest_path(c, "/spec/containers/0", ["name"]) == "/spec/containers/0/name"
}

test_label_selector_match_labels if {
	k8s.label_selector_matches({"matchLabels": {"app": "web"}}, {"app": "web", "x": "y"})
	not k8s.label_selector_matches({"matchLabels": {"app": "web"}}, {"app": "api"})
	k8s.label_selector_matches({}, {"app": "web"})
	not k8s.label_selector_matches(null, {"app": "web"})
}

test_label_selector_match_expressions if {
	labels := {"app": "web", "tier": "front"}
	k8s.label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}, labels)
	not k8s.label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["back"]}]}, labels)
	k8s.label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["back"]}]}, labels)
	k8s.label_selector_matches({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, labels)
	not k8s.label_selector_matches({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, labels)
	k8s.label_selector_matches({"matchExpressions": [{"key": "app", "operator": "Exists"}]}, labels)
	not k8s.label_selector_matches({"matchExpressions": [{"key": "zone", "operator": "Exists"}]}, labels)
	k8s.label_selector_matches({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, labels)
	not k8s.label_selector_matches({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, labels)
	not k8s.label_selector_matches({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]}, labels)
}

test_map_selector if {
	k8s.map_selector_matches({"app": "web"}, {"app": "web", "tier": "front"})
	not k8s.map_selector_matches({"app": "web", "tier": "back"}, {"app": "web", "tier": "front"})
	not k8s.map_selector_matches({}, {"app": "web"})
}

test_same_namespace_treats_unset_as_equal if {
	k8s.same_namespace({"metadata": {"namespace": "a"}}, {"metadata": {"namespace": "a"}})
	k8s.same_namespace({"metadata": {}}, {"metadata": {"namespace": "a"}})
	k8s.same_namespace({"metadata": {"namespace": "a"}}, {"metadata": {}})
	not k8s.same_namespace({"metadata": {"namespace": "a"}}, {"metadata": {"namespace": "b"}})
}

test_api_group if {
	k8s.api_group({"apiVersion": "apps/v1"}) == "apps"
	k8s.api_group({"apiVersion": "v1"}) == ""
}

test_image_tag if {
	k8s.image_tag("nginx:1.25") == "1.25"
	k8s.image_tag("registry.local:5000/team/nginx:1.25") == "1.25"
	not k8s.image_tag("registry.local:5000/team/nginx")
	not k8s.image_tag("nginx@sha256:abc")
	k8s.image_tag("nginx:1.25@sha256:abc") == "1.25"
}

test_image_is_mutable if {
	k8s.image_is_mutable("nginx")
	k8s.image_is_mutable("nginx:latest")
	k8s.image_is_mutable("registry.local:5000/nginx")
	not k8s.image_is_mutable("nginx:1.25")
	not k8s.image_is_mutable("nginx@sha256:abc")
	not k8s.image_is_mutable("nginx:latest@sha256:abc")
	not k8s.image_is_mutable("")
}

test_is_production if {
	k8s.is_production("prod")
	k8s.is_production("Production")
	k8s.is_production("eu-prod")
	k8s.is_production("live")
	k8s.is_production("prd_us")
	not k8s.is_production("preprod")
	not k8s.is_production("staging")
	not k8s.is_production(null)
}

test_in_production_reads_context if {
	k8s.in_production with data.gitops_lint.context as {"target": {"path": "overlays/prod", "environment": "prod"}}
	not k8s.in_production with data.gitops_lint.context as {"target": {"path": "overlays/dev", "environment": "dev"}}
	not k8s.in_production
}

test_replicas_and_autoscalers if {
	d := {"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 3}}
	hpa := {
		"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "shop"},
		"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "maxReplicas": 5},
	}
	other := {
		"kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "other"},
		"spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 4, "maxReplicas": 9},
	}
	k8s.replicas(d) == 3
	k8s.replicas({"kind": "Deployment", "spec": {}}) == 1
	k8s.autoscalers_of(d) == {hpa} with input as {"resources": [d, hpa, other]}
	k8s.min_replicas(d) == 1 with input as {"resources": [d, hpa, other]}
	k8s.max_replicas(d) == 5 with input as {"resources": [d, hpa, other]}
	k8s.min_replicas(d) == 3 with input as {"resources": [d]}
}

test_volumes_of if {
	p := {"kind": "Pod", "spec": {"volumes": [{"name": "data", "emptyDir": {}}]}}
	k8s.volumes_of(p) == {{"volume": {"name": "data", "emptyDir": {}}, "path": "/spec/volumes/0", "name": "data"}}
}

test_ingress_backends_v1 if {
	ing := {"kind": "Ingress", "spec": {
		"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}},
		"rules": [{"http": {"paths": [
			{"path": "/", "backend": {"service": {"name": "api", "port": {"name": "http"}}}},
			{"path": "/s", "backend": {"resource": {"kind": "StorageBucket", "name": "b"}}},
		]}}],
	}}
	k8s.ingress_backends(ing) == {
		{"service": "web", "port": 80, "path": "/spec/defaultBackend/service/name", "port_path": "/spec/defaultBackend/service/port/number"},
		{"service": "api", "port": "http", "path": "/spec/rules/0/http/paths/0/backend/service/name", "port_path": "/spec/rules/0/http/paths/0/backend/service/port/name"},
	}
}

test_ingress_backends_v1beta1 if {
	ing := {"kind": "Ingress", "spec": {
		"backend": {"serviceName": "web", "servicePort": 80},
		"rules": [{"http": {"paths": [{"backend": {"serviceName": "api"}}]}}],
	}}
	k8s.ingress_backends(ing) == {
		{"service": "web", "port": 80, "path": "/spec/backend/serviceName", "port_path": "/spec/backend/servicePort"},
		{"service": "api", "port": null, "path": "/spec/rules/0/http/paths/0/backend/serviceName", "port_path": "/spec/rules/0/http/paths/0/backend/servicePort"},
	}
}

test_object_refs_of if {
	d := {"kind": "Deployment", "spec": {"template": {"spec": {
		"containers": [{
			"name": "web",
			"env": [
				{"name": "A", "value": "x"},
				{"name": "B", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "b"}}},
				{"name": "C", "valueFrom": {"secretKeyRef": {"name": "creds", "key": "c", "optional": true}}},
			],
			"envFrom": [{"secretRef": {"name": "more"}}, {"configMapRef": {"name": ""}}],
		}],
		"volumes": [
			{"name": "cfg", "configMap": {"name": "files"}},
			{"name": "tls", "secret": {"secretName": "cert"}},
			{"name": "all", "projected": {"sources": [{"configMap": {"name": "kube-root-ca.crt"}}, {"serviceAccountToken": {"path": "t"}}]}},
		],
	}}}}
	k8s.object_refs_of(d) == {
		{"kind": "ConfigMap", "name": "settings", "optional": false, "path": "/spec/template/spec/containers/0/env/1/valueFrom/configMapKeyRef/name", "where": `container "web"`},
		{"kind": "Secret", "name": "creds", "optional": true, "path": "/spec/template/spec/containers/0/env/2/valueFrom/secretKeyRef/name", "where": `container "web"`},
		{"kind": "Secret", "name": "more", "optional": false, "path": "/spec/template/spec/containers/0/envFrom/0/secretRef/name", "where": `container "web"`},
		{"kind": "ConfigMap", "name": "files", "optional": false, "path": "/spec/template/spec/volumes/0/configMap/name", "where": `volume "cfg"`},
		{"kind": "Secret", "name": "cert", "optional": false, "path": "/spec/template/spec/volumes/1/secret/secretName", "where": `volume "tls"`},
		{"kind": "ConfigMap", "name": "kube-root-ca.crt", "optional": false, "path": "/spec/template/spec/volumes/2/projected/sources/0/configMap/name", "where": `volume "all"`},
	}
}

test_template_selected_by_ignores_controller_labels if {
	sts := {"kind": "StatefulSet", "spec": {"template": {"metadata": {"labels": {"app": "redis"}}}}}
	k8s.template_selected_by_map({"app": "redis", "statefulset.kubernetes.io/pod-name": "redis-0"}, sts)
	not k8s.template_selected_by_map({"app": "other", "statefulset.kubernetes.io/pod-name": "redis-0"}, sts)
	not k8s.template_selected_by_map({}, sts)
	k8s.template_selected_by({"matchLabels": {"app": "redis", "controller-revision-hash": "abc"}}, sts)
	k8s.template_selected_by({"matchExpressions": [{"key": "statefulset.kubernetes.io/pod-name", "operator": "In", "values": ["redis-0"]}]}, sts)

	# a Deployment's pods never get the StatefulSet label
	d := {"kind": "Deployment", "spec": {"template": {"metadata": {"labels": {"app": "redis"}}}}}
	not k8s.template_selected_by_map({"app": "redis", "statefulset.kubernetes.io/pod-name": "redis-0"}, d)
	k8s.template_selected_by_map({"app": "redis", "pod-template-hash": "5d9c"}, d)
}

test_keda_scaled_object_bounds if {
	d := {"kind": "Deployment", "metadata": {"name": "worker"}, "spec": {"replicas": 2}}
	so := {"kind": "ScaledObject", "metadata": {"name": "worker"}, "spec": {"scaleTargetRef": {"name": "worker"}}}
	k8s.autoscalers_of(d) == {so} with input as {"resources": [d, so]}
	k8s.min_replicas(d) == 0 with input as {"resources": [d, so]}
	k8s.max_replicas(d) == 100 with input as {"resources": [d, so]}
}

test_workload_selector_matches_per_kind if {
	k8s.workload_selector_matches({"kind": "Deployment", "spec": {"selector": {"matchLabels": {"app": "a"}}}}, {"app": "a"})
	k8s.workload_selector_matches({"kind": "DeploymentConfig", "spec": {"selector": {"app": "a"}}}, {"app": "a"})
	not k8s.workload_selector_matches({"kind": "DeploymentConfig", "spec": {"selector": {"app": "a"}}}, {"app": "b"})
}

test_identity_defaults if {
	k8s.name({"metadata": {}}) == ""
	k8s.namespace({"metadata": {"namespace": null}}) == ""
	k8s.describe({"kind": "Service", "metadata": {"name": "web"}}) == `Service "web"`
}

test_in_target_treats_unset_namespace_as_equal if {
	resources := [
		{"kind": "ConfigMap", "metadata": {"name": "a", "namespace": "shop"}},
		{"kind": "ConfigMap", "metadata": {"name": "b"}},
	]
	k8s.in_target("ConfigMap", {"metadata": {"namespace": "shop"}}, "a") with input as {"resources": resources}
	k8s.in_target("ConfigMap", {"metadata": {"namespace": "other"}}, "b") with input as {"resources": resources}
	k8s.in_target("ConfigMap", {"metadata": {}}, "a") with input as {"resources": resources}
	not k8s.in_target("ConfigMap", {"metadata": {"namespace": "other"}}, "a") with input as {"resources": resources}
	not k8s.in_target("Secret", {"metadata": {"namespace": "shop"}}, "a") with input as {"resources": resources}
}

test_selected_templates_use_the_label_index if {
	web := {"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app": "web", "tier": "front"}}}}}
	db := {"kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app": "db"}}}}}
	owner := {"metadata": {"namespace": "shop"}}
	resources := [{"kind": "Service", "metadata": {"name": "x"}}, web, db]
	k8s.selected_templates(owner, {"matchLabels": {"app": "web"}}) == {1} with input as {"resources": resources}
	k8s.selected_templates(owner, {"matchExpressions": [{"key": "app", "operator": "Exists"}]}) == {1, 2} with input as {"resources": resources}
	k8s.selected_templates(owner, {}) == {1, 2} with input as {"resources": resources}
	k8s.selected_templates(owner, null) == set() with input as {"resources": resources}
	k8s.selected_templates_by_map(owner, {"app": "db", "statefulset.kubernetes.io/pod-name": "db-0"}) == {2} with input as {"resources": resources}
	k8s.selected_templates_by_map(owner, {"statefulset.kubernetes.io/pod-name": "db-0"}) == {2} with input as {"resources": resources}
	k8s.selected_templates_by_map(owner, {"app": "web", "tier": "back"}) == set() with input as {"resources": resources}
	k8s.selected_templates_by_map({"metadata": {"namespace": "other"}}, {"app": "web"}) == set() with input as {"resources": resources}
}

test_resource_missing_treats_zero_and_empty_as_unset if {
	k8s.resource_missing({}, ["resources", "limits", "cpu"])
	k8s.resource_missing({"resources": {"limits": {"cpu": "0"}}}, ["resources", "limits", "cpu"])
	k8s.resource_missing({"resources": {"limits": {"cpu": ""}}}, ["resources", "limits", "cpu"])
	not k8s.resource_missing({"resources": {"limits": {"cpu": "500m"}}}, ["resources", "limits", "cpu"])
}

test_resourced_containers_leave_out_ephemeral_ones if {
	pod := {"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": [{"name": "a"}], "ephemeralContainers": [{"name": "debug"}]}}
	{x.container.name | some x in k8s.resourced_containers} == {"a"} with input as pod
}
