// Package regotest shares compiled policies between the runs of a test
// binary. Compiling the built-in Rego library is over half of the CPU of a
// run that finds its results in the cache, and tests run the engine or
// the CLI hundreds of times with the same few policy options; a Memo
// compiles each distinct set once. Benchmarks must not use it: they
// measure what a real run pays.
package regotest

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// Memo is a policy loader (the shape of engine.PolicyLoader) that reuses
// the engine compiled for the same options: an rego.Engine is safe for
// concurrent use. Runs with user policies or data are compiled afresh,
// because tests write those files. The zero value is ready to use.
type Memo struct {
	engines  memo.Table[string, compiled]
	builtins sync.Once
	ids      []string
}

type compiled struct {
	e   *rego.Engine
	err error
}

// Load compiles o, or returns the engine already compiled for the same
// options.
func (m *Memo) Load(ctx context.Context, o rego.Options) (*rego.Engine, error) {
	if len(o.Policies) > 0 || len(o.Data) > 0 {
		return rego.Load(ctx, o)
	}
	// Disabled is a function: the key holds what it decides, the built-in
	// rules it leaves out of the compilation.
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

// builtinIDs are the built-in library's rule IDs: what Disabled can leave
// out of a compilation.
func (m *Memo) builtinIDs() []string {
	m.builtins.Do(func() {
		e, err := rego.Load(context.Background(), rego.Options{Builtin: policies.FS, Disabled: func(string) bool { return true }})
		if err != nil {
			panic(err) // the embedded library compiles: its own tests say so
		}
		for _, r := range e.Rules() {
			m.ids = append(m.ids, r.ID)
		}
		m.ids = slices.Clip(m.ids)
	})
	return m.ids
}
