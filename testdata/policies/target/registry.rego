package team.registry

deny contains sprintf("container %s pulls from an unapproved registry", [c.name]) if {
	some c in input.spec.template.spec.containers
	not approved(c.image)
}

approved(image) if {
	some prefix in data.registries
	startswith(image, prefix)
}
