# METADATA
# title: Every Service has a Deployment
# custom:
#   input: target
#   id: team-service-backed
#   severity: warning
package team.services

deny contains {"msg": sprintf("Service %s in %s has no Deployment of the same name", [svc.metadata.name, input.target.environment]), "resource": svc} if {
	some svc in input.resources
	svc.kind == "Service"
	not deployment_named(svc.metadata.name)
}

deployment_named(name) if {
	some r in input.resources
	r.kind == "Deployment"
	r.metadata.name == name
}
