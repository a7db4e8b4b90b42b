package gitops_lint.target.configmap_ref_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.configmap_ref_missing as rule

web := fx.deployment({"containers": [{
	"name": "web",
	"env": [{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "mode"}}}],
	"envFrom": [{"configMapRef": {"name": "extra", "optional": true}}],
}]})

test_fires_for_missing_env_reference if {
	rule.deny == {{
		"msg": `container "web" of Deployment "web" references ConfigMap "settings", which is not in this target`,
		"path": "/spec/template/spec/containers/0/env/0/valueFrom/configMapKeyRef/name",
		"resource": web,
	}} with input as fx.target([web], "dev")
}

test_fires_for_volume_of_cronjob_and_other_namespace if {
	job := fx.cronjob({"containers": [{"name": "job"}], "volumes": [{"name": "cfg", "configMap": {"name": "files"}}]})
	elsewhere := json.patch(fx.configmap("files"), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	rule.deny == {{
		"msg": `volume "cfg" of CronJob "nightly" references ConfigMap "files", which is not in this target`,
		"path": "/spec/jobTemplate/spec/template/spec/volumes/0/configMap/name",
		"resource": job,
	}} with input as fx.target([job, elsewhere], "dev")
}

test_fires_for_projected_source if {
	p := fx.pod({"containers": [{"name": "a"}], "volumes": [{"name": "all", "projected": {"sources": [{"configMap": {"name": "bundle"}}]}}]})
	count(rule.deny) == 1 with input as fx.target([p], "dev")
}

test_silent_when_present_optional_or_cluster_provided if {
	p := fx.pod({"containers": [{"name": "a"}], "volumes": [
		{"name": "ca", "projected": {"sources": [{"configMap": {"name": "kube-root-ca.crt"}}]}},
		{"name": "opt", "configMap": {"name": "maybe", "optional": true}},
	]})
	unnamespaced := json.remove(fx.configmap("settings"), ["/metadata/namespace"])
	count(rule.deny) == 0 with input as fx.target([web, p, unnamespaced], "dev")
}
