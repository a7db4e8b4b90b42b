package gitops_lint.resource.workload_selector_mismatch_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.workload_selector_mismatch as rule

test_fires_when_template_has_other_labels if {
	rule.deny == {{"msg": `Deployment "web" selector does not match its pod template labels`, "path": "/spec/selector"}} with input as json.patch(fx.deployment({"containers": [{"name": "web"}]}), [{"op": "replace", "path": "/spec/template/metadata/labels", "value": {"app": "api"}}])
}

test_fires_when_template_has_no_labels if {
	count(rule.deny) == 1 with input as json.remove(fx.statefulset({"containers": [{"name": "db"}]}), ["/spec/template/metadata"])
}

test_fires_for_equality_selector_of_replication_controller if {
	rc := {"kind": "ReplicationController", "metadata": {"name": "rc"}, "spec": {"selector": {"app": "a"}, "template": {"metadata": {"labels": {"app": "b"}}}}}
	count(rule.deny) == 1 with input as rc
}

test_silent_when_selector_matches if {
	count(rule.deny) == 0 with input as fx.deployment({"containers": [{"name": "web"}]})
	count(rule.deny) == 0 with input as json.patch(fx.daemonset({"containers": [{"name": "agent"}]}), [{"op": "replace", "path": "/spec/selector", "value": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}}])
}

test_silent_without_selector if {
	count(rule.deny) == 0 with input as json.remove(fx.deployment({"containers": [{"name": "web"}]}), ["/spec/selector"])
	count(rule.deny) == 0 with input as fx.cronjob({"containers": [{"name": "job"}]})
}

test_silent_for_rollout_with_workload_ref if {
	rollout := {
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": {"name": "web"},
		"spec": {"selector": {"matchLabels": {"app": "web"}}, "workloadRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}},
	}
	count(rule.deny) == 0 with input as rollout
}
