# METADATA
# title: Mutable image tag is not pulled Always
# description: >-
#   For an image referenced by a mutable tag (latest, or no tag), an imagePullPolicy of
#   IfNotPresent or Never makes every node keep running whatever version it pulled first, so
#   pods of one workload run different code depending on their node. Kubernetes defaults the
#   policy to Always for such images, so only an explicit other value is reported; images pinned
#   by version tag or digest are fine with any policy.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/containers/images/#image-pull-policy
#     description: Image pull policy
# custom:
#   id: image-pull-policy-not-always
#   severity: warning
#   remediation: Pin the image to a version tag or digest; failing that, set imagePullPolicy to Always.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
package gitops_lint.resource.image_pull_policy_not_always

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.containers
	k8s.image_is_mutable(x.container.image)
	policy := x.container.imagePullPolicy
	is_string(policy)
	policy != "Always"
	result := {
		"msg": sprintf("%s pulls mutable image %q with imagePullPolicy %s", [x.label, x.container.image, policy]),
		"path": sprintf("%s/imagePullPolicy", [x.path]),
	}
}
