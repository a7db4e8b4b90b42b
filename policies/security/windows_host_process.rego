# METADATA
# title: Windows container runs as a HostProcess
# description: >-
#   A Windows HostProcess container runs directly on the host with access to its network,
#   filesystem and processes, the Windows equivalent of a privileged container. The Pod Security
#   Standards forbid it from the Baseline level up.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/create-hostprocess-pod/
#     description: Create a Windows HostProcess pod
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, HostProcess)
# custom:
#   id: windows-host-process
#   severity: error
#   remediation: Remove windowsOptions.hostProcess (pod and containers) or set it to false.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:hostProcess"]
package gitops_lint.resource.windows_host_process

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	k8s.pod_spec(input).securityContext.windowsOptions.hostProcess == true
	result := {
		"msg": "pod runs as a Windows HostProcess (windowsOptions.hostProcess: true)",
		"path": sprintf("%s/securityContext/windowsOptions/hostProcess", [k8s.pod_spec_path(input)]),
	}
}

deny contains result if {
	some x in k8s.containers
	x.container.securityContext.windowsOptions.hostProcess == true
	result := {
		"msg": sprintf("%s runs as a Windows HostProcess (windowsOptions.hostProcess: true)", [x.label]),
		"path": sprintf("%s/securityContext/windowsOptions/hostProcess", [x.path]),
	}
}
