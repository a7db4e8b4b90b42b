package gitops

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
)

// How a Flux source was determined, in the order they are tried.
const (
	// SourceConfigured: the configuration file names it (gitops.fluxSources).
	SourceConfigured = "configuration"
	// SourceBootstrap: the GitRepository that the bootstrap Kustomization
	// reconciles from; that Kustomization applies the directory it is
	// written in (gotk-sync.yaml).
	SourceBootstrap = "bootstrap Kustomization"
	// SourceRemote: a GitRepository whose URL is a git remote of the work tree.
	SourceRemote = "git remote"
	// SourceDefault: the Kustomizations name a GitRepository flux-system
	// that the repository does not define, which is the one flux bootstrap
	// and the Flux Operator create in the cluster.
	SourceDefault = "created by bootstrap"
	// SourceOnly: the only GitRepository of the repository.
	SourceOnly = "only GitRepository"
	// SourceNone: no GitRepository can be taken for this repository.
	SourceNone = "none"
	// SourceOther: no Flux Kustomization reads a GitRepository (they read
	// OCIRepository, Bucket or ExternalArtifact sources, whose paths are
	// not this checkout's).
	SourceOther = "other sources"
)

// FluxSource says which GitRepository objects the Flux checks take for
// this repository, and how that was found.
type FluxSource struct {
	// Names of the GitRepository objects; empty when How is SourceNone or
	// SourceOther.
	Names []string `json:"names,omitempty"`
	// How is one of the Source constants.
	How string `json:"how"`
	// File is where the deciding object is written (the bootstrap
	// Kustomization, the GitRepository), when one is.
	File string `json:"file,omitempty"`
}

// String describes the source for the run's summary.
func (s FluxSource) String() string {
	switch s.How {
	case SourceNone:
		return "Flux source: none determined, Flux path checks skipped"
	case SourceOther:
		return "Flux source: no Flux Kustomization reads a GitRepository; paths in other sources are not checked"
	}
	names := make([]string, len(s.Names))
	for i, n := range s.Names {
		names[i] = fmt.Sprintf("%q", n)
	}
	out := "Flux source: GitRepository " + strings.Join(names, ", ") + " (" + s.How
	if s.File != "" {
		out += " in " + s.File
	}
	return out + ")"
}

// fluxSource finds the GitRepository objects that are this repository the
// way Flux's own setup makes them, and reports when none can be found.
// kss are the rendered Flux Kustomizations.
func (c *checker) fluxSource(kss []*manifest.Resource) FluxSource {
	if len(c.opts.FluxSources) > 0 {
		return FluxSource{Names: slices.Clone(c.opts.FluxSources), How: SourceConfigured}
	}
	var repos []*manifest.Resource
	defined := map[string]bool{}
	for _, r := range c.all {
		if isKind(r, "source.toolkit.fluxcd.io", "GitRepository") && !defined[r.ID.Name] {
			defined[r.ID.Name] = true
			repos = append(repos, r)
		}
	}
	slices.SortFunc(repos, func(a, b *manifest.Resource) int { return compareOrigin(a.Origin, b.Origin) })
	byFile := slices.Clone(kss)
	slices.SortFunc(byFile, func(a, b *manifest.Resource) int { return compareOrigin(a.Origin, b.Origin) })
	referenced := map[string]bool{}
	var first *manifest.Resource // the first Kustomization with a GitRepository source
	for _, ks := range byFile {
		kind, _ := lookupString(ks.Object, "/spec/sourceRef/kind")
		name, _ := lookupString(ks.Object, "/spec/sourceRef/name")
		if kind != "GitRepository" || name == "" || templated(name) {
			continue
		}
		referenced[name] = true
		if first == nil {
			first = ks
		}
		if defined[name] && c.bootstraps(ks, name, repos) {
			return FluxSource{Names: []string{name}, How: SourceBootstrap, File: ks.Origin.File}
		}
	}
	if first == nil {
		return FluxSource{How: SourceOther}
	}
	for _, r := range repos {
		if u, _ := lookupString(r.Object, "/spec/url"); u != "" && c.loc.isRepo(u) {
			return FluxSource{Names: []string{r.ID.Name}, How: SourceRemote, File: r.Origin.File}
		}
	}
	for _, n := range DefaultFluxSources {
		if referenced[n] && !defined[n] {
			return FluxSource{Names: []string{n}, How: SourceDefault}
		}
	}
	if len(repos) == 1 {
		u, _ := lookupString(repos[0].Object, "/spec/url")
		// With remotes known, a URL that is none of them is another repository.
		if len(c.loc.urls) == 0 || u == "" || templated(u) {
			return FluxSource{Names: []string{repos[0].ID.Name}, How: SourceOnly, File: repos[0].Origin.File}
		}
	}
	var names []string
	for _, r := range repos {
		names = append(names, fmt.Sprintf("%q", r.ID.Name))
	}
	defs := "the repository defines no GitRepository"
	if len(names) > 0 {
		defs = "none of its GitRepositories (" + strings.Join(names, ", ") + ") is reconciled by a bootstrap Kustomization or has the URL of a git remote"
	}
	msg := fmt.Sprintf("cannot tell which Flux GitRepository is this repository: %s; spec.path of Flux Kustomizations is not checked", defs)
	c.findings = append(c.findings, origin.FieldFinding(first, FluxSourceUnknown, "/spec/sourceRef", msg))
	return FluxSource{How: SourceNone}
}

// bootstraps reports whether ks is a bootstrap Kustomization of the
// GitRepository name: it applies a directory that holds its own file, as
// the gotk-sync.yaml of flux bootstrap does (clusters/prod applies
// clusters/prod/flux-system/gotk-sync.yaml). A GitRepository and a
// Kustomization in one file is not enough: a tenant's sync.yaml is
// written that way for another repository.
func (c *checker) bootstraps(ks *manifest.Resource, name string, repos []*manifest.Resource) bool {
	if !slices.ContainsFunc(repos, func(r *manifest.Resource) bool { return r.ID.Name == name }) {
		return false
	}
	p, _ := lookupString(ks.Object, "/spec/path")
	if p == "" || templated(p) {
		return false
	}
	rel, where, _ := c.loc.resolve(p)
	// "./" says nothing: a tenant's Kustomization applies the root of its
	// own repository that way.
	return where == inRepo && rel != "." && under(rel, path.Dir(ks.Origin.File))
}

func compareOrigin(a, b manifest.Origin) int {
	switch {
	case a.Less(b):
		return -1
	case b.Less(a):
		return 1
	}
	return 0
}
