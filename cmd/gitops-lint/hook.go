package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitops-lint/gitops-lint/internal/githook"
)

// hookCheckArgs is what the installed hook runs, before any flags given
// after "--" and the checked directory.
var hookCheckArgs = []string{"check", "--staged"}

func newHookCommand(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "hook",
		Short: "Install or remove a git pre-commit hook that runs gitops-lint check --staged",
		Long: `hook writes .git/hooks/pre-commit (wherever git keeps the hooks: linked worktrees
share the main one's, core.hooksPath moves them) to run gitops-lint check --staged
before every commit. It never overwrites a hook it did not write; with the pre-commit
framework, use the hooks in .pre-commit-hooks.yaml instead.`,
	}
	c.AddCommand(newHookInstallCommand(e), newHookUninstallCommand(e))
	return c
}

func newHookInstallCommand(e *env) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "install [PATH] [-- CHECK-FLAGS...]",
		Short: "Write the pre-commit hook; it checks PATH (default: the whole work tree)",
		Long: `install writes the pre-commit hook of the git work tree containing PATH. The hook runs
gitops-lint check --staged, followed by any flags given after "--" and by PATH when
it is not the top of the work tree. Run it again to update the hook.

An existing hook that gitops-lint did not write is left alone, and install fails;
--force moves it to pre-commit.before-gitops-lint, where the new hook runs it first
and uninstall puts it back.`,
		Example: `  gitops-lint hook install
  gitops-lint hook install deploy -- --fail-on warning`,
		RunE: func(c *cobra.Command, args []string) error {
			dir, extra := ".", []string(nil)
			positional := args
			if at := c.ArgsLenAtDash(); at >= 0 {
				positional, extra = args[:at], args[at:]
			}
			if len(positional) > 1 {
				return usageError(c, fmt.Errorf("want at most one PATH before --, got %d", len(positional)))
			}
			if len(positional) == 1 {
				dir = positional[0]
			}
			res, err := githook.Install(c.Context(), githook.Options{
				Dir:      dir,
				Args:     slices.Concat(hookCheckArgs, extra),
				Fallback: installedBinary(),
				Force:    force,
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "%s %s: runs gitops-lint %s before every commit\n", res.Action, res.Path, strings.Join(slices.Concat(hookCheckArgs, extra), " "))
			if res.Backup != "" {
				fmt.Fprintf(e.stdout, "moved the previous hook to %s; it runs first\n", res.Backup)
			}
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "move a pre-commit hook that gitops-lint did not write aside instead of failing")
	return c
}

func newHookUninstallCommand(e *env) *cobra.Command {
	return &cobra.Command{
		Use:   "uninstall [PATH]",
		Short: "Remove the pre-commit hook written by hook install, and put back the one it moved aside",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			dir := pathArg(args)
			res, err := githook.Uninstall(c.Context(), dir)
			if err != nil {
				return err
			}
			switch {
			case res.Action == "absent":
				fmt.Fprintf(e.stdout, "no pre-commit hook at %s\n", res.Path)
			case res.Backup != "":
				fmt.Fprintf(e.stdout, "removed %s and put back the previous hook from %s\n", res.Path, res.Backup)
			default:
				fmt.Fprintf(e.stdout, "removed %s\n", res.Path)
			}
			return nil
		},
	}
}

// installedBinary is this executable when it looks installed, for the hook
// to fall back on when gitops-lint is not in the PATH a git client passes
// to hooks. A test binary or a `go run` build is not: it will be gone.
func installedBinary() string {
	exe, err := os.Executable()
	if err != nil || strings.TrimSuffix(filepath.Base(exe), ".exe") != "gitops-lint" || strings.Contains(exe, "go-build") {
		return ""
	}
	return exe
}
