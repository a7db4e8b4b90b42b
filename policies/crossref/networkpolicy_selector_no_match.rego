# METADATA
# title: NetworkPolicy selects no pods of its target
# description: >-
#   A NetworkPolicy whose podSelector matches the pod template of no workload in the same target
#   (and namespace) restricts nothing, so the traffic it was written to block flows freely.
#   Policies that select every pod (an empty podSelector) are skipped. Policies are often
#   written for pods deployed elsewhere, hence the info severity.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/network-policies/
#     description: Network Policies
# custom:
#   id: networkpolicy-selector-no-match
#   severity: info
#   remediation: Make spec.podSelector match the pod template labels of the workloads the policy is meant for.
#   kinds: [NetworkPolicy]
#   input: target
#   peers: ["kube-linter:dangling-networkpolicy"]
package gitops_lint.target.networkpolicy_selector_no_match

import data.gitops_lint.lib.kubernetes as k8s

selects_everything(selector) if {
	count(k8s.as_object(object.get(selector, "matchLabels", {}))) == 0
	count(k8s.as_array(object.get(selector, "matchExpressions", []))) == 0
}

deny contains result if {
	some np in input.resources
	np.kind == "NetworkPolicy"
	selector := np.spec.podSelector
	is_object(selector)
	not selects_everything(selector)
	count(k8s.selected_templates(np, selector)) == 0
	result := {
		"msg": sprintf("%s selects no pod template in this target", [k8s.describe(np)]),
		"path": "/spec/podSelector",
		"resource": np,
	}
}
