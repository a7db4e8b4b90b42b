package gitops_lint.target.networkpolicy_selector_no_match_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.networkpolicy_selector_no_match as rule

policy(selector) := {
	"apiVersion": "networking.k8s.io/v1",
	"kind": "NetworkPolicy",
	"metadata": {"name": "deny-ingress", "namespace": "shop"},
	"spec": {"podSelector": selector, "policyTypes": ["Ingress"]},
}

web := fx.deployment({"containers": [{"name": "web"}]})

test_fires_when_no_pods_match if {
	np := policy({"matchLabels": {"app": "api"}})
	rule.deny == {{
		"msg": `NetworkPolicy "deny-ingress" selects no pod template in this target`,
		"path": "/spec/podSelector",
		"resource": np,
	}} with input as fx.target([web, np], "dev")
}

test_fires_for_expression_selector if {
	count(rule.deny) == 1 with input as fx.target([web, policy({"matchExpressions": [{"key": "app", "operator": "DoesNotExist"}]})], "dev")
}

test_silent_when_matching_or_selecting_everything if {
	count(rule.deny) == 0 with input as fx.target([web, policy({"matchLabels": {"app": "web"}})], "dev")
	count(rule.deny) == 0 with input as fx.target([policy({})], "dev")
	count(rule.deny) == 0 with input as fx.target([policy({"matchLabels": {}})], "dev")
}

test_silent_when_selecting_cronjob_pods if {
	count(rule.deny) == 0 with input as fx.target([fx.cronjob({"containers": [{"name": "job"}]}), policy({"matchLabels": {"app": "nightly"}})], "dev")
}
