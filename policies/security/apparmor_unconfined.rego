# METADATA
# title: Container runs without AppArmor
# description: >-
#   An appArmorProfile of type Unconfined, or the container.apparmor.security.beta.kubernetes.io
#   annotation set to "unconfined", switches off the AppArmor confinement that the runtime
#   applies by default. The Pod Security Standards (Baseline) forbid overriding the default to
#   unconfined.
# related_resources:
#   - ref: https://kubernetes.io/docs/tutorials/security/apparmor/
#     description: Restrict a container's access to resources with AppArmor
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, AppArmor)
# custom:
#   id: apparmor-unconfined
#   severity: error
#   remediation: Remove the Unconfined profile, or set appArmorProfile.type to RuntimeDefault or a Localhost profile.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
package gitops_lint.resource.apparmor_unconfined

import data.gitops_lint.lib.kubernetes as k8s

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

deny contains result if {
	some x in k8s.containers
	k8s.effective_security(input, x, "appArmorProfile").type == "Unconfined"
	result := {
		"msg": sprintf("%s runs with AppArmor profile Unconfined", [x.label]),
		"path": sprintf("%s/type", [k8s.effective_security_path(input, x, "appArmorProfile")]),
	}
}

deny contains result if {
	some key, value in k8s.pod_annotations(input)
	startswith(key, annotation_prefix)
	value == "unconfined"
	result := {
		"msg": sprintf("container %q runs with AppArmor unconfined (annotation %s)", [substring(key, count(annotation_prefix), -1), key]),
		"path": sprintf("%s/annotations/%s", [k8s.pod_metadata_path(input), k8s.escape_segment(key)]),
	}
}
