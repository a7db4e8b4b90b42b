# METADATA
# title: Pod references a ConfigMap that is not in its target
# description: >-
#   A pod that reads a ConfigMap through env valueFrom, envFrom, a configMap volume or a
#   projected volume source, when no ConfigMap of that name exists in the target (in the pod's
#   namespace), does not start (CreateContainerConfigError, or volume mounts that never
#   complete). References marked optional: true are skipped, and so are the ConfigMaps the
#   cluster creates in every namespace (kube-root-ca.crt, openshift-service-ca.crt).
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/configuration/configmap/#using-configmaps
#     description: Using ConfigMaps
# custom:
#   id: configmap-ref-missing
#   severity: warning
#   remediation: >-
#     Add the ConfigMap (or its configMapGenerator) to the target, fix the name, or mark the
#     reference optional if the pod can run without it.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   input: target
package gitops_lint.target.configmap_ref_missing

import data.gitops_lint.lib.kubernetes as k8s

cluster_provided := {"kube-root-ca.crt", "openshift-service-ca.crt"}

available(obj, name) if k8s.in_target("ConfigMap", obj, name)

deny contains result if {
	some r in input.resources
	k8s.is_pod_bearing(r)
	some ref in k8s.object_refs_of(r)
	ref.kind == "ConfigMap"
	not ref.optional
	not ref.name in cluster_provided
	not available(r, ref.name)
	result := {
		"msg": sprintf("%s of %s references ConfigMap %q, which is not in this target", [ref.where, k8s.describe(r), ref.name]),
		"path": ref.path,
		"resource": r,
	}
}
