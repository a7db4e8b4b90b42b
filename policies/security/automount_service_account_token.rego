# METADATA
# title: Pod mounts a service account token it may not need
# description: >-
#   Unless automountServiceAccountToken is false on the pod, or on its ServiceAccount in the
#   same target, Kubernetes mounts an API token into every container. Most applications never
#   call the API, and a stolen token gives an attacker whatever RBAC grants the account. A pod
#   that sets the field to true is reported even when its ServiceAccount disables it, since the
#   pod setting wins.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting
#     description: Opt out of API credential automounting
# custom:
#   id: automount-service-account-token
#   severity: warning
#   remediation: >-
#     Set automountServiceAccountToken to false in the pod spec (or on the ServiceAccount), and
#     mount a projected token only in pods that call the Kubernetes API.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   input: target
#   peers: ["polaris:automountServiceAccountToken"]
package gitops_lint.target.automount_service_account_token

import data.gitops_lint.lib.kubernetes as k8s

account_name(spec) := n if {
	n := spec.serviceAccountName
	is_string(n)
	n != ""
} else := n if {
	n := spec.serviceAccount
	is_string(n)
	n != ""
} else := "default"

disabling_accounts := k8s.name_index({[k8s.namespace(sa), k8s.name(sa)] |
	some sa in input.resources
	sa.kind == "ServiceAccount"
	sa.automountServiceAccountToken == false
})

account_disables_token(r, account) if k8s.name_available(disabling_accounts, r, account)

deny contains result if {
	some r in input.resources
	spec := k8s.pod_spec(r)
	spec.automountServiceAccountToken == true
	result := {
		"msg": sprintf("%s mounts a service account token (automountServiceAccountToken: true)", [k8s.describe(r)]),
		"path": sprintf("%s/automountServiceAccountToken", [k8s.pod_spec_path(r)]),
		"resource": r,
	}
}

deny contains result if {
	some r in input.resources
	spec := k8s.pod_spec(r)
	not spec.automountServiceAccountToken == true
	not spec.automountServiceAccountToken == false
	account := account_name(spec)
	not account_disables_token(r, account)
	result := {
		"msg": sprintf("%s mounts the token of service account %q: automountServiceAccountToken is false on neither the pod nor the ServiceAccount", [k8s.describe(r), account]),
		"path": k8s.pod_spec_path(r),
		"resource": r,
	}
}
