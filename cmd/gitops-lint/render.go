package main

import (
	"context"

	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/gitx"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
)

func newRenderCommand(e *env) *cobra.Command {
	var root, loadRestrictor, configFile string
	var allowRemote, showSecrets bool
	c := &cobra.Command{
		Use:   "render TARGET",
		Short: "Print a target rendered in process, exactly as `kustomize build` would, with the same safety rules as check",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			lr, err := config.ParseLoadRestrictor(loadRestrictor)
			if err != nil {
				return usageError(c, fmt.Errorf("--load-restrictor: %w", err))
			}
			if root == "" {
				root = findRoot(c.Context(), args[0])
			}
			cfg, err := loadConfig(e, root, configFile)
			if err != nil {
				return err
			}
			r, err := repo.Discover(root, repo.Options{AllowRemote: allowRemote})
			if err != nil {
				return err
			}
			target, err := filepath.Abs(args[0])
			if err != nil {
				return err
			}
			if t, err := filepath.EvalSymlinks(target); err == nil {
				target = t
			}
			rel, err := filepath.Rel(r.Root, target)
			if err != nil || strings.HasPrefix(rel, "..") {
				return usageError(c, fmt.Errorf("target %s is outside the repository root %s (name the root with --root)", args[0], root))
			}
			rel = filepath.ToSlash(rel)
			if _, ok := r.Kustomizations[rel]; !ok {
				return usageError(c, fmt.Errorf("%s has no kustomization file", args[0]))
			}
			if s := cfg.Scope(types.LoadRestrictionsUnknown).Target(rel, nil); !c.Flags().Changed("load-restrictor") && s.LoadRestrictions != types.LoadRestrictionsUnknown {
				lr = s.LoadRestrictions
			}
			// Refuse what check refuses: remote fetches, escapes, cycles.
			blocked := false
			closure := r.Closure(rel)
			for _, f := range r.Findings {
				for _, dir := range closure {
					if k := r.Kustomizations[dir]; k != nil && f.Location.File == k.File {
						fmt.Fprintf(e.stderr, "%s: %s: %s\n", f.Location, f.RuleID, f.Message)
						blocked = true
					}
				}
			}
			if blocked {
				return &exitCodeError{code: exitFindings}
			}
			values := &redact.Set{}
			values.Add(r.SensitiveValues(closure)...)
			scanner, err := secrets.New(r, secrets.Options{AllowRegexes: cfg.Secrets.Regexes, Found: values})
			if err != nil {
				return err
			}
			opts := render.Options{Root: r.Root, LoadRestrictions: lr, YAML: true}
			screen := scanner.NewScreen(c.Context(), r.Dependencies(rel))
			if !showSecrets {
				opts.Screen = screen
			}
			out, err := render.New(opts).Render(rel)
			if err != nil {
				// Even with --show-secrets: an error is not the output asked for.
				fmt.Fprintf(e.stderr, "%s: render-error: %s\n", rel, screen.Text(err.Error()))
				return &exitCodeError{code: exitFindings}
			}
			_, err = e.stdout.Write(out.YAML)
			return err
		},
	}
	c.Flags().StringVar(&root, "root", "", "repository root (default: the enclosing git work tree, else TARGET itself); nothing above it is read")
	c.Flags().StringVar(&loadRestrictor, "load-restrictor", "rootOnly", "kustomize load restrictor: rootOnly or none")
	c.Flags().BoolVar(&allowRemote, "allow-remote", false, "allow kustomize to fetch remote resources")
	c.Flags().BoolVar(&showSecrets, "show-secrets", false, "print Secret values and credentials as rendered (by default each is replaced by \"[redacted]\", base64-encoded in a Secret's data, and the YAML stays valid); only on a terminal you control")
	addConfigFlag(c.Flags(), &configFile)
	return c
}

// findRoot picks the repository root for a target as check does: the
// git work tree that holds it, else the target directory itself. Never
// the current directory: outside a work tree that could be a scratch
// directory of any size, and a ../ in a kustomization would then reach
// files beside the repository. A base above the target outside a work
// tree needs --root.
func findRoot(ctx context.Context, target string) string {
	if g, err := gitx.Open(ctx, target); err == nil {
		return g.Top
	}
	return target
}
