package main

# The same policy in Rego v0 syntax, as older conftest repositories have it.

deny[msg] {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s must set runAsNonRoot", [input.metadata.name])
}

deny_latest_tag[msg] {
	input.kind == "Deployment"
	c := input.spec.template.spec.containers[_]
	endswith(c.image, ":latest")
	msg := sprintf("container %s uses the latest tag", [c.name])
}

warn[msg] {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := sprintf("Service %s is a NodePort", [input.metadata.name])
}

violation[{"msg": msg, "details": {}}] {
	input.kind == "Deployment"
	not input.metadata.labels["app.kubernetes.io/name"]
	msg := sprintf("%s lacks labels", [input.metadata.name])
}

exception[rules] {
	input.metadata.name == "legacy"
	rules := ["latest_tag"]
}
