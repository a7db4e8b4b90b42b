package engine

import (
	"context"
	"errors"
	"fmt"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
)

// Workspace is a repository opened once for a command: discovered (its
// files confined to the root, each read and decoded once however many
// targets use it), its targets selected with the settings the
// configuration file gives them, and the renderers made on first use.
// check (Run), render (Print), render views (Render, Images), list, both
// sides of diff (Objects) and the changed-file scope (Scope) all start
// from one.
type Workspace struct {
	// Repo is the discovered repository.
	Repo *repo.Repo
	// Targets are those the configuration file leaves in the run, in
	// discovery order.
	Targets []repo.Target

	opts     Options
	cfg      *config.Scope
	settings []config.TargetSettings
	// index finds a target of Targets by its path.
	index map[string]int
	c     *checker
	// releases are the Helm releases of each target, rendered on first
	// request (Releases).
	releases memo.Table[string, releaseSet]
}

// Open discovers the repository at opts.Root and selects its targets. Of
// the options, Root, AllowRemote, LoadRestrictions, Scope and GitOps
// apply here; the others to what the workspace is used for.
func Open(opts Options) (*Workspace, error) {
	w, err := openUnrendered(opts)
	if err != nil {
		return nil, err
	}
	for _, s := range w.settings {
		// Made now, so that Objects may be called from several goroutines.
		w.c.renderer(s.LoadRestrictions)
	}
	return w, nil
}

// openUnrendered is Open for a caller that renders nothing (Scope), which
// spares it kustomize's start-up.
func openUnrendered(opts Options) (*Workspace, error) {
	c, cfg, err := discover(opts)
	if err != nil {
		return nil, err
	}
	// Argo CD Applications render their Helm sources in every view,
	// which needs the repository's URLs.
	c.gitopsOpts = opts.GitOps
	targets, settings := selectTargets(c.repo, cfg, opts.LoadRestrictions)
	w := &Workspace{Repo: c.repo, Targets: targets, opts: opts, cfg: cfg, settings: settings, index: make(map[string]int, len(targets)), c: c}
	for i, t := range targets {
		w.index[t.Path] = i
	}
	return w, nil
}

// Target returns the selected target at the repository-relative path and
// the settings the configuration file gives it; ok is false when the
// repository has no such target or the file leaves it out.
func (w *Workspace) Target(path string) (t repo.Target, s config.TargetSettings, ok bool) {
	i, ok := w.index[path]
	if !ok {
		return repo.Target{}, config.TargetSettings{}, false
	}
	return w.Targets[i], w.settings[i], true
}

// Objects renders the selected target at path on its own and returns its
// objects as rendered: a plain target's Kubernetes objects as its files
// hold them, a kustomization's as kustomize builds it. Offline, a target
// with remote entries (repo.Target.Partial) is rendered as check renders
// it, from its parts without them: kustomize is never handed a URL. A
// target that is not rendered (see repo.Target.Blocked) or fails to render
// is an error; its message may quote the repository's content, secret
// values among them, and is for the caller to screen. A release target
// (Release.Path) has the objects its chart installs; a target, its own
// render without them. It is safe for concurrent use.
func (w *Workspace) Objects(path string) ([]map[string]any, error) {
	if IsRelease(path) {
		rel, err := w.release(path)
		switch {
		case err != nil:
			return nil, err
		case rel.Error != "":
			return nil, errors.New(rel.Error)
		}
		return rel.Objects, nil
	}
	t, s, ok := w.Target(path)
	switch {
	case !ok:
		return nil, fmt.Errorf("%s is not a target of the run", path)
	case t.Blocked != "":
		return nil, fmt.Errorf("not rendered: %s", t.Blocked)
	case t.Kind == repo.Plain:
		return kubernetesObjects(nil, t.Files, func(f string) []*manifest.Document { return w.Repo.Manifests[f] }), nil
	}
	p := plan{units: []string{path}}
	if t.Partial != "" {
		p = w.c.plan(t)
	}
	var out []map[string]any
	for _, unit := range p.units {
		r, err := w.c.renderers[s.LoadRestrictions].Render(unit)
		if err != nil {
			return nil, err
		}
		for _, o := range r.Objects {
			out = append(out, o.Object)
		}
	}
	return kubernetesObjects(out, p.files, func(f string) []*manifest.Document { return w.c.sources.get(f).docs }), nil
}

// kubernetesObjects appends to out the Kubernetes objects of the
// documents of files.
func kubernetesObjects(out []map[string]any, files []string, docs func(file string) []*manifest.Document) []map[string]any {
	for _, f := range files {
		for _, d := range docs(f) {
			if d.Object != nil && manifest.IsKubernetesObject(d.Object) {
				out = append(out, d.Object)
			}
		}
	}
	return out
}

// Printed is a kustomization rendered for a person to read.
type Printed struct {
	// YAML is the output as `kustomize build` prints it, every secret
	// value replaced unless asked for.
	YAML []byte
	// Blocked are discovery's findings in the kustomizations the
	// directory builds from (a remote fetch, an escape, a cycle): what
	// check refuses to render, render refuses too. Then nothing else is set.
	Blocked []rules.Finding
	// Error says why the kustomization did not render, screened for
	// secrets even when they are shown: an error is not the output asked
	// for.
	Error string
}

// Print renders the kustomization at the repository-relative directory
// dir, a target or any kustomization the repository has, with the load
// restriction the configuration file gives it. Unless showSecrets, every
// secret value of the output is replaced (see secrets.Scanner.NewScreen).
func (w *Workspace) Print(ctx context.Context, dir string, showSecrets bool) (*Printed, error) {
	if _, ok := w.Repo.Kustomizations[dir]; !ok {
		return nil, fmt.Errorf("%s has no kustomization file", dir)
	}
	if blocked := w.blocked(dir); len(blocked) > 0 {
		return &Printed{Blocked: blocked}, nil
	}
	scanner, err := w.scanner(dir)
	if err != nil {
		return nil, err
	}
	screen := scanner.NewScreen(ctx, w.Repo.Dependencies(dir))
	opts := render.Options{Root: w.Repo.Root, FS: w.Repo.FS, LoadRestrictions: w.settingsOf(dir).LoadRestrictions, YAML: true, Charts: w.c.charts}
	if !showSecrets {
		opts.Screen = screen
	}
	out, err := render.New(opts).Render(dir)
	if remote := remoteChartEntries(repo.Target{Path: dir}, err); remote != nil {
		return &Printed{Blocked: remote}, nil // located at the entries, as check reports them
	}
	if err != nil {
		return &Printed{Error: screen.Text(err.Error())}, nil
	}
	return &Printed{YAML: out.YAML}, nil
}

// scanner is a secret scanner for printing what the kustomization at dir
// renders: it knows the sensitive values of the kustomizations dir builds
// from, and allows what the configuration file allows.
func (w *Workspace) scanner(dir string) (*secrets.Scanner, error) {
	values := &redact.Set{}
	values.Add(w.Repo.SensitiveValues(w.Repo.Closure(dir))...)
	return secrets.New(w.Repo, secrets.Options{AllowRegexes: w.cfg.Secrets.Regexes, Found: values})
}

// settingsOf returns the settings of the directory dir: its target's, or
// for a kustomization that is none what the configuration file says of
// the directory, with the run's load restriction where it sets none.
func (w *Workspace) settingsOf(dir string) config.TargetSettings {
	if _, s, ok := w.Target(dir); ok {
		return s
	}
	s := w.cfg.Target(dir, nil)
	if s.LoadRestrictions == types.LoadRestrictionsUnknown {
		s.LoadRestrictions = w.opts.LoadRestrictions
	}
	if s.LoadRestrictions == types.LoadRestrictionsUnknown {
		s.LoadRestrictions = types.LoadRestrictionsRootOnly
	}
	return s
}

// blocked returns discovery's findings located in the kustomization
// files that dir builds from.
func (w *Workspace) blocked(dir string) []rules.Finding {
	var out []rules.Finding
	closure := w.Repo.Closure(dir)
	for _, f := range w.Repo.Findings {
		for _, d := range closure {
			if k := w.Repo.Kustomizations[d]; k != nil && f.Location.File == k.File {
				out = append(out, f)
			}
		}
	}
	return out
}
