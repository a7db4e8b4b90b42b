package engine

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// sourceCache decodes each source file once, however many targets render
// it, so positions are looked up without re-reading bases per overlay.
type sourceCache struct {
	fs    *rootfs.FS
	files memo.Table[string, *sourceFile]
}

type sourceFile struct {
	docs []*manifest.Document
	err  error
}

func newSourceCache(fsys *rootfs.FS) *sourceCache {
	return &sourceCache{fs: fsys}
}

// read reads a repository file. Only files inside the repository: the
// renderer's sandbox already guarantees it for what kustomize names, this
// keeps every other reader honest on its own.
func (c *sourceCache) read(file string) ([]byte, error) {
	if file == "" || path.IsAbs(file) {
		return nil, fmt.Errorf("%s is outside the repository", file)
	}
	return c.fs.ReadFile(file)
}

func (c *sourceCache) get(file string) *sourceFile {
	return c.files.Get(file, func() *sourceFile {
		// Only files inside the repository: the renderer's sandbox already
		// guarantees it, this keeps the cache honest on its own.
		data, err := c.read(file)
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
	chain := c.outermostFirst(unit)
	docs, gens, merging := c.sourcesOf(chain)
	fallback := manifest.Origin{File: c.repo.Kustomizations[unit].File, Line: 1}
	res := make([]manifest.Resource, 0, len(out.Objects))
	for _, o := range out.Objects {
		r := manifest.Resource{ID: manifest.IDOf(o.Object), Object: o.Object, Target: t.Path, Origin: fallback}
		r.SourceID = r.ID
		d, g, ambiguous := match(docs, gens, r.ID)
		if ambiguous != nil {
			d = c.confirm(unit, r.ID, ambiguous)
		}
		c.attribute(&r, d, g, chain, merging)
		if d == nil && g == nil && o.Template != "" {
			c.helmOrigin(&r, o) // written by a Helm chart the render inflated
		}
		res = append(res, r)
	}
	return res
}

// sourcesOf lists what the kustomizations of a chain write objects from:
// the documents of the files they list as resources, their generators,
// and apart the generators that merge into or replace another's object.
func (c *checker) sourcesOf(chain []string) (docs []candidate, gens, merging []generatorAt) {
	for _, dir := range chain {
		k := c.repo.Kustomizations[dir]
		for _, ref := range k.Refs {
			if ref.Kind == repo.RefFile && ref.Includes() {
				for _, d := range c.sources.get(ref.Path).docs {
					if d.Object != nil {
						docs = append(docs, candidate{doc: d, name: c.renderedName(chain, d)})
					}
				}
			}
		}
		for i := range k.Generators {
			g := generatorAt{dir: dir, g: &k.Generators[i]}
			if g.g.Behavior == "merge" || g.g.Behavior == "replace" {
				merging = append(merging, g)
			} else {
				gens = append(gens, g)
			}
		}
	}
	return docs, gens, merging
}

// attribute points a rendered resource at the document (or else the
// generator) it came from, and records the edits the chain makes to it;
// with neither, it keeps pointing at the unit's kustomization.
func (c *checker) attribute(r *manifest.Resource, d *manifest.Document, g *generatorAt, chain []string, merging []generatorAt) {
	var src origin.Source
	switch {
	case d != nil:
		r.Doc = d
		r.SourceID = d.ID()
		r.Origin = manifest.Origin{File: d.File, Line: d.Line, Col: 1}
		src.File = d.File
	case g != nil:
		r.Origin = g.g.Pos
		r.Generated = true
		r.SourceID.Name = g.g.Name
		src.Generator, src.GenDir = g.g, g.dir
	}
	if src == (origin.Source{}) {
		return
	}
	for _, g := range merging {
		if g.g.Kind == r.ID.Kind && strings.Contains(r.ID.Name, g.g.Name) {
			r.Edits = append(r.Edits, c.edits.GeneratorEdit(g.dir, g.g))
		}
	}
	r.Edits = append(r.Edits, c.edits.Edits(r, chain, src)...)
}

// candidate is a source document and the name its object renders with
// before prefixes and suffixes: its own, except for a Namespace, which
// kustomize's namespace transformer renames to the namespace it sets.
type candidate struct {
	doc  *manifest.Document
	name string
}

func (c *checker) renderedName(chain []string, d *manifest.Document) string {
	id := d.ID()
	if id.Kind != "Namespace" {
		return id.Name
	}
	for _, dir := range chain { // outermost first: its namespace is applied last
		for _, t := range c.repo.Kustomizations[dir].Transformers {
			if t.Field == "namespace" && c.edits.Includes(dir, origin.Source{File: d.File}) {
				return t.Value
			}
		}
	}
	return id.Name
}

// generatorAt is a generator entry and the kustomization that has it.
type generatorAt struct {
	dir string
	g   *repo.Generator
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

// match finds where a rendered object comes from, by its full identity
// (group, kind, namespace, name): the document of the same name; else
// the document or generator whose name the rendered one grew from by
// prefixes and suffixes, the longest such name winning ("app" and
// "app-config" both occur in "dev-app-config-5c7g8"); else the only
// document of that kind. When several documents remain (a Role of one name
// in several namespaces, whose namespace an overlay rewrites), they are
// returned as ambiguous for the caller to settle from kustomize's origin
// annotation: never guessed.
func match(docs []candidate, gens []generatorAt, id manifest.ResID) (*manifest.Document, *generatorAt, []*manifest.Document) {
	m := matchDocs(docs, id)
	if len(m.exact) > 0 {
		return settle(sameNamespace(m.exact, id.Namespace))
	}
	gen := longestGenerator(gens, id, m.best)
	switch {
	case gen != nil:
		return nil, gen, nil
	case len(m.grown) > 0:
		return settle(sameNamespace(m.grown, id.Namespace))
	case m.only != nil && !m.several:
		return m.only, nil, nil
	}
	return nil, nil, nil
}

// docMatches are the documents of a rendered object's kind that could
// have written it.
type docMatches struct {
	// exact have its name; grown the longest name it grew from, best
	// long.
	exact, grown []*manifest.Document
	best         int
	// only is a document of the kind; several says there are others.
	only    *manifest.Document
	several bool
}

func matchDocs(docs []candidate, id manifest.ResID) docMatches {
	var m docMatches
	for _, d := range docs {
		did := d.doc.ID()
		if did.Kind != id.Kind || did.Group() != id.Group() {
			continue
		}
		m.several = m.several || (m.only != nil && m.only != d.doc)
		m.only = d.doc
		grew := d.name != "" && strings.Contains(id.Name, d.name)
		switch {
		case d.name == id.Name:
			m.exact = append(m.exact, d.doc)
		case grew && len(d.name) > m.best:
			m.grown, m.best = []*manifest.Document{d.doc}, len(d.name)
		case grew && len(d.name) == m.best:
			m.grown = append(m.grown, d.doc)
		}
	}
	return m
}

// longestGenerator is the generator of the object's kind whose name it
// grew from, the longest such name winning; nil when none is at least
// as long as the best document's (best).
func longestGenerator(gens []generatorAt, id manifest.ResID, best int) *generatorAt {
	var gen *generatorAt
	for i, g := range gens {
		if g.g.Kind == id.Kind && strings.Contains(id.Name, g.g.Name) && len(g.g.Name) >= best && (gen == nil || len(g.g.Name) > len(gen.g.Name)) {
			gen = &gens[i]
		}
	}
	return gen
}

// sameNamespace narrows documents to those written in the rendered
// object's namespace, else to those that set none (a transformer set
// it); when neither narrows, all remain.
func sameNamespace(docs []*manifest.Document, ns string) []*manifest.Document {
	if len(docs) < 2 {
		return docs
	}
	for _, want := range []string{ns, ""} {
		var out []*manifest.Document
		for _, d := range docs {
			if d.ID().Namespace == want {
				out = append(out, d)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return docs
}

// settle returns the one document left, or the several; a file that two
// kustomizations of the unit list is one document twice.
func settle(docs []*manifest.Document) (*manifest.Document, *generatorAt, []*manifest.Document) {
	var distinct []*manifest.Document
	for _, d := range docs {
		if !slices.Contains(distinct, d) {
			distinct = append(distinct, d)
		}
	}
	docs = distinct
	if len(docs) == 1 {
		return docs[0], nil, nil
	}
	return nil, nil, docs
}

// confirm picks, among documents that match a rendered object equally
// well, the one in the file kustomize's origin annotation names for the
// object; nil when that does not single one out.
func (c *checker) confirm(unit string, id manifest.ResID, docs []*manifest.Document) *manifest.Document {
	file := c.originSources(unit)[id]
	var found *manifest.Document
	for _, d := range docs {
		if d.File != file {
			continue
		}
		if found != nil {
			return nil // two documents of one file: the annotation cannot tell
		}
		found = d
	}
	return found
}

// originSources renders a unit once more with kustomize's origin
// annotations, which name the file each object comes from. That doubles
// the render's cost, so it is done only for a unit where the kustomization
// graph leaves an object's source ambiguous, and once per unit.
func (c *checker) originSources(unit string) map[manifest.ResID]string {
	return c.origins.Get(unit, func() map[manifest.ResID]string {
		lr := types.LoadRestrictionsRootOnly
		for k := range c.units {
			if k.dir == unit && k.lr > lr {
				lr = k.lr
			}
		}
		out, err := render.New(render.Options{Root: c.repo.Root, LoadRestrictions: lr, Origins: true}).Render(unit)
		if err != nil {
			return nil
		}
		m := make(map[manifest.ResID]string, len(out.Objects))
		for _, o := range out.Objects {
			m[manifest.IDOf(o.Object)] = o.Source
		}
		return m
	})
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
