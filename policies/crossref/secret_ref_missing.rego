# METADATA
# title: Pod references a Secret that is neither in its target nor produced there
# description: >-
#   A pod that reads a Secret through env valueFrom, envFrom, a secret volume or a projected
#   volume source does not start when the Secret never appears. A reference counts as satisfied
#   by a Secret in the target (in the pod's namespace) or by a resource of the target that
#   produces one: an ExternalSecret (external-secrets.io; spec.target.name, defaulting to its
#   name), a ClusterExternalSecret, a SealedSecret (bitnami.com; spec.template.metadata.name,
#   defaulting to its name), a cert-manager Certificate (spec.secretName), a 1Password
#   OnePasswordItem, or a Vault Secrets Operator VaultStaticSecret, VaultDynamicSecret or
#   VaultPKISecret (spec.destination.name). References marked optional: true are skipped;
#   imagePullSecrets are not checked.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/secret/#using-a-secret
#     description: Using Secrets
#   - ref: https://external-secrets.io/latest/api/externalsecret/
#     description: ExternalSecret target
#   - ref: https://github.com/bitnami-labs/sealed-secrets#sealedsecrets-as-templates-for-secrets
#     description: SealedSecret templates
# custom:
#   id: secret-ref-missing
#   severity: warning
#   remediation: >-
#     Add the Secret's producer (ExternalSecret, SealedSecret, secretGenerator, ...) to the
#     target, fix the name, or mark the reference optional if the pod can run without it.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   input: target
package gitops_lint.target.secret_ref_missing

import data.gitops_lint.lib.kubernetes as k8s

# non_empty(x, default) is x when it is a non-empty string, else default.
non_empty(x, default_value) := x if {
	is_string(x)
	x != ""
} else := default_value

# secret_name is the name of the Secret a resource is or produces.
secret_name(r) := k8s.name(r) if r.kind == "Secret"

secret_name(r) := non_empty(object.get(r, ["spec", "target", "name"], ""), k8s.name(r)) if {
	r.kind == "ExternalSecret"
	k8s.api_group(r) == "external-secrets.io"
}

secret_name(r) := non_empty(
	object.get(r, ["spec", "externalSecretSpec", "target", "name"], ""),
	non_empty(object.get(r, ["spec", "externalSecretName"], ""), k8s.name(r)),
) if {
	r.kind == "ClusterExternalSecret"
	k8s.api_group(r) == "external-secrets.io"
}

secret_name(r) := non_empty(object.get(r, ["spec", "template", "metadata", "name"], ""), k8s.name(r)) if {
	r.kind == "SealedSecret"
	k8s.api_group(r) == "bitnami.com"
}

secret_name(r) := r.spec.secretName if {
	r.kind == "Certificate"
	k8s.api_group(r) == "cert-manager.io"
}

secret_name(r) := k8s.name(r) if {
	r.kind == "OnePasswordItem"
	k8s.api_group(r) == "onepassword.com"
}

secret_name(r) := r.spec.destination.name if {
	r.kind in {"VaultStaticSecret", "VaultDynamicSecret", "VaultPKISecret"}
	k8s.api_group(r) == "secrets.hashicorp.com"
}

provided := k8s.name_index({[k8s.namespace(r), secret_name(r)] | some r in input.resources})

available(obj, name) if k8s.name_available(provided, obj, name)

deny contains result if {
	some r in input.resources
	k8s.is_pod_bearing(r)
	some ref in k8s.object_refs_of(r)
	ref.kind == "Secret"
	not ref.optional
	not available(r, ref.name)
	result := {
		"msg": sprintf("%s of %s references Secret %q, which is neither in this target nor produced by a resource in it", [ref.where, k8s.describe(r), ref.name]),
		"path": ref.path,
		"resource": r,
	}
}
