# METADATA
# title: Container defines an environment variable twice
# description: >-
#   When env lists the same name twice, the last entry silently wins. That usually comes from a
#   patch that meant to replace a value but appended one, and the container runs with a value
#   nobody intended.
# related_resources:
#   - ref: https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/
#     description: Define environment variables for a container
# custom:
#   id: duplicate-env-var
#   severity: warning
#   remediation: Remove the duplicate entry, or merge the patch so that it replaces the existing one.
#   kinds: [Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job, CronJob, DeploymentConfig, Rollout]
#   peers: ["kube-linter:duplicate-env-var"]
package gitops_lint.resource.duplicate_env_var

import data.gitops_lint.lib.kubernetes as k8s

# Every later occurrence of a name is reported; values never appear in messages.
deny contains result if {
	some x in k8s.containers
	env := k8s.as_array(x.container.env)
	some j, later in env
	some i, earlier in env
	i < j
	is_string(later.name)
	earlier.name == later.name
	not earlier_duplicate(env, i, later.name)
	result := {
		"msg": sprintf("%s defines environment variable %s more than once (entries %d and %d)", [x.label, later.name, i, j]),
		"path": sprintf("%s/env/%d/name", [x.path, j]),
	}
}

# earlier_duplicate holds when the first match at index i is not the first occurrence.
earlier_duplicate(env, i, name) if {
	some k, e in env
	k < i
	e.name == name
}
