# METADATA
# title: Pod mounts the container runtime socket
# description: >-
#   A hostPath volume on the Docker, containerd or CRI-O socket (or the /run directory that
#   holds it) lets the pod start privileged containers on the node, which amounts to root on the
#   node and to every secret of the pods running there.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/storage/volumes/#hostpath
#     description: hostPath volumes
# custom:
#   id: docker-socket-mount
#   severity: error
#   remediation: >-
#     Remove the volume. Build images with a daemonless builder (BuildKit rootless, kaniko) and
#     query the runtime through the Kubernetes API instead.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["kube-linter:docker-sock"]
package gitops_lint.resource.docker_socket_mount

import data.gitops_lint.lib.kubernetes as k8s

runtime_sockets := {
	"/var/run/docker.sock",
	"/run/docker.sock",
	"/var/run/containerd/containerd.sock",
	"/run/containerd/containerd.sock",
	"/var/run/crio/crio.sock",
	"/run/crio/crio.sock",
	"/var/run/cri-dockerd.sock",
	"/var/run/dockershim.sock",
}

# Directories that contain one of the sockets.
socket_dirs := {"/var/run", "/run", "/var/run/containerd", "/run/containerd", "/var/run/crio", "/run/crio"}

normalised(p) := trim_right(p, "/") if p != "/"

dangerous(p) if normalised(p) in runtime_sockets

dangerous(p) if normalised(p) in socket_dirs

deny contains result if {
	some v in k8s.volumes_of(input)
	path := v.volume.hostPath.path
	is_string(path)
	dangerous(path)
	result := {
		"msg": sprintf("volume %q mounts the container runtime socket from host path %q", [v.name, path]),
		"path": sprintf("%s/hostPath/path", [v.path]),
	}
}
