# METADATA
# title: Autoscaler targets a workload that is not in its target
# description: >-
#   A HorizontalPodAutoscaler whose scaleTargetRef (kind and name, in the same namespace) names
#   no resource of the target scales nothing; the workload it was meant for runs at its static
#   replica count. Renamed workloads and kustomize namePrefix/nameSuffix applied without a
#   matching reference update are the usual causes.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/
#     description: Horizontal Pod Autoscaling
# custom:
#   id: hpa-target-missing
#   severity: warning
#   remediation: Point spec.scaleTargetRef at the workload's kind and rendered name, or add the workload to the target.
#   kinds: [HorizontalPodAutoscaler]
#   input: target
#   peers: ["kube-linter:dangling-horizontalpodautoscaler"]
package gitops_lint.target.hpa_target_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some hpa in input.resources
	hpa.kind == "HorizontalPodAutoscaler"
	ref := hpa.spec.scaleTargetRef
	is_string(ref.name)
	not k8s.in_target(object.get(ref, "kind", ""), hpa, ref.name)
	result := {
		"msg": sprintf("%s targets %s %q, which is not in this target", [k8s.describe(hpa), object.get(ref, "kind", ""), ref.name]),
		"path": "/spec/scaleTargetRef/name",
		"resource": hpa,
	}
}
