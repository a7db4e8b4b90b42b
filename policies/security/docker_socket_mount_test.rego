package gitops_lint.resource.docker_socket_mount_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.docker_socket_mount as rule

test_fires_for_docker_sock if {
	rule.deny == {{
		"msg": `volume "sock" mounts the container runtime socket from host path "/var/run/docker.sock"`,
		"path": "/spec/template/spec/volumes/0/hostPath/path",
	}} with input as fx.deployment({
		"containers": [{"name": "web", "volumeMounts": [{"name": "sock", "mountPath": "/var/run/docker.sock"}]}],
		"volumes": [{"name": "sock", "hostPath": {"path": "/var/run/docker.sock"}}],
	})
}

test_fires_for_run_dir_of_cronjob if {
	rule.deny == {{
		"msg": `volume "run" mounts the container runtime socket from host path "/run/"`,
		"path": "/spec/jobTemplate/spec/template/spec/volumes/0/hostPath/path",
	}} with input as fx.cronjob({"containers": [{"name": "job"}], "volumes": [{"name": "run", "hostPath": {"path": "/run/"}}]})
}

test_silent_for_other_host_paths if {
	count(rule.deny) == 0 with input as fx.pod({"containers": [{"name": "a"}], "volumes": [
		{"name": "thing", "hostPath": {"path": "/var/run/thing.sock"}},
		{"name": "root", "hostPath": {"path": "/"}},
		{"name": "tmp", "emptyDir": {}},
	]})
}
