package gitops

import (
	"fmt"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
)

const argoGroup = "argoproj.io"

// argo checks the paths of Argo CD Applications and ApplicationSets that
// deploy from this repository.
func (c *checker) argo() {
	for _, r := range c.all {
		switch {
		case isKind(r, argoGroup, "Application"):
			c.argoSources(r, "/spec")
		case isKind(r, argoGroup, "ApplicationSet"):
			c.argoGenerators(r, "/spec/generators")
			c.argoSources(r, "/spec/template/spec")
		}
	}
}

// argoSources checks source.path and every sources[].path of a spec.
func (c *checker) argoSources(r *manifest.Resource, spec string) {
	if src, ok := lookupMap(r.Object, spec+"/source"); ok {
		c.argoSource(r, spec+"/source", src)
	}
	srcs, _ := lookupList(r.Object, spec+"/sources")
	for i, s := range srcs {
		if src, ok := s.(map[string]any); ok {
			c.argoSource(r, fmt.Sprintf("%s/sources/%d", spec, i), src)
		}
	}
}

func (c *checker) argoSource(r *manifest.Resource, ptr string, src map[string]any) {
	p, ok := src["path"].(string)
	if !ok {
		return // a chart from a Helm repository, or the repository root
	}
	url, _ := src["repoURL"].(string)
	c.argoRef(r, ptr+"/path", url, p, dirPath)
}

// argoGenerators checks the git generators of an ApplicationSet, inside
// matrix and merge generators too.
func (c *checker) argoGenerators(r *manifest.Resource, ptr string) {
	gens, _ := lookupList(r.Object, ptr)
	for i := range gens {
		gp := fmt.Sprintf("%s/%d", ptr, i)
		if git, ok := lookupMap(r.Object, gp+"/git"); ok {
			url, _ := git["repoURL"].(string)
			for _, field := range []struct {
				name string
				kind refKind
			}{{"directories", dirGlob}, {"files", fileGlob}} {
				entries, _ := git[field.name].([]any)
				for j, e := range entries {
					m, _ := e.(map[string]any)
					p, ok := m["path"].(string)
					if exclude, _ := m["exclude"].(bool); !ok || exclude {
						continue // an exclusion need not match anything
					}
					c.argoRef(r, fmt.Sprintf("%s/git/%s/%d/path", gp, field.name, j), url, p, field.kind)
				}
			}
		}
		for _, nested := range []string{"matrix", "merge"} {
			if _, ok := lookupMap(r.Object, gp+"/"+nested); ok {
				c.argoGenerators(r, gp+"/"+nested+"/generators")
			}
		}
	}
}

// refKind is what an Argo CD path must name.
type refKind int

const (
	dirPath  refKind = iota // a directory
	dirGlob                 // a glob matching at least one directory
	fileGlob                // a glob matching at least one file
)

// argoRef checks one path field of an Argo CD object.
func (c *checker) argoRef(r *manifest.Resource, ptr, url, p string, kind refKind) {
	counts := &c.stats.Argo
	if !c.once("argo\x00" + r.Origin.String() + "\x00" + ptr + "\x00" + url + "\x00" + p) {
		counts = &Counts{}
	}
	switch {
	case templated(url) || templated(p):
		counts.Skipped++
		return
	case !c.loc.isRepo(url):
		counts.NotInRepo++
		return
	}
	var problem string
	if kind == dirPath {
		_, where, isFile := c.loc.resolve(p)
		switch {
		case where == outside:
			counts.NotInRepo++
			return
		case where == missing:
			problem = "does not exist in the repository"
		case isFile:
			problem = "is a file; Argo CD needs a directory"
		}
	} else {
		n, where := c.loc.glob(p, kind == fileGlob)
		switch {
		case where == outside:
			counts.NotInRepo++
			return
		case n == 0 && kind == fileGlob:
			problem = "matches no file of the repository"
		case n == 0:
			problem = "matches no directory of the repository"
		}
	}
	if problem == "" {
		counts.Resolved++
		return
	}
	counts.Missing++
	msg := fmt.Sprintf("%s %q: path %q %s (paths are relative to the repository root)", r.ID.Kind, r.ID.Name, p, problem)
	c.findings = append(c.findings, origin.FieldFinding(r, ArgoPathMissing, ptr, msg))
}
