package gitops_lint.resource.service_type_nodeport_test

import data.gitops_lint.lib.fixtures as fx
import data.gitops_lint.resource.service_type_nodeport as rule

test_fires_for_node_port if {
	rule.deny == {{"msg": `Service "web" has type NodePort`, "path": "/spec/type"}} with input as json.patch(fx.service("web", {"app": "web"}, [{"port": 80}]), [{"op": "add", "path": "/spec/type", "value": "NodePort"}])
}

test_silent_for_cluster_ip_and_load_balancer if {
	count(rule.deny) == 0 with input as fx.service("web", {"app": "web"}, [{"port": 80}])
	count(rule.deny) == 0 with input as json.patch(fx.service("web", {"app": "web"}, [{"port": 80}]), [{"op": "add", "path": "/spec/type", "value": "LoadBalancer"}])
}
