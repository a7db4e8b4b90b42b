package main

import (
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego/regotest"
	"github.com/gitops-lint/gitops-lint/internal/schema/schematest"
)

// testPolicies is the policy loader of every in-process run of these
// tests: each distinct set of policy options is compiled once per test
// binary (see regotest).
var testPolicies regotest.Memo

// testSchemas is the schema loader of every in-process run of these
// tests: a validator is prepared once per schema directory (see
// schematest).
var testSchemas schematest.Memo

// testAPIIndex is the API table every in-process run shares: it is
// embedded data, decoded once per test binary.
var testAPIIndex = sync.OnceValues(apis.Load)
