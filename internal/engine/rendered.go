package engine

import (
	"context"
	"maps"
	"slices"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// Rendered is every target of a repository rendered and not checked.
type Rendered struct {
	Repo *repo.Repo
	// Targets are those the configuration file leaves in the run.
	Targets []repo.Target
	// Resources by target path; blocked targets and targets that failed
	// to render are absent.
	Resources map[string][]manifest.Resource
	// Reads are, by target path, the repository files that rendering the
	// target read, as the renderer's filesystem recorded them: every kind
	// of reference (resources, components, patches, generator inputs,
	// replacements, configurations) without re-implementing kustomize's
	// rules. Sorted.
	Reads map[string][]string
	// Releases are, by target path, the Helm releases each target
	// deploys, targets of their own (Workspace.Releases). Their objects
	// are also among the target's Resources, as check sees them.
	Releases map[string][]Release
	// own are, by target path, the target's Resources without the
	// objects of its releases.
	own      map[string][]manifest.Resource
	settings []config.TargetSettings
	c        *checker
}

// Render discovers and renders every target without checking anything,
// for views of the repository such as Images and for the
// repository-level checks alone.
// Of the options, Root, Jobs, AllowRemote, LoadRestrictions, Progress
// and Config apply.
func Render(ctx context.Context, opts Options) (*Rendered, error) {
	w, err := Open(opts)
	if err != nil {
		return nil, err
	}
	return w.Render(ctx)
}

// Render renders every target of the workspace without checking
// anything.
func (w *Workspace) Render(ctx context.Context) (*Rendered, error) {
	c, rp, targets, settings := w.c, w.Repo, w.Targets, w.settings
	plans, keys := c.planAll(targets, settings)
	if err := c.renderUnits(ctx, keys, w.opts.jobs(), w.opts.stepper(len(keys))); err != nil {
		return nil, err
	}
	out := &Rendered{
		Repo: rp, Targets: targets, Resources: map[string][]manifest.Resource{}, Reads: map[string][]string{},
		Releases: map[string][]Release{}, own: map[string][]manifest.Resource{}, settings: settings, c: c,
	}
	for i, t := range targets {
		reads := slices.Clone(t.Files)
		reads = append(reads, plans[i].files...)
		for _, d := range plans[i].units {
			if u := c.units[unitKey{dir: d, lr: settings[i].LoadRestrictions}]; u.out != nil {
				reads = append(reads, u.out.Reads...)
			}
		}
		if res, _, ok := c.assembleOwn(t, plans[i]); ok {
			out.add(w, t, res, reads)
		}
		reads = append(reads, c.helmReads.get(t.Path)...)
		slices.Sort(reads)
		out.Reads[t.Path] = slices.Compact(reads)
	}
	return out, nil
}

// add keeps a target's resources res and renders its Helm releases;
// reads are what rendering res read. The workspace keeps the releases
// (Workspace.Releases renders none again).
func (r *Rendered) add(w *Workspace, t repo.Target, res []manifest.Resource, reads []string) {
	rels := r.c.helmReleases(t, res)
	r.own[t.Path] = res
	if len(rels) > 0 {
		r.Releases[t.Path] = w.releaseTargets(t, res, reads, rels)
		w.releases.Get(t.Path, func() releaseSet { return releaseSet{list: r.Releases[t.Path]} })
		all := slices.Clip(res)
		for _, rel := range rels {
			all = append(all, rel.objs...)
		}
		res = all
	}
	r.Resources[t.Path] = res
	r.c.learnResources(res)
}

// GitOps is the input of the repository-level checks (gitops.Check).
func (r *Rendered) GitOps() gitops.Input {
	return r.c.gitopsInput(r.Targets, r.settings, r.Resources)
}

// Images renders the repository and returns the images each environment
// runs (gitops.Images).
func Images(ctx context.Context, opts Options) (*gitops.Promotion, error) {
	r, err := Render(ctx, opts)
	if err != nil {
		return nil, err
	}
	p := gitops.Images(r.imagesInput())
	r.c.hideImages(p)
	return p, nil
}

// imagesInput is the input of the images view: each Helm release a target
// of its own, its objects apart from those of the target that deploys it.
func (r *Rendered) imagesInput() gitops.Input {
	in := r.GitOps()
	in.Resources = maps.Clone(r.own)
	in.Releases = map[string][]string{}
	for target, rels := range r.Releases {
		for _, rel := range rels {
			in.Releases[target] = append(in.Releases[target], rel.Path)
			if rel.Error == "" {
				in.Resources[rel.Path] = rel.resources
			}
		}
	}
	return in
}

// gitopsInput hands rendered targets to the repository-level checks.
func (c *checker) gitopsInput(targets []repo.Target, settings []config.TargetSettings, res map[string][]manifest.Resource) gitops.Input {
	envs := map[string]string{}
	for i, t := range targets {
		if settings[i].Environment != "" {
			envs[t.Path] = settings[i].Environment
		}
	}
	return gitops.Input{
		Repo: c.repo, Targets: targets, Environments: envs, Resources: res,
		// A kustomization that no target is on its own but a Flux
		// Kustomization points at, rendered as the target including it
		// is. It runs after the workers are done.
		Build: func(dir string) ([]manifest.Resource, error) {
			i := slices.IndexFunc(targets, func(t repo.Target) bool { return t.Blocked == "" && slices.Contains(t.Includes, dir) })
			if i < 0 {
				return nil, nil
			}
			out, err := c.renderer(settings[i].LoadRestrictions).Render(dir)
			if err != nil {
				return nil, err
			}
			return c.resources(repo.Target{Path: dir, Kind: repo.Kustomize}, dir, out), nil
		},
	}
}
