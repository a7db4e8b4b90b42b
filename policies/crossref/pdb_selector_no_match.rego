# METADATA
# title: PodDisruptionBudget selects no pods of its target
# description: >-
#   A PodDisruptionBudget whose selector matches the pod template of no workload in the same
#   target (and namespace) protects nothing: the workload it was written for can be drained all
#   at once. A budget without selector selects no pods either. A budget that selects the pods an
#   operator creates for a custom resource of the target (Prometheus, Alertmanager, CloudNativePG
#   and the others service-selector-no-match knows) is not reported.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/run-application/configure-pdb/
#     description: Specifying a disruption budget for your application
# custom:
#   id: pdb-selector-no-match
#   severity: warning
#   remediation: Make spec.selector match the pod template labels of the workload the budget protects.
#   kinds: [PodDisruptionBudget]
#   input: target
package gitops_lint.target.pdb_selector_no_match

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some pdb in input.resources
	pdb.kind == "PodDisruptionBudget"
	selector := object.get(pdb, ["spec", "selector"], null)
	count(k8s.selected_templates(pdb, selector)) == 0
	not k8s.operator_selected_by(pdb, selector)
	result := {
		"msg": sprintf("%s selects no pod template in this target", [k8s.describe(pdb)]),
		"path": k8s.nearest_path(pdb, "", ["spec", "selector"]),
		"resource": pdb,
	}
}
