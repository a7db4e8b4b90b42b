package main

import (
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// env is what commands may touch of the process, so tests can run them in
// process with their own streams and environment.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func newRootCommand(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:   "gitops-lint",
		Short: "Lint GitOps repositories: render every overlay, validate offline, find what breaks before the cluster does",
		Long: `gitops-lint walks a GitOps repository, renders every kustomize overlay in process,
validates every resource against embedded Kubernetes schemas, and reports findings
that point at the file and line to edit. It never uses the network unless asked,
never runs plugins or Helm, and never reads outside the repository.`,
		Version:       version,
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
	return root
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
