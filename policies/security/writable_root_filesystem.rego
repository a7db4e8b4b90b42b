# METADATA
# title: Container root filesystem is writable
# description: >-
#   Unless readOnlyRootFilesystem is true, an attacker who gets code execution in the container
#   can modify its binaries and configuration or drop tools. A read-only root filesystem with
#   emptyDir volumes for scratch space closes that door. Windows pods are exempt.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/
#     description: Configure a security context for a pod or container
# custom:
#   id: writable-root-filesystem
#   severity: warning
#   remediation: >-
#     Set securityContext.readOnlyRootFilesystem to true on the container and mount emptyDir
#     volumes where it needs to write.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:notReadOnlyRootFilesystem", "kube-linter:no-read-only-root-fs"]
package gitops_lint.resource.writable_root_filesystem

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	not k8s.is_windows(input)
	some x in k8s.containers
	not x.container.securityContext.readOnlyRootFilesystem == true
	result := {
		"msg": sprintf("%s does not have a read-only root filesystem (readOnlyRootFilesystem is not true)", [x.label]),
		"path": k8s.nearest_path(x.container, x.path, ["securityContext", "readOnlyRootFilesystem"]),
	}
}
