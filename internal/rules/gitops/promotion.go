package gitops

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// Promotion is the image view of a repository: for each application
// deployed to several environments, the images each environment runs.
type Promotion struct {
	Groups []Group `json:"groups"`
	// NotRendered are the targets whose images are unknown: they are
	// blocked or failed to render (`gitops-lint check` says why).
	NotRendered []string `json:"notRendered,omitempty"`
}

// Group is one application: the targets that are the same thing in
// different environments, or a single target.
type Group struct {
	// Name is the targets' common path with "*" for the environment
	// ("apps/shop/overlays/*"), or the path of a single target.
	Name string `json:"name"`
	// Environments in promotion order (dev, test, qa, int, uat,
	// staging, pre, others, prod, live; then by name).
	Environments []Env `json:"environments"`
	// Images by name.
	Images []ImageRow `json:"images"`
}

// Env is one environment of a group and the target deployed there.
type Env struct {
	Name   string `json:"name"`
	Target string `json:"target"`
}

// ImageRow is one image name across a group's environments.
type ImageRow struct {
	Name string `json:"name"`
	// Drift is set when environments run different references of it.
	Drift bool `json:"drift"`
	// Refs are the references each environment runs, by environment
	// name, sorted; an environment without the image is absent.
	Refs map[string][]Image `json:"refs"`
}

// Images builds the promotion view from rendered targets.
//
// Grouping: a target's environment is the one its path gives (the directory
// under overlays/, envs/, environments/, env/, clusters/ or stages/, else
// the target directory), and targets whose paths differ only in that
// segment and that share a base (include a common kustomization) form one
// group. "apps/shop/overlays/dev" and "apps/shop/overlays/prod" that both
// include apps/shop/base are the group "apps/shop/overlays/*"; so are the
// Flux-style "apps/staging" and "apps/production" over "apps/base". A
// target that shares no base with a sibling is a group of its own. The
// columns keep the path's names even where the configuration file names
// environments: several targets of a group may share one configured name.
//
// A Helm release (in.Releases) is an application of its own, named after
// the group of the targets deploying it: the release web/web that
// apps/staging and apps/production deploy is the group
// "apps/*#HelmRelease/web/web", its images apart from the targets'.
func Images(in Input) *Promotion {
	p := &Promotion{Groups: []Group{}}
	byKey := map[string][]repo.Target{}
	for _, t := range in.Targets {
		if _, ok := in.Resources[t.Path]; !ok {
			p.NotRendered = append(p.NotRendered, t.Path)
			continue
		}
		key, _ := groupKey(t.Path)
		byKey[key] = append(byKey[key], t)
	}
	for _, key := range slices.Sorted(maps.Keys(byKey)) {
		comps := sharingBase(byKey[key])
		multi := 0
		for _, comp := range comps {
			if len(comp) > 1 {
				multi++
			}
		}
		for _, comp := range comps {
			name := key
			if len(comp) == 1 {
				name = comp[0].Path
			}
			var envs []Env
			for _, t := range comp {
				_, env := groupKey(t.Path)
				envs = append(envs, Env{Name: env, Target: t.Path})
			}
			slices.SortFunc(envs, func(a, b Env) int { return EnvironmentOrder(a.Name, b.Name) })
			// Two applications under one pattern: tell them apart.
			tagged := len(comp) > 1 && multi > 1
			p.add(name, tagged, envs, in.Resources)
			p.addReleases(in, name, tagged, envs)
		}
	}
	slices.Sort(p.NotRendered)
	slices.SortFunc(p.Groups, func(a, b Group) int { return strings.Compare(a.Name, b.Name) })
	return p
}

// add adds the group of the environments envs named name (with their
// environments' names when tagged), unless they run no image.
func (p *Promotion) add(name string, tagged bool, envs []Env, resources map[string][]manifest.Resource) {
	g := Group{Name: name, Environments: envs, Images: imageRows(envs, resources)}
	if tagged {
		var names []string
		for _, e := range envs {
			names = append(names, e.Name)
		}
		g.Name += " [" + strings.Join(names, ", ") + "]"
	}
	if len(g.Images) > 0 {
		p.Groups = append(p.Groups, g)
	}
}

// addReleases adds a group for each Helm release that the targets of the
// group name (its environments envs) deploy: the releases of the same
// kind, namespace and name in several of them are one application across
// those environments. A release that did not render is NotRendered.
func (p *Promotion) addReleases(in Input, name string, tagged bool, envs []Env) {
	bySuffix := map[string][]Env{}
	for _, e := range envs {
		for _, rel := range in.Releases[e.Target] {
			if _, ok := in.Resources[rel]; !ok {
				p.NotRendered = append(p.NotRendered, rel)
				continue
			}
			// What follows the target's path: "#HelmRelease/web/web".
			suffix := strings.TrimPrefix(rel, e.Target)
			bySuffix[suffix] = append(bySuffix[suffix], Env{Name: e.Name, Target: rel})
		}
	}
	for _, suffix := range slices.Sorted(maps.Keys(bySuffix)) {
		p.add(name+suffix, tagged, bySuffix[suffix], in.Resources)
	}
}

// groupKey replaces a target's environment segment with "*".
func groupKey(target string) (key, env string) {
	env = pathEnvironment(target)
	parts := strings.Split(target, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		if parts[i] == env {
			parts[i] = "*"
			break
		}
	}
	return strings.Join(parts, "/"), env
}

// sharingBase splits targets into the sets connected by a shared
// included kustomization, in the order of their first target.
func sharingBase(ts []repo.Target) [][]repo.Target {
	parent := make([]int, len(ts))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		if parent[i] != i {
			parent[i] = find(parent[i])
		}
		return parent[i]
	}
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			if slices.ContainsFunc(ts[i].Includes, func(d string) bool { return slices.Contains(ts[j].Includes, d) }) {
				parent[find(j)] = find(i)
			}
		}
	}
	var out [][]repo.Target
	index := map[int]int{}
	for i, t := range ts {
		root := find(i)
		k, ok := index[root]
		if !ok {
			k = len(out)
			index[root] = k
			out = append(out, nil)
		}
		out[k] = append(out[k], t)
	}
	return out
}

func imageRows(envs []Env, resources map[string][]manifest.Resource) []ImageRow {
	rows := map[string]*ImageRow{}
	for _, e := range envs {
		for _, r := range resources[e.Target] {
			for _, ctr := range containers(r.Object) {
				row, ok := rows[ctr.image.Name]
				if !ok {
					row = &ImageRow{Name: ctr.image.Name, Refs: map[string][]Image{}}
					rows[ctr.image.Name] = row
				}
				if !slices.Contains(row.Refs[e.Name], ctr.image) {
					row.Refs[e.Name] = append(row.Refs[e.Name], ctr.image)
				}
			}
		}
	}
	out := make([]ImageRow, 0, len(rows))
	for _, name := range slices.Sorted(maps.Keys(rows)) {
		row := rows[name]
		variants := map[string]bool{}
		for env, refs := range row.Refs {
			slices.SortFunc(refs, func(a, b Image) int { return strings.Compare(a.Ref, b.Ref) })
			var key []string
			for _, ref := range refs {
				key = append(key, ref.Ref)
			}
			variants[strings.Join(key, "\x00")] = true
			row.Refs[env] = refs
		}
		row.Drift = len(variants) > 1
		out = append(out, *row)
	}
	return out
}

// promotionStages are name parts in the order environments are usually
// promoted through; an environment is ranked by the first that its name
// contains. Names with none of them go after the test stages and before
// the production ones.
var promotionStages = []string{"dev", "test", "qa", "int", "uat", "stag", "pre", "prod", "prd", "live"}

func stageRank(env string) int {
	env = strings.ToLower(env)
	for i, s := range promotionStages {
		if strings.Contains(env, s) {
			return 2 * i
		}
	}
	return 2*slices.Index(promotionStages, "prod") - 1
}

// EnvironmentOrder orders environment names by promotion stage (dev,
// test, qa, int, uat, staging, pre, prod, live), then by name: the columns
// of the images view and the rows of the diff's.
func EnvironmentOrder(a, b string) int {
	return cmp.Or(cmp.Compare(stageRank(a), stageRank(b)), strings.Compare(a, b))
}
