package main

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// testPolicies is the policy loader of every in-process run of these
// tests. Compiling the built-in Rego library was over half of the CPU of
// a run that found its results in the cache, and the tests run the CLI
// hundreds of times with the same few policy options: each distinct set
// is compiled once per test binary. Runs with user policies or data load
// them afresh, because tests write those files.
var testPolicies = &policyMemo{builtins: sync.OnceValue(builtinRuleIDs)}

// testAPIIndex is the API table every in-process run shares: it is
// embedded data, decoded once per test binary.
var testAPIIndex = sync.OnceValues(apis.Load)

type policyMemo struct {
	engines  memo.Table[string, compiled]
	builtins func() []string
}

type compiled struct {
	e   *rego.Engine
	err error
}

func (m *policyMemo) load(ctx context.Context, o rego.Options) (*rego.Engine, error) {
	if len(o.Policies) > 0 || len(o.Data) > 0 {
		return rego.Load(ctx, o)
	}
	var disabled []string
	if o.Disabled != nil {
		for _, id := range m.builtinIDs() {
			if o.Disabled(id) {
				disabled = append(disabled, id)
			}
		}
	}
	key := fmt.Sprintf("%t|%q|%t|%q|%t|%v|%q", o.Builtin != nil, o.Namespaces, o.AllNamespaces, o.RegoVersion, o.AllowNetwork, o.Timeout, disabled)
	c := m.engines.Get(key, func() compiled {
		// Not the caller's context: a cancelled run must not leave a
		// cancelled compilation for every later one.
		e, err := rego.Load(context.WithoutCancel(ctx), o)
		return compiled{e, err}
	})
	return c.e, c.err
}

// builtinIDs are the built-in library's rule IDs: what Disabled can
// leave out of a compilation.
func (m *policyMemo) builtinIDs() []string { return m.builtins() }

func builtinRuleIDs() []string {
	e, err := rego.Load(context.Background(), rego.Options{Builtin: policies.FS, Disabled: func(string) bool { return true }})
	if err != nil {
		panic(err) // the embedded library compiles: its own tests say so
	}
	var ids []string
	for _, r := range e.Rules() {
		ids = append(ids, r.ID)
	}
	return slices.Clip(ids)
}
