package main

import (
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego/regotest"
)

// testPolicies is the policy loader of every in-process run of these
// tests: each distinct set of policy options is compiled once per test
// binary (see regotest).
var testPolicies regotest.Memo

// testAPIIndex is the API table every in-process run shares: it is
// embedded data, decoded once per test binary.
var testAPIIndex = sync.OnceValues(apis.Load)
