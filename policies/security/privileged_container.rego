# METADATA
# title: Container runs privileged
# description: >-
#   A privileged container has every capability of the host and can reach its devices, so
#   escaping to the node is trivial. The Pod Security Standards forbid it from the Baseline
#   level up.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, privileged containers)
# custom:
#   id: privileged-container
#   severity: error
#   remediation: Set securityContext.privileged to false, or remove it.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:runAsPrivileged", "kube-linter:privileged-container"]
package gitops_lint.resource.privileged_container

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.containers
	x.container.securityContext.privileged == true
	result := {
		"msg": sprintf("%s runs privileged", [x.label]),
		"path": sprintf("%s/securityContext/privileged", [x.path]),
	}
}
