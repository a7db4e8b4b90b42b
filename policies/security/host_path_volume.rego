# METADATA
# title: Pod mounts a hostPath volume
# description: >-
#   A hostPath volume exposes a file or directory of the node to the pod. Writable host paths
#   let a container tamper with the node or other pods; even read-only ones can leak credentials
#   and logs. The Pod Security Standards forbid hostPath from the Baseline level up.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
#     description: hostPath volumes
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, HostPath volumes)
# custom:
#   id: host-path-volume
#   severity: warning
#   remediation: >-
#     Use an emptyDir, a ConfigMap/Secret, or a PersistentVolumeClaim instead; node agents that
#     truly need host files belong in a dedicated, privileged namespace.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:hostPathSet"]
package gitops_lint.resource.host_path_volume

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	some v in k8s.volumes_of(input)
	is_object(v.volume.hostPath)
	result := {
		"msg": sprintf("volume %q mounts host path %q", [v.name, object.get(v.volume.hostPath, "path", "")]),
		"path": sprintf("%s/hostPath", [v.path]),
	}
}
