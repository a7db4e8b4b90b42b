package rego

import (
	"context"
	"io"
	"io/fs"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// TestOptions configure Test.
type TestOptions struct {
	// Builtin is the embedded library. Its tests run when Policies is
	// empty; otherwise only its non-test modules are loaded, so that user
	// policies may import the shared helpers.
	Builtin fs.FS
	// Policies are user policy files and directories with their tests.
	Policies []string
	// Data are JSON/YAML data files and directories.
	Data []string
	// RegoVersion is the syntax of user policies.
	RegoVersion RegoVersion
	// Verbose lists every test, not only failures.
	Verbose bool
}

// Test runs Rego unit tests (rules named test_*) as `opa test` does,
// writing a report to w. It returns the number of tests and of failures;
// an error means the policies could not be loaded.
func Test(ctx context.Context, w io.Writer, opts TestOptions) (tests, failed int, err error) {
	srcs, err := sources(opts.Builtin, "", opts.Policies)
	if err != nil {
		return 0, 0, err
	}
	mods := map[string]*ast.Module{}
	for _, s := range srcs {
		if s.builtin && s.test && len(opts.Policies) > 0 {
			continue // testing the user's policies only
		}
		m, err := parse(s, opts.RegoVersion)
		if err != nil {
			return 0, 0, err
		}
		mods[s.name] = m
	}
	store, err := loadData("", opts.Data)
	if err != nil {
		return 0, 0, err
	}
	compiler := ast.NewCompiler().WithCapabilities(capabilities(false)).WithEnablePrintStatements(true)
	ch, err := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		CapturePrintOutput(true).
		SetModules(mods).
		RunTests(ctx, nil)
	if err != nil {
		return 0, 0, astError(err)
	}
	counted := make(chan *tester.Result)
	go func() {
		defer close(counted)
		for r := range ch {
			tests++
			if !r.Pass() {
				failed++
			}
			counted <- r
		}
	}()
	rep := tester.PrettyReporter{Output: w, Verbose: opts.Verbose, FailureLine: true}
	if err := rep.Report(counted); err != nil {
		return 0, 0, err
	}
	return tests, failed, nil
}
