# METADATA
# title: Workload selector does not match its pod template
# description: >-
#   A controller whose spec.selector does not select the labels of its own pod template is
#   rejected by the API server (apps/v1) or, for older kinds, never sees the pods it creates. In
#   kustomize this typically follows a labels or commonLabels change applied to one side only.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#selector
#     description: Deployment selector
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors
#     description: Label selectors
# custom:
#   id: workload-selector-mismatch
#   severity: error
#   remediation: Make spec.selector select the labels in spec.template.metadata.labels.
#   kinds: [Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, DeploymentConfig, Rollout]
#   peers: ["kube-linter:mismatching-selector"]
package gitops_lint.resource.workload_selector_mismatch

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	input.kind in (k8s.replicated_kinds | {"DaemonSet"})
	is_object(input.spec.selector)
	is_object(input.spec.template)
	labels := k8s.pod_labels(input)
	not k8s.workload_selector_matches(input, labels)
	result := {
		"msg": sprintf("%s selector does not match its pod template labels", [k8s.describe(input)]),
		"path": "/spec/selector",
	}
}
