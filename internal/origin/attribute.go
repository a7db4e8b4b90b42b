package origin

import (
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// Attributor says which source wrote each object a kustomization renders:
// the document of a file the unit's kustomizations list as resources, or
// a generator entry, with the edits the unit's patches, transformers and
// replacements make to it (Builder). kustomize can say where objects came
// from only at the price of annotating every transformer step, so the
// source is inferred: the object is matched by kind and by the name
// transformers grew against the documents of those files, and failing
// that against the generator entries. Where the graph leaves a choice
// between documents, kustomize's origin annotation settles it.
type Attributor struct {
	repo  *repo.Repo
	docs  func(file string) []*manifest.Document
	edits *Builder
	// annotated returns, for a unit, the file kustomize's origin
	// annotation names for each object; asked only when the graph leaves
	// an object's source ambiguous.
	annotated func(unit string) map[manifest.ResID]string
}

// NewAttributor returns the Attributor of a repository: docs decodes a
// repository file (once, ideally), edits finds what the unit changes in
// an object, annotated is kustomize's own word when needed.
func NewAttributor(rp *repo.Repo, docs func(file string) []*manifest.Document, edits *Builder, annotated func(unit string) map[manifest.ResID]string) *Attributor {
	return &Attributor{repo: rp, docs: docs, edits: edits, annotated: annotated}
}

// Resources turns the objects a unit rendered for a target into resources
// that know the document (and so the lines) they came from, and the edits
// made to them. An object with neither a document nor a generator keeps
// pointing at the unit's kustomization file; unattributed lists their
// indexes, for a caller that knows another writer (a Helm chart).
func (a *Attributor) Resources(target, unit string, objects []map[string]any) (res []manifest.Resource, unattributed []int) {
	chain := a.outermostFirst(unit)
	docs, gens, merging := a.sourcesOf(chain)
	fallback := manifest.Origin{File: a.repo.Kustomizations[unit].File, Line: 1}
	res = make([]manifest.Resource, 0, len(objects))
	for i, obj := range objects {
		r := manifest.Resource{ID: manifest.IDOf(obj), Object: obj, Target: target, Origin: fallback}
		r.SourceID = r.ID
		d, g, ambiguous := match(docs, gens, r.ID)
		if ambiguous != nil {
			d = a.confirm(unit, r.ID, ambiguous)
		}
		a.attribute(&r, d, g, chain, merging)
		if d == nil && g == nil {
			unattributed = append(unattributed, i)
		}
		res = append(res, r)
	}
	return res, unattributed
}

// sourcesOf lists what the kustomizations of a chain write objects from:
// the documents of the files they list as resources, their generators,
// and apart the generators that merge into or replace another's object.
func (a *Attributor) sourcesOf(chain []string) (docs []candidate, gens, merging []generatorAt) {
	for _, dir := range chain {
		k := a.repo.Kustomizations[dir]
		for _, ref := range k.Refs {
			if ref.Kind == repo.RefFile && ref.Includes() {
				for _, d := range a.docs(ref.Path) {
					if d.Object != nil {
						docs = append(docs, candidate{doc: d, name: a.renderedName(chain, d)})
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
func (a *Attributor) attribute(r *manifest.Resource, d *manifest.Document, g *generatorAt, chain []string, merging []generatorAt) {
	var src Source
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
	if src == (Source{}) {
		return
	}
	for _, g := range merging {
		if g.g.Kind == r.ID.Kind && strings.Contains(r.ID.Name, g.g.Name) {
			r.Edits = append(r.Edits, a.edits.GeneratorEdit(g.dir, g.g))
		}
	}
	r.Edits = append(r.Edits, a.edits.Edits(r, chain, src)...)
}

// candidate is a source document and the name its object renders with
// before prefixes and suffixes: its own, except for a Namespace, which
// kustomize's namespace transformer renames to the namespace it sets.
type candidate struct {
	doc  *manifest.Document
	name string
}

func (a *Attributor) renderedName(chain []string, d *manifest.Document) string {
	id := d.ID()
	if id.Kind != "Namespace" {
		return id.Name
	}
	for _, dir := range chain { // outermost first: its namespace is applied last
		for _, t := range a.repo.Kustomizations[dir].Transformers {
			if t.Field == "namespace" && a.edits.Includes(dir, Source{File: d.File}) {
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
func (a *Attributor) outermostFirst(unit string) []string {
	seen := map[string]bool{unit: true}
	order := []string{unit}
	for i := 0; i < len(order); i++ {
		for _, ref := range a.repo.Kustomizations[order[i]].Refs {
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
func (a *Attributor) confirm(unit string, id manifest.ResID, docs []*manifest.Document) *manifest.Document {
	file := a.annotated(unit)[id]
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
