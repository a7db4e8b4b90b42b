# METADATA
# title: Pod uses a ServiceAccount that is not in its target
# description: >-
#   A pod whose serviceAccountName (or deprecated serviceAccount) names an account other than
#   default that no ServiceAccount of the target (in the pod's namespace) defines is rejected at
#   admission, so its controller never gets a pod running. The account may legitimately come
#   from elsewhere (another Flux Kustomization or Argo CD application, a Helm release), hence a
#   warning rather than an error.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/
#     description: Configure service accounts for pods
# custom:
#   id: service-account-missing
#   severity: warning
#   remediation: Add the ServiceAccount to the target, or fix the name in serviceAccountName.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   input: target
#   peers: ["kube-linter:non-existent-service-account"]
package gitops_lint.target.service_account_missing

import data.gitops_lint.lib.kubernetes as k8s

# account is the name the pod runs as and the field that sets it.
account(spec) := ["serviceAccountName", spec.serviceAccountName] if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := ["serviceAccount", spec.serviceAccount] if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
}

defined(obj, name) if k8s.in_target("ServiceAccount", obj, name)

deny contains result if {
	some r in input.resources
	[field, name] := account(k8s.pod_spec(r))
	name != "default"
	not defined(r, name)
	result := {
		"msg": sprintf("%s runs as ServiceAccount %q, which is not in this target", [k8s.describe(r), name]),
		"path": sprintf("%s/%s", [k8s.pod_spec_path(r), field]),
		"resource": r,
	}
}
