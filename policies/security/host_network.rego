# METADATA
# title: Pod shares the host network namespace
# description: >-
#   A pod on the host network sees every interface of the node, can bind its ports and reach
#   services listening on localhost, and bypasses NetworkPolicies. The Pod Security Standards
#   forbid it from the Baseline level up.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, host namespaces)
# custom:
#   id: host-network
#   severity: error
#   remediation: Remove hostNetwork from the pod spec, or set it to false.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["polaris:hostNetworkSet", "kube-linter:host-network"]
package gitops_lint.resource.host_network

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	k8s.pod_spec(input).hostNetwork == true
	result := {
		"msg": "pod shares the host's network namespace (hostNetwork: true)",
		"path": sprintf("%s/hostNetwork", [k8s.pod_spec_path(input)]),
	}
}
