// Package rego evaluates Rego policies (the built-in library and
// conftest-style user policies) on rendered resources.
package rego

import _ "github.com/open-policy-agent/opa/v1/rego"
