# METADATA
# title: Container image uses the latest tag
# description: >-
#   The latest tag points at whatever was pushed last, so the same manifest deploys different
#   code over time, nodes run different versions side by side, and a rollback does not roll
#   anything back. Images pinned by digest are accepted even when they carry the latest tag.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/containers/images/#image-names
#     description: Image names and tags
#   - ref: https://kubernetes.io/docs/concepts/configuration/overview/#container-images
#     description: Configuration best practices (container images)
# custom:
#   id: image-tag-latest
#   severity: warning
#   remediation: Pin the image to a version tag or a digest (kustomize's images transformer can set it per overlay).
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:tagNotSpecified", "kube-linter:latest-tag"]
package gitops_lint.resource.image_tag_latest

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.containers
	image := x.container.image
	k8s.image_tag(image) == "latest"
	not k8s.image_has_digest(image)
	result := {
		"msg": sprintf("%s uses image %q with the latest tag", [x.label, image]),
		"path": sprintf("%s/image", [x.path]),
	}
}
