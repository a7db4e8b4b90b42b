package gitops_lint.resource.host_path_volume_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.host_path_volume as rule

test_fires_per_host_path_volume if {
	rule.deny == {{"msg": `volume "logs" mounts host path "/var/log"`, "path": "/spec/template/spec/volumes/1/hostPath"}} with input as fx.deployment({
		"containers": [{"name": "web"}],
		"volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "logs", "hostPath": {"path": "/var/log"}}],
	})
}

test_fires_for_cronjob if {
	rule.deny == {{
		"msg": `volume "data" mounts host path "/data"`,
		"path": "/spec/jobTemplate/spec/template/spec/volumes/0/hostPath",
	}} with input as fx.cronjob({"containers": [{"name": "job"}], "volumes": [{"name": "data", "hostPath": {"path": "/data", "type": "Directory"}}]})
}

test_silent_without_host_path if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [{"name": "a"}], "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "x"}]})
}
