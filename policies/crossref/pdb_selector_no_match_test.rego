package gitops_lint.target.pdb_selector_no_match_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.target.pdb_selector_no_match as rule

web := fx.deployment({"containers": [{"name": "web"}]})

test_fires_when_nothing_matches if {
	pdb := fx.pdb("api", {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "api"}}})
	rule.deny == {{
		"msg": `PodDisruptionBudget "api" selects no pod template in this target`,
		"path": "/spec/selector",
		"resource": pdb,
	}} with input as fx.target([web, pdb], "dev")
}

test_fires_without_selector if {
	pdb := fx.pdb("web", {"maxUnavailable": 1})
	rule.deny == {{
		"msg": `PodDisruptionBudget "web" selects no pod template in this target`,
		"path": "/spec",
		"resource": pdb,
	}} with input as fx.target([web, pdb], "dev")
}

test_silent_when_matching if {
	pdb := fx.pdb("web", {"maxUnavailable": 1, "selector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "api"]}]}})
	sts := fx.pdb("db", {"minAvailable": 1, "selector": {"matchLabels": {"app": "db"}}})
	count(rule.deny) == 0 with input as fx.target([web, fx.statefulset({"containers": [{"name": "db"}]}), pdb, sts], "dev")
}

test_silent_when_selecting_pod_or_cronjob_templates if {
	for_pod := fx.pdb("debug", {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "debug"}}})
	for_job := fx.pdb("nightly", {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "nightly"}}})
	count(rule.deny) == 0 with input as fx.target([fx.pod({"containers": [{"name": "a"}]}), fx.cronjob({"containers": [{"name": "job"}]}), for_pod, for_job], "dev")
}

test_silent_for_pods_an_operator_creates if {
	am := {"apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager", "metadata": {"name": "main", "namespace": "shop"}}
	pdb := fx.pdb("alertmanager", {"maxUnavailable": 1, "selector": {"matchLabels": {"alertmanager": "main"}}})
	pg := {"apiVersion": "postgresql.cnpg.io/v1", "kind": "Cluster", "metadata": {"name": "db", "namespace": "shop"}}
	replicas := fx.pdb("db", {"maxUnavailable": 1, "selector": {"matchLabels": {"cnpg.io/cluster": "db"}, "matchExpressions": [{"key": "cnpg.io/instanceRole", "operator": "In", "values": ["replica"]}]}})
	count(rule.deny) == 0 with input as fx.target([am, pdb, pg, replicas], "dev")
}

test_fires_when_no_operator_resource_matches if {
	am := {"apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager", "metadata": {"name": "main", "namespace": "shop"}}
	pdb := fx.pdb("alertmanager", {"maxUnavailable": 1, "selector": {"matchLabels": {"alertmanager": "other"}}})
	count(rule.deny) == 1 with input as fx.target([am, pdb], "dev")
}
