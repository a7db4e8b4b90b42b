# METADATA
# title: Workload lacks the recommended app.kubernetes.io labels
# description: >-
#   The labels app.kubernetes.io/name (what the application is) and app.kubernetes.io/instance
#   (which installation of it) let dashboards, cost tools, kubectl and people group resources
#   without guessing. The other recommended labels (version, component, part-of, managed-by) are
#   optional here. Only the workload's own metadata.labels are checked.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/
#     description: Recommended labels
# custom:
#   id: recommended-labels
#   severity: info
#   remediation: >-
#     Add app.kubernetes.io/name and app.kubernetes.io/instance, for example with kustomize's
#     labels field (includeSelectors false, so existing selectors stay unchanged).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
package gitops_lint.resource.recommended_labels

import data.gitops_lint.lib.kubernetes as k8s

required := ["app.kubernetes.io/name", "app.kubernetes.io/instance"]

labels := k8s.as_object(object.get(input, ["metadata", "labels"], {}))

missing := [l | some l in required; not has_label(l)]

has_label(l) if {
	is_string(labels[l])
	labels[l] != ""
}

deny contains result if {
	k8s.pod_bearing
	count(missing) > 0
	result := {
		"msg": sprintf("%s has no %s label", [k8s.describe(input), concat(" or ", missing)]),
		"path": k8s.nearest_path(input, "", ["metadata", "labels"]),
	}
}
