package engine

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// sourceCache decodes each source file once, however many targets render
// it, so positions are looked up without re-reading bases per overlay.
type sourceCache struct {
	root  string
	files memo.Table[string, *sourceFile]
}

type sourceFile struct {
	docs []*manifest.Document
	err  error
}

func newSourceCache(root string) *sourceCache {
	return &sourceCache{root: root}
}

func (c *sourceCache) get(file string) *sourceFile {
	return c.files.Get(file, func() *sourceFile {
		// Only files inside the repository: the renderer's sandbox already
		// guarantees it, this keeps the cache honest on its own.
		if file == "" || path.IsAbs(file) || strings.HasPrefix(path.Clean(file), "..") {
			return &sourceFile{err: fmt.Errorf("%s is outside the repository", file)}
		}
		data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(file)))
		if err != nil {
			return &sourceFile{err: err}
		}
		docs, err := manifest.DecodeFile(file, data)
		return &sourceFile{docs: docs, err: err}
	})
}

// resources turns the rendered objects of a unit into resources that know
// the document (and so the lines) they came from. kustomize can say where
// objects came from only at the price of annotating every transformer
// step, so the source is inferred instead: the object is matched, by kind
// and by the name transformers grew, against the documents of the files
// that the unit's kustomizations list as resources, and failing that
// against their generator entries.
func (c *checker) resources(t repo.Target, unit string, out *render.Output) []manifest.Resource {
	var docs, patches []*manifest.Document
	var gens []repo.Generator
	for _, dir := range c.outermostFirst(unit) {
		k := c.repo.Kustomizations[dir]
		for _, ref := range k.Refs {
			switch {
			case ref.Kind != repo.RefFile:
			case ref.Includes():
				docs = append(docs, c.sources.get(ref.Path).docs...)
			case ref.Field == "patches" || ref.Field == "patchesStrategicMerge":
				patches = append(patches, c.sources.get(ref.Path).docs...)
			}
		}
		gens = append(gens, k.Generators...)
	}
	fallback := manifest.Origin{File: c.repo.Kustomizations[unit].File, Line: 1}
	res := make([]manifest.Resource, 0, len(out.Objects))
	for _, o := range out.Objects {
		r := manifest.Resource{ID: manifest.IDOf(o.Object), Object: o.Object, Target: t.Path, Origin: fallback}
		r.SourceID = r.ID
		if d := matchDoc(docs, r.ID); d != nil {
			r.Doc = d
			r.SourceID = d.ID()
			r.Origin = manifest.Origin{File: d.File, Line: d.Line, Col: 1}
			for _, p := range patches {
				if pid := p.ID(); p.Object != nil && pid.Kind == r.ID.Kind && pid.Name != "" && strings.Contains(r.ID.Name, pid.Name) {
					r.Patches = append(r.Patches, p)
				}
			}
		} else if g, ok := matchGenerator(gens, r.ID); ok {
			r.Origin = g.Pos
			r.Generated = true
			r.SourceID.Name = g.Name
		}
		res = append(res, r)
	}
	return res
}

// outermostFirst lists the unit's kustomization and those it includes,
// breadth first, so that a patch in an overlay is seen before one in its
// base (kustomize applies the overlay's last, so its value wins).
func (c *checker) outermostFirst(unit string) []string {
	seen := map[string]bool{unit: true}
	order := []string{unit}
	for i := 0; i < len(order); i++ {
		for _, ref := range c.repo.Kustomizations[order[i]].Refs {
			if ref.Kind == repo.RefDir && ref.Includes() && !seen[ref.Path] {
				seen[ref.Path] = true
				order = append(order, ref.Path)
			}
		}
	}
	return order
}

// matchDoc finds the source document of a rendered object: same kind and
// the same name, or the longest name that transformers (prefix, suffix)
// grew into the rendered one; failing that the only document of that kind.
func matchDoc(docs []*manifest.Document, id manifest.ResID) *manifest.Document {
	var byKind []*manifest.Document
	var grown *manifest.Document
	for _, d := range docs {
		if d.Object == nil {
			continue
		}
		did := d.ID()
		if did.Kind != id.Kind {
			continue
		}
		if did.Name == id.Name {
			return d
		}
		if did.Name != "" && strings.Contains(id.Name, did.Name) && (grown == nil || len(did.Name) > len(grown.ID().Name)) {
			grown = d
		}
		byKind = append(byKind, d)
	}
	if grown != nil {
		return grown
	}
	if len(byKind) == 1 {
		return byKind[0]
	}
	return nil
}

// matchGenerator finds the generator entry that made a ConfigMap or
// Secret: the longest generator name contained in the rendered name
// ("app" and "app-config" both occur in "dev-app-config-5c7g8").
func matchGenerator(gens []repo.Generator, id manifest.ResID) (repo.Generator, bool) {
	var best repo.Generator
	found := false
	for _, g := range gens {
		if g.Kind == id.Kind && strings.Contains(id.Name, g.Name) && (!found || len(g.Name) > len(best.Name)) {
			best, found = g, true
		}
	}
	return best, found
}

// plainObjects reports whether kustomize would take the file's documents
// as they are: every document decodes to an object with apiVersion and kind
// and none is a List, which kustomize expands into its items.
func (sf *sourceFile) plainObjects() bool {
	if sf.err != nil {
		return false
	}
	for _, d := range sf.docs {
		if d.Object == nil {
			continue
		}
		if !manifest.IsKubernetesObject(d.Object) || strings.HasSuffix(d.ID().Kind, "List") {
			return false
		}
	}
	return true
}
