# METADATA
# title: Pod sets custom SELinux options
# description: >-
#   Setting an SELinux user or role, or a type other than the container types (container_t,
#   container_init_t, container_kvm_t, container_engine_t), can place the container in a far
#   less confined SELinux domain such as spc_t. The Pod Security Standards (Baseline) forbid it.
#   Level (MCS category) settings are allowed.
# related_resources:
#   - ref: https://kubernetes.io/docs/concepts/security/pod-security-standards/
#     description: Pod Security Standards (Baseline, SELinux)
#   - ref: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/#assign-selinux-labels-to-a-container
#     description: Assign SELinux labels to a container
# custom:
#   id: selinux-custom-options
#   severity: warning
#   remediation: Remove seLinuxOptions.type, user and role, or use one of the container_* types.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
package gitops_lint.resource.selinux_custom_options

import data.gitops_lint.lib.kubernetes as k8s

allowed_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# Every place seLinuxOptions can be set: the pod and each container.
option_sets contains {"what": "pod", "options": opts, "path": sprintf("%s/securityContext/seLinuxOptions", [k8s.pod_spec_path(input)])} if {
	opts := k8s.pod_spec(input).securityContext.seLinuxOptions
	is_object(opts)
}

option_sets contains {"what": x.label, "options": opts, "path": sprintf("%s/securityContext/seLinuxOptions", [x.path])} if {
	some x in k8s.containers
	opts := x.container.securityContext.seLinuxOptions
	is_object(opts)
}

deny contains result if {
	some s in option_sets
	t := s.options.type
	is_string(t)
	not t in allowed_types
	result := {"msg": sprintf("%s sets SELinux type %q", [s.what, t]), "path": sprintf("%s/type", [s.path])}
}

deny contains result if {
	some s in option_sets
	some field in ["user", "role"]
	value := s.options[field]
	is_string(value)
	value != ""
	result := {"msg": sprintf("%s sets SELinux %s %q", [s.what, field, value]), "path": sprintf("%s/%s", [s.path, field])}
}
