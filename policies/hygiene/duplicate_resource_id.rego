# METADATA
# title: Two resources of a target share an identity
# description: >-
#   Two rendered resources with the same API group, kind, namespace and name are the same object
#   to the cluster: whichever is applied last wins, and GitOps tools report endless drift or
#   refuse to sync. Kustomize accepts the pair when the versions differ (apps/v1 and
#   apps/v1beta2) and plain manifest directories never check. One finding per object, at its
#   second occurrence, names every other place that defines it.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/
#     description: Object names and IDs
# custom:
#   id: duplicate-resource-id
#   severity: error
#   remediation: Remove one of the copies, or rename or re-namespace it so each object is unique.
#   input: target
package gitops_lint.target.duplicate_resource_id

import data.gitops_lint.lib.kubernetes as k8s

identity(r) := concat("/", [k8s.api_group(r), r.kind, k8s.namespace(r), k8s.name(r)])

identities := [identity(r) | some r in input.resources]

deny contains result if {
	some j, later in input.resources
	k8s.name(later) != ""
	id := identities[j]

	# indexed by OPA on id: one pass over the target, not one per resource
	same := [i | some i; identities[i] == id]

	# once per object, at the first copy; the others are related
	count(same) > 1
	same[1] == j
	result := {
		"msg": sprintf("%s is defined %d times in this target", [k8s.describe(later), count(same)]),
		"path": "/metadata/name",
		"resource": later,
		"related": [input.resources[i] | some i in same; i != j],
		# the copies share an identity: positions tell the engine which is where
		"index": j,
		"related_indexes": [i | some i in same; i != j],
	}
}
