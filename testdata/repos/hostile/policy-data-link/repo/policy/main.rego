package main

deny contains msg if {
	msg := sprintf("registry auth: %v", [data.auths])
}
