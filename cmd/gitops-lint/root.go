package main

import (
	"io"
	"os"
	"sync"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/report"
)

// env is what commands may touch of the process, so tests can run them in
// process with their own streams and environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// loadPolicies compiles the Rego policies of a run; nil is
	// rego.Load. The in-process tests share compiled engines through it.
	loadPolicies engine.PolicyLoader
	// loadSchemas prepares the schema validator of a run; nil is
	// schema.New. The in-process tests share validators through it.
	loadSchemas engine.SchemaLoader
	// apiIndex is the API table, decoded once per run (the flag help, the
	// configuration and the run all ask for it); newRootCommand sets it
	// when the caller has not.
	apiIndex func() (*apis.Index, error)
	// writeReport writes check's report (nil: report.Write). TestGolden
	// wraps it to feed every format the Input of one run.
	writeReport func(io.Writer, report.Input, report.Options) error
}

// index is the API table: apiIndex's, or decoded now for an env built
// without one.
func (e *env) index() (*apis.Index, error) {
	if e.apiIndex == nil {
		return apis.Load()
	}
	return e.apiIndex()
}

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newRootCommand(e *env) *cobra.Command {
	if e.apiIndex == nil {
		e.apiIndex = sync.OnceValues(apis.Load)
	}
	root := &cobra.Command{
		Use:   "gitops-lint",
		Short: "Lint GitOps repositories: render every overlay, validate offline, find what breaks before the cluster does",
		Long: `gitops-lint walks a GitOps repository, renders every kustomize overlay in process,
validates every resource against embedded Kubernetes schemas, and reports findings
that point at the file and line to edit. It never uses the network unless asked,
never runs plugins or Helm, and never reads outside the repository.`,
		Version: version,
		// Usage is printed for usage errors only (usageError); a runtime
		// error is one line (TestUsageOnlyForUsageErrors).
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetIn(e.stdin)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError(c, err)
	})
	root.AddCommand(
		newCheckCommand(e),
		newBaselineCommand(e),
		newListCommand(e),
		newImagesCommand(e),
		newRenderCommand(e),
		newSchemasCommand(e),
		newRulesCommand(e),
		newPolicyCommand(e),
		newInitCommand(e),
		newHookCommand(e),
		newDiffCommand(e),
		newMergeCommand(e),
	)
	usageOnBadArgs(root)
	return root
}

// usageOnBadArgs makes a wrong number of arguments a usage error, as a
// bad flag is: cobra returns it as a plain error, which SilenceUsage
// (there for runtime errors) would print without the usage.
func usageOnBadArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		usageOnBadArgs(sub)
	}
	if check := c.Args; check != nil {
		c.Args = func(c *cobra.Command, args []string) error {
			if err := check(c, args); err != nil {
				return usageError(c, err)
			}
			return nil
		}
	}
}

// usageError prints the usage of a command after an argument error; it
// maps to exit code 2 like every other usage problem.
func usageError(c *cobra.Command, err error) error {
	c.PrintErrf("gitops-lint: %v\n\n%s", err, c.UsageString())
	return &exitCodeError{code: exitError}
}

// pathArg is a command's optional PATH argument, "." when absent.
func pathArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}
