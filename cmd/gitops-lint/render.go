package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/gitx"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// renderOptions are the flags of render.
type renderOptions struct {
	root, loadRestrictor, configFile string
	allowRemote, showSecrets         bool
	chartDirs                        []string
}

func (o *renderOptions) addFlags(c *cobra.Command) {
	c.Flags().StringVar(&o.root, "root", "", "repository root (default: the enclosing git work tree, else TARGET itself); nothing above it is read")
	c.Flags().StringVar(&o.loadRestrictor, "load-restrictor", "rootOnly", "kustomize load restrictor: rootOnly or none")
	c.Flags().BoolVar(&o.allowRemote, "allow-remote", false, "allow kustomize to fetch remote resources")
	c.Flags().BoolVar(&o.showSecrets, "show-secrets", false, "print Secret values and credentials as rendered (by default each is replaced by \"[redacted]\", base64-encoded in a Secret's data, and the YAML stays valid); only on a terminal you control")
	addChartDirFlag(c.Flags(), &o.chartDirs)
	addConfigFlag(c.Flags(), &o.configFile)
}

func newRenderCommand(e *env) *cobra.Command {
	var o renderOptions
	c := &cobra.Command{
		Use:   "render TARGET",
		Short: "Print a target rendered in process, exactly as `kustomize build` would, with the same safety rules as check",
		Long: `Print a target rendered in process, exactly as ` + "`kustomize build`" + ` would, with the same
safety rules as check. A Helm release a target deploys (a Flux HelmRelease, an Argo CD
Application with a Helm source) is a target of its own, named as list names it,
TARGET#Kind/namespace/name: render prints the objects its chart installs.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return o.run(c, e, args[0]) },
	}
	o.addFlags(c)
	return c
}

// run renders the target named on the command line.
func (o *renderOptions) run(c *cobra.Command, e *env, arg string) error {
	lr, err := config.ParseLoadRestrictor(o.loadRestrictor)
	if err != nil {
		return usageError(c, fmt.Errorf("--load-restrictor: %w", err))
	}
	root := o.root
	if root == "" {
		root = findRoot(c.Context(), arg)
	}
	cfg, err := loadConfig(e, root, o.configFile)
	if err != nil {
		return err
	}
	charts, err := chartDirs(o.chartDirs, cfg, root)
	if err != nil {
		return usageError(c, err)
	}
	w, err := engine.Open(engine.Options{
		Root: root, AllowRemote: o.allowRemote, ChartDirs: charts, LoadRestrictions: lr, Scope: cfg.Scope(flagLoadRestrictions(c, lr)),
		// The URLs of this repository: Argo CD Helm sources render.
		GitOps: gitops.Options{RepoURLs: cfg.GitOps.RepoURLs},
	})
	if err != nil {
		return err
	}
	rel, err := targetIn(w.Repo, arg, root)
	if err != nil {
		return usageError(c, err)
	}
	printTarget := w.Print
	if engine.IsRelease(rel) {
		printTarget = w.PrintRelease
	}
	out, err := printTarget(c.Context(), rel, o.showSecrets)
	if err != nil {
		return err
	}
	for _, f := range out.Blocked {
		fmt.Fprintf(e.stderr, "%s: %s: %s\n", f.Location, f.RuleID, f.Message)
	}
	if out.Error != "" {
		fmt.Fprintf(e.stderr, "%s: render-error: %s\n", rel, out.Error)
	}
	if len(out.Blocked) > 0 || out.Error != "" {
		return &exitCodeError{code: exitFindings}
	}
	_, err = e.stdout.Write(out.YAML)
	return err
}

// targetIn names the target directory arg by its path in the repository;
// it must be inside and have a kustomization file. A release target
// ("clusters/prod#HelmRelease/web/web", as list names it) keeps its
// release part.
func targetIn(r *repo.Repo, arg, root string) (string, error) {
	dir, rel, isRelease := strings.Cut(arg, engine.ReleaseSeparator)
	if isRelease {
		p, err := targetDir(r, dir, root, true)
		return p + engine.ReleaseSeparator + rel, err
	}
	return targetDir(r, arg, root, false)
}

// targetDir is the repository path of the directory arg, which must be
// inside; unless anyTarget, it must have a kustomization file.
func targetDir(r *repo.Repo, arg, root string, anyTarget bool) (string, error) {
	target, err := filepath.Abs(arg)
	if err != nil {
		return "", err
	}
	if t, err := filepath.EvalSymlinks(target); err == nil {
		target = t
	}
	rel, err := filepath.Rel(r.Root, target)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", fmt.Errorf("target %s is outside the repository root %s (name the root with --root)", arg, root)
	}
	rel = filepath.ToSlash(rel)
	if _, ok := r.Kustomizations[rel]; !ok && !anyTarget {
		return "", fmt.Errorf("%s has no kustomization file", arg)
	}
	return rel, nil
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
