# A test policy that reports the fields that data.fields lists for each
# kind and name prefix, so that the location of every kind of origin can
# be asserted.
package main

import rego.v1

fields contains p if {
	some prefix, ps in data.fields[input.kind]
	startswith(input.metadata.name, prefix)
	some p in ps
}

deny contains {"msg": sprintf("field %s", [p]), "path": p} if {
	some p in fields
	p != ""
}

deny contains "whole resource" if "" in fields
