package gitops_lint.resource.host_port_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.host_port as rule

test_fires_per_host_port if {
	rule.deny == {{"msg": `container "web" binds host port 8080`, "path": "/spec/template/spec/containers/0/ports/1/hostPort"}} with input as fx.deployment({"containers": [{"name": "web", "ports": [{"containerPort": 9090}, {"containerPort": 80, "hostPort": 8080}]}]})
}

test_fires_for_cronjob if {
	rule.deny == {{
		"msg": `container "job" binds host port 53`,
		"path": "/spec/jobTemplate/spec/template/spec/containers/0/ports/0/hostPort",
	}} with input as fx.cronjob({"containers": [{"name": "job", "ports": [{"containerPort": 53, "hostPort": 53}]}]})
}

test_silent_without_host_port if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [{"name": "a", "ports": [{"containerPort": 80}, {"containerPort": 81, "hostPort": 0}]}]})
}
