# METADATA
# title: Container image has no tag
# description: >-
#   An image reference without tag or digest means the latest tag, with the same problems: the
#   same manifest deploys different code over time and rollbacks do nothing. It is also easy to
#   miss in review because nothing in the manifest says latest.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
#     description: Image names and tags
# custom:
#   id: image-tag-missing
#   severity: warning
#   remediation: Pin the image to a version tag or a digest (kustomize's images transformer can set it per overlay).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:tagNotSpecified"]
package gitops_lint.resource.image_tag_missing

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.containers
	image := x.container.image
	is_string(image)
	image != ""
	not k8s.image_has_digest(image)
	not k8s.image_tag(image)
	result := {
		"msg": sprintf("%s uses image %q without a tag or digest", [x.label, image]),
		"path": sprintf("%s/image", [x.path]),
	}
}
