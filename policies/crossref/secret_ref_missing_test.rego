package gitops_lint.target.secret_ref_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.secret_ref_missing as rule

pod_with(volume_secret) := fx.pod({
	"containers": [{"name": "a", "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "api-token", "key": "t"}}}]}],
	"volumes": [{"name": "tls", "secret": {"secretName": volume_secret}}],
})

test_fires_for_each_missing_reference if {
	p := pod_with("web-tls")
	rule.deny == {
		{
			"msg": `container "a" of Pod "debug" references Secret "api-token", which is neither in this target nor produced by a resource in it`,
			"path": "/spec/containers/0/env/0/valueFrom/secretKeyRef/name",
			"resource": p,
		},
		{
			"msg": `volume "tls" of Pod "debug" references Secret "web-tls", which is neither in this target nor produced by a resource in it`,
			"path": "/spec/volumes/0/secret/secretName",
			"resource": p,
		},
	} with input as fx.target([p], "dev")
}

test_fires_for_cronjob_env_from if {
	job := fx.cronjob({"containers": [{"name": "job", "envFrom": [{"secretRef": {"name": "db"}}]}]})
	rule.deny == {{
		"msg": `container "job" of CronJob "nightly" references Secret "db", which is neither in this target nor produced by a resource in it`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/envFrom/0/secretRef/name",
		"resource": job,
	}} with input as fx.target([job], "dev")
}

test_producers_satisfy_references if {
	p := pod_with("web-tls")
	external := {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret", "metadata": {"name": "api-token", "namespace": "shop"}, "spec": {}}
	cert := {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"secretName": "web-tls"}}
	count(rule.deny) == 0 with input as fx.target([p, external, cert], "dev")
}

test_producer_target_names if {
	p := pod_with("sealed-out")
	external := {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": {"name": "es"}, "spec": {"target": {"name": "api-token"}}}
	sealed := {"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": {"name": "ss", "namespace": "shop"}, "spec": {"template": {"metadata": {"name": "sealed-out"}}}}
	count(rule.deny) == 0 with input as fx.target([p, external, sealed], "dev")
}

test_producer_default_names_and_plain_secrets if {
	p := pod_with("sealed")
	sealed := {"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret", "metadata": {"name": "sealed", "namespace": "shop"}, "spec": {"encryptedData": {}}}
	count(rule.deny) == 0 with input as fx.target([p, sealed, fx.secret("api-token")], "dev")
}

test_producer_in_other_namespace_or_group_does_not_count if {
	p := pod_with("x")
	elsewhere := json.patch(fx.secret("api-token"), [{"op": "replace", "path": "/metadata/namespace", "value": "other"}])
	lookalike := {"apiVersion": "example.com/v1", "kind": "SealedSecret", "metadata": {"name": "x", "namespace": "shop"}}
	count(rule.deny) == 2 with input as fx.target([p, elsewhere, lookalike], "dev")
}

test_silent_for_optional_references if {
	p := fx.pod({"containers": [{"name": "a", "envFrom": [{"secretRef": {"name": "maybe", "optional": true}}]}]})
	count(rule.deny) == 0 with input as fx.target([p], "dev")
}

test_other_producers if {
	p := fx.pod({"containers": [{"name": "a", "envFrom": [
		{"secretRef": {"name": "from-cluster-es"}},
		{"secretRef": {"name": "op-item"}},
		{"secretRef": {"name": "vault-out"}},
	]}]})
	producers := [
		{"apiVersion": "external-secrets.io/v1beta1", "kind": "ClusterExternalSecret", "metadata": {"name": "ces"}, "spec": {"externalSecretName": "from-cluster-es"}},
		{"apiVersion": "onepassword.com/v1", "kind": "OnePasswordItem", "metadata": {"name": "op-item", "namespace": "shop"}},
		{"apiVersion": "secrets.hashicorp.com/v1beta1", "kind": "VaultStaticSecret", "metadata": {"name": "v", "namespace": "shop"}, "spec": {"destination": {"name": "vault-out"}}},
	]
	count(rule.deny) == 0 with input as fx.target(array.concat([p], producers), "dev")
	count(rule.deny) == 3 with input as fx.target([p], "dev")
}

test_cluster_external_secret_target_name_wins if {
	p := fx.pod({"containers": [{"name": "a", "envFrom": [{"secretRef": {"name": "target"}}]}]})
	ces := {"apiVersion": "external-secrets.io/v1beta1", "kind": "ClusterExternalSecret", "metadata": {"name": "ces"}, "spec": {"externalSecretName": "es", "externalSecretSpec": {"target": {"name": "target"}}}}
	count(rule.deny) == 0 with input as fx.target([p, ces], "dev")
}
