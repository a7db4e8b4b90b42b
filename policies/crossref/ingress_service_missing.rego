# METADATA
# title: Ingress routes to a Service that is not in its target
# description: >-
#   An Ingress backend that names a Service absent from the target (in the Ingress namespace)
#   answers 503 or 404 for its paths once applied. Typical causes are a renamed Service, or a
#   kustomize namePrefix/nameSuffix that renamed the Service but cannot rewrite the Ingress
#   reference without a configuration entry.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
#     description: The Ingress resource
# custom:
#   id: ingress-service-missing
#   severity: warning
#   remediation: Point the backend at the Service's rendered name, or add the Service to the target.
#   kinds: [Ingress]
#   input: target
#   peers: ["kube-linter:dangling-ingress"]
package gitops_lint.target.ingress_service_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some ing in input.resources
	ing.kind == "Ingress"
	some b in k8s.ingress_backends(ing)
	not k8s.in_target("Service", ing, b.service)
	result := {
		"msg": sprintf("%s routes to Service %q, which is not in this target", [k8s.describe(ing), b.service]),
		"path": b.path,
		"resource": ing,
	}
}
