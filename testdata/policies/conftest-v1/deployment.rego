package main

# Conftest-style policy in Rego v1 syntax: deny, warn and violation rules,
# an exception, and a helper rule that is not a result.

required_labels := {"app.kubernetes.io/name"}

deny contains msg if {
	input.kind == "Deployment"
	not input.spec.template.spec.securityContext.runAsNonRoot
	msg := sprintf("%s must set runAsNonRoot", [input.metadata.name])
}

deny_latest_tag contains {"msg": msg, "path": sprintf("/spec/template/spec/containers/%d/image", [i])} if {
	input.kind == "Deployment"
	some i, c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("container %s uses the latest tag", [c.name])
}

warn contains msg if {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := sprintf("Service %s is a NodePort", [input.metadata.name])
}

# METADATA
# title: Workloads carry the name label
# custom:
#   id: team-required-labels
#   severity: warning
#   remediation: Add app.kubernetes.io/name to metadata.labels.
violation contains {"msg": msg, "details": {"missing": missing}} if {
	input.kind == "Deployment"
	missing := required_labels - {k | some k, _ in input.metadata.labels}
	count(missing) > 0
	msg := sprintf("%s lacks labels %v", [input.metadata.name, missing])
}

exception contains rules if {
	input.metadata.name == "legacy"
	rules := ["latest_tag"]
}
