# METADATA
# title: Container unmasks /proc
# description: >-
#   procMount Unmasked (or any value other than Default) disables the masking of sensitive /proc
#   paths that container runtimes apply, exposing kernel information and controls to the
#   container. The Pod Security Standards (Baseline) require the Default proc mount.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, /proc mount type)
# custom:
#   id: proc-mount-unmasked
#   severity: error
#   remediation: Remove securityContext.procMount or set it to Default.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:procMount", "kube-linter:unsafe-proc-mount"]
package gitops_lint.resource.proc_mount_unmasked

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some x in k8s.containers
	mount := x.container.securityContext.procMount
	is_string(mount)
	mount != "Default"
	result := {
		"msg": sprintf("%s sets procMount to %s", [x.label, mount]),
		"path": sprintf("%s/securityContext/procMount", [x.path]),
	}
}
