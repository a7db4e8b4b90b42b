package engine

import "github.com/gitops-lint/gitops-lint/internal/rules/rego/regotest"

// testPolicies compiles each distinct set of policy options once for the
// tests of this package (see regotest); the benchmarks compile per run,
// as a real run does.
var testPolicies regotest.Memo
