# METADATA
# title: Service is exposed on every node (NodePort)
# description: >-
#   A NodePort Service opens the same port on every node of the cluster, often reachable from
#   outside, and bypasses the controls an Ingress or Gateway would apply (TLS, authentication,
#   rate limits). It is sometimes intended, hence the info severity.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport
#     description: Service type NodePort
# custom:
#   id: service-type-nodeport
#   severity: info
#   remediation: Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer Service if it must be reachable directly.
#   kinds: [Service]
package gitops_lint.resource.service_type_nodeport

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	input.kind == "Service"
	input.spec.type == "NodePort"
	result := {
		"msg": sprintf("%s has type NodePort", [k8s.describe(input)]),
		"path": "/spec/type",
	}
}
