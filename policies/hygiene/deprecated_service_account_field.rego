# METADATA
# title: Pod uses the deprecated serviceAccount field
# description: >-
#   spec.serviceAccount is a deprecated alias of serviceAccountName. When both are set and
#   differ, which one wins depends on the API server's defaulting, and patches that change only
#   one of them silently do nothing.
# related_resources:
#   - ref: https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/#security
#     description: PodSpec serviceAccountName and serviceAccount
# custom:
#   id: deprecated-service-account-field
#   severity: info
#   remediation: Replace serviceAccount with serviceAccountName.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["kube-linter:deprecated-service-account-field"]
package gitops_lint.resource.deprecated_service_account_field

import data.gitops_lint.lib.kubernetes as k8s

deny contains result if {
	account := k8s.pod_spec(input).serviceAccount
	is_string(account)
	account != ""
	result := {
		"msg": sprintf("pod sets the deprecated serviceAccount field (%q); use serviceAccountName", [account]),
		"path": sprintf("%s/serviceAccount", [k8s.pod_spec_path(input)]),
	}
}
