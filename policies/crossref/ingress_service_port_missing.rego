# METADATA
# title: Ingress routes to a port its Service does not expose
# description: >-
#   An Ingress backend that names a port number or port name the Service (in the same target and
#   namespace) does not define cannot route traffic: the controller finds no endpoints for that
#   port and answers 503. A missing Service is reported by ingress-service-missing instead.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/services-networking/ingress/#the-ingress-resource
#     description: The Ingress resource
# custom:
#   id: ingress-service-port-missing
#   severity: warning
#   remediation: Use one of the Service's spec.ports (port number or name) in the Ingress backend.
#   kinds: [Ingress]
#   input: target
#   peers: ["kube-linter:dangling-ingress"]
package gitops_lint.target.ingress_service_port_missing

import data.gitops_lint.lib.kubernetes as k8s

exposes(svc, port) if {
	is_number(port)
	some p in k8s.as_array(svc.spec.ports)
	p.port == port
}

# The legacy servicePort may hold a number as a string.
exposes(svc, port) if {
	is_string(port)
	regex.match(`^[0-9]+$`, port)
	some p in k8s.as_array(svc.spec.ports)
	p.port == to_number(port)
}

exposes(svc, port) if {
	is_string(port)
	some p in k8s.as_array(svc.spec.ports)
	p.name == port
}

# services is [index, name] of every Service, for an indexed lookup by name.
services := [[i, k8s.name(r)] | some i, r in input.resources; r.kind == "Service"]

deny contains result if {
	some ing in input.resources
	ing.kind == "Ingress"
	some b in k8s.ingress_backends(ing)
	b.port != null
	wanted := b.service
	idxs := [i | some m; services[m][1] == wanted; i := services[m][0]]
	some i in idxs
	svc := input.resources[i]
	k8s.same_namespace(ing, svc)
	not exposes(svc, b.port)
	result := {
		"msg": sprintf("%s routes to port %v of Service %q, which does not expose it", [k8s.describe(ing), b.port, b.service]),
		"path": b.port_path,
		"resource": ing,
		"related": [svc],
	}
}
