package engine

import (
	"cmp"
	"runtime"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// scope is what a run limited to changed files looks at. A nil scope
// means everything.
type scope struct {
	changed map[string]bool
	// files are those the selected targets' builds name, and the changed
	// ones: where their findings and suppressions can be.
	files map[string]bool
}

func (s *scope) has(file string) bool { return s == nil || s.files[file] }

// narrow keeps the targets that the changed files can affect. By default
// these are the smallest kustomizations that read a changed file and build
// on their own: for a change in apps/x/base, the apps/x/overlays/*, not
// the clusters/<env> kustomization that aggregates two hundred apps. With
// full, the whole targets that include those instead. Which files a build
// reads comes from the kustomization files (repo.Dependencies); a plain
// target reads its manifests; either reads the charts and values files of
// the Helm releases written in those (dependencies).
func (c *checker) narrow(targets []repo.Target, settings []config.TargetSettings, changed []string, full bool) ([]repo.Target, []config.TargetSettings, *scope) {
	sc := &scope{changed: map[string]bool{}, files: map[string]bool{}}
	for _, f := range changed {
		sc.changed[f] = true
		sc.files[f] = true
	}
	reads := func(files []string) bool {
		return slices.ContainsFunc(files, func(f string) bool { return sc.changed[f] })
	}
	allDeps := c.allDependencies(targets)
	var outT []repo.Target
	var outS []config.TargetSettings
	seen := map[string]bool{}
	keep := func(t repo.Target, s config.TargetSettings, deps []string) {
		if seen[t.Path] {
			return
		}
		seen[t.Path] = true
		outT, outS = append(outT, t), append(outS, s)
		for _, f := range deps {
			sc.files[f] = true
		}
	}
	for i, t := range targets {
		deps := allDeps[i]
		if t.Kind != repo.Kustomize {
			if reads(deps) {
				keep(t, settings[i], deps)
			}
			continue
		}
		if !reads(deps) {
			continue
		}
		p := c.plan(t)
		if full || len(p.units) <= 1 || reads(p.files) {
			keep(t, settings[i], deps)
			continue
		}
		for _, u := range p.units {
			ut := repo.Target{Path: u, Kind: repo.Kustomize, Includes: c.repo.Closure(u)}
			if ud := c.dependencies(ut); reads(ud) {
				keep(ut, settings[i], ud)
			}
		}
	}
	outT, outS = sortByPath(outT, outS)
	return outT, outS, sc
}

// allDependencies are the dependencies of each target, found on every
// core: deciding whether a target's Helm releases read a changed file
// reads every file of every target, which a pre-commit check waits for.
func (c *checker) allDependencies(targets []repo.Target) [][]string {
	deps := make([][]string, len(targets))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, t := range targets {
		g.Go(func() error {
			deps[i] = c.dependencies(t) // with the charts of its Helm releases
			return nil
		})
	}
	_ = g.Wait() // dependencies cannot fail
	return deps
}

// sortByPath orders targets by path, each with its settings.
func sortByPath(targets []repo.Target, settings []config.TargetSettings) ([]repo.Target, []config.TargetSettings) {
	order := make([]int, len(targets))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(targets[a].Path, targets[b].Path) })
	sortedT := make([]repo.Target, len(order))
	sortedS := make([]config.TargetSettings, len(order))
	for i, j := range order {
		sortedT[i], sortedS[i] = targets[j], settings[j]
	}
	return sortedT, sortedS
}

// Scope lists the files that a run limited to the changed files reads or
// reports on: those the selected targets' kustomization files name, the
// changed files themselves, and the policy and data paths inside the
// repository (a directory stands for the files under it), without which
// the run does not start. A pre-commit check exports just these from the
// git index. Of the options, Root, AllowRemote, LoadRestrictions, Config,
// Full and Policy apply.
func Scope(opts Options, changed []string) ([]string, error) {
	w, err := openUnrendered(opts)
	if err != nil {
		return nil, err
	}
	_, _, sc := w.c.narrow(w.Targets, w.settings, changed, opts.Full)
	files := make([]string, 0, len(sc.files))
	for f := range sc.files {
		files = append(files, f)
	}
	for _, p := range slices.Concat(opts.Policy.Policies, opts.Policy.Data) {
		if rel, inside := repoRelative(w.Repo.Root, p); inside {
			files = append(files, rel)
		}
	}
	slices.Sort(files)
	return slices.Compact(files), nil
}
