# METADATA
# title: Workload or Service is in the default namespace
# description: >-
#   A workload or Service that names the default namespace shares it with everything deployed
#   without thought, which defeats namespace-scoped RBAC, quotas and NetworkPolicies. Only an
#   explicit namespace "default" is reported: a rendered resource without namespace is normal in
#   GitOps repositories, where Flux (targetNamespace) or Argo CD (destination namespace) sets it
#   when applying, and the repository cannot tell where it lands.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/
#     description: Namespaces
# custom:
#   id: default-namespace
#   severity: warning
#   remediation: Give the workload its own namespace (kustomize's namespace field sets it for a whole overlay).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout, Service]
#   peers: ["kube-linter:use-namespace"]
package gitops_lint.resource.default_namespace

import data.gitops_lint.lib.kubernetes as k8s

applies if k8s.pod_bearing

applies if input.kind == "Service"

deny contains result if {
	applies
	input.metadata.namespace == "default"
	result := {
		"msg": sprintf("%s is in the default namespace", [k8s.describe(input)]),
		"path": "/metadata/namespace",
	}
}
