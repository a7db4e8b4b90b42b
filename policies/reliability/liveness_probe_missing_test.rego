package gitops_lint.resource.liveness_probe_missing_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.liveness_probe_missing as rule

probe := {"httpGet": {"path": "/healthz", "port": 8080}}

test_fires_for_container_without_probe if {
	rule.deny == {{"msg": `container "sidecar" has no liveness probe`, "path": "/spec/template/spec/containers/1"}} with input as fx.deployment({
		"initContainers": [{"name": "init"}],
		"containers": [{"name": "web", "livenessProbe": probe}, {"name": "sidecar"}],
	})
}

test_fires_for_pod if {
	rule.deny == {{"msg": `container "a" has no liveness probe`, "path": "/spec/containers/0"}} with input as fx.pod({"containers": [{"name": "a", "livenessProbe": null}]})
}

test_silent_with_probe if {
	count(rule.deny) == 0 with input as fx.statefulset({"containers": [{"name": "db", "livenessProbe": {"exec": {"command": ["true"]}}}]})
}

test_silent_for_jobs_and_cronjobs if {
	count(rule.deny) == 0 with input as fx.cronjob({"containers": [{"name": "job"}]})
	count(rule.deny) == 0 with input as fx.job({"containers": [{"name": "job"}]})
}
