package engine

import (
	"github.com/gitops-lint/gitops-lint/internal/rules/rego/regotest"
	"github.com/gitops-lint/gitops-lint/internal/schema/schematest"
)

// testPolicies compiles each distinct set of policy options once for the
// tests of this package (see regotest); the benchmarks compile per run,
// as a real run does.
var testPolicies regotest.Memo

// testSchemas prepares each schema validator once per schema directory
// for the tests of this package (see schematest); the benchmarks prepare
// one per run, as a real run does.
var testSchemas schematest.Memo
