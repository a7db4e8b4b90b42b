# METADATA
# title: Service selects no pods of its target
# description: >-
#   A Service whose selector matches the pod template labels of no workload in the same target
#   (and namespace) gets no endpoints, so every request to it fails. This usually follows a
#   label change on one side only, or a kustomize labels/commonLabels transformer applied to the
#   workload but not the Service. Services without selector (manual endpoints, ExternalName) are
#   skipped, and so are those that select the pods an operator creates for a custom resource of
#   the target (Prometheus, Alertmanager, ThanosRuler, CloudNativePG Cluster and Pooler, Zalando
#   postgresql, Strimzi Kafka, Elasticsearch, Kibana), on the labels the operator documents.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#defining-a-service
#     description: Defining a Service
# custom:
#   id: service-selector-no-match
#   severity: warning
#   remediation: >-
#     Make spec.selector match the pod template labels of the workload behind the Service, or
#     add that workload to the target.
#   kinds: [Service]
#   input: target
#   peers: ["kube-linter:dangling-service"]
package gitops_lint.target.service_selector_no_match

import data.gitops_lint.lib.kubernetes as k8s

selects_pods(svc) if count(k8s.selected_templates_by_map(svc, svc.spec.selector)) > 0

selects_pods(svc) if k8s.operator_selected_by_map(svc, svc.spec.selector)

deny contains result if {
	some svc in input.resources
	svc.kind == "Service"
	object.get(svc.spec, "type", "ClusterIP") != "ExternalName"
	is_object(svc.spec.selector)
	count(svc.spec.selector) > 0
	not selects_pods(svc)
	result := {
		"msg": sprintf("%s selects no pod template in this target (selector %s)", [
			k8s.describe(svc),
			concat(",", sort([sprintf("%s=%v", [k, v]) | some k, v in svc.spec.selector])),
		]),
		"path": "/spec/selector",
		"resource": svc,
	}
}
