# Resource builders shared by the rule tests. The file ends in _test.rego so that
# it is loaded with the tests only, never with the policies themselves.
package gitops_lint.lib.fixtures

labels := {"app": "web"}

deployment(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "web", "namespace": "shop"},
	"spec": {
		"replicas": 2,
		"selector": {"matchLabels": labels},
		"template": {"metadata": {"labels": labels}, "spec": pod_spec},
	},
}

statefulset(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "db", "namespace": "shop"},
	"spec": {
		"replicas": 2,
		"selector": {"matchLabels": {"app": "db"}},
		"template": {"metadata": {"labels": {"app": "db"}}, "spec": pod_spec},
	},
}

daemonset(pod_spec) := {
	"apiVersion": "apps/v1",
	"kind": "DaemonSet",
	"metadata": {"name": "agent", "namespace": "shop"},
	"spec": {
		"selector": {"matchLabels": {"app": "agent"}},
		"template": {"metadata": {"labels": {"app": "agent"}}, "spec": pod_spec},
	},
}

job(pod_spec) := {
	"apiVersion": "batch/v1",
	"kind": "Job",
	"metadata": {"name": "migrate", "namespace": "shop"},
	"spec": {"template": {"metadata": {"labels": {"app": "migrate"}}, "spec": pod_spec}},
}

cronjob(pod_spec) := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "nightly", "namespace": "shop"},
	"spec": {
		"schedule": "0 3 * * *",
		"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "nightly"}}, "spec": pod_spec}}},
	},
}

pod(pod_spec) := {
	"apiVersion": "v1",
	"kind": "Pod",
	"metadata": {"name": "debug", "namespace": "shop", "labels": {"app": "debug"}},
	"spec": pod_spec,
}

service(name, selector, ports) := {
	"apiVersion": "v1",
	"kind": "Service",
	"metadata": {"name": name, "namespace": "shop"},
	"spec": {"selector": selector, "ports": ports},
}

configmap(name) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "shop"}}

secret(name) := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "shop"}}

service_account(name) := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "shop"}}

pdb(name, spec) := {
	"apiVersion": "policy/v1",
	"kind": "PodDisruptionBudget",
	"metadata": {"name": name, "namespace": "shop"},
	"spec": spec,
}

hpa(name, target, min, max) := {
	"apiVersion": "autoscaling/v2",
	"kind": "HorizontalPodAutoscaler",
	"metadata": {"name": name, "namespace": "shop"},
	"spec": {
		"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
		"minReplicas": min,
		"maxReplicas": max,
	},
}

# target wraps resources into the per-target input of an overlay.
target(resources, environment) := {
	"resources": resources,
	"target": {"path": sprintf("overlays/%s", [environment]), "environment": environment, "files": []},
}

# context is data.gitops_lint.context for a per-resource rule.
context(environment) := {
	"target": {"path": sprintf("overlays/%s", [environment]), "environment": environment},
	"source": {"file": sprintf("overlays/%s/kustomization.yaml", [environment]), "line": 1},
}
