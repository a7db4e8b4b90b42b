package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

// Custom resources are validated against every CustomResourceDefinition of
// the run, wherever it is: one in a cluster's CRD directory validates the
// resources of every target. They are gathered between rendering and
// checking, in this order of precedence:
//
//  1. the paths given with --crds (CRDPaths) and in the configuration
//     (RepoCRDPaths), in the order given;
//  2. the repository, in file order: every YAML or JSON file that holds a
//     CRD (a plain manifest, a kustomize base, a Helm chart's crds/), and
//     every rendered unit that outputs one (a CRD patched by an overlay,
//     ordered by its source file).
//
// The bundled GitOps schemas and the schema locations come after them (see
// package schema).
//
// The first definition of an apiVersion and kind wins; a later one with a
// different schema is a crd-conflict finding, unless both come from the
// same source document (overlays patching one CRD).

// crdDef is one CustomResourceDefinition found for the run.
type crdDef struct {
	// origin is where it is written: repository-relative when inRepo,
	// else the path as the user gave it.
	origin manifest.Origin
	inRepo bool
	id     manifest.ResID
	kinds  []crd.Kind
	// findings are those of the CRD itself that the API server would
	// refuse it for (cel-rule-invalid), for a file in the repository:
	// a CRD no target renders, or one given by --crds or crds:, is
	// still what the cluster gets.
	findings []rules.Finding
}

// where names a definition in messages.
func (d *crdDef) where() string {
	if d.inRepo {
		return d.origin.String()
	}
	return "--crds " + d.origin.File
}

// defsOf converts the CRDs among docs.
func defsOf(docs []*manifest.Document, origin func(d *manifest.Document) (manifest.Origin, bool)) []crdDef {
	var defs []crdDef
	for _, d := range docs {
		if d.Object == nil || !crd.IsCRD(d.Object) {
			continue
		}
		kinds, err := crd.Kinds(d.Object)
		if err != nil {
			continue // the CRD's own schema reports what is missing
		}
		o, inRepo := origin(d)
		def := crdDef{origin: o, inRepo: inRepo, id: d.ID(), kinds: kinds}
		if inRepo && apiserver.HasRules(d.Object) {
			r := manifest.Resource{ID: d.ID(), SourceID: d.ID(), Object: d.Object, Origin: o, Doc: d}
			def.findings = apiserver.CheckCRD(context.Background(), &r)
		}
		defs = append(defs, def)
	}
	return defs
}

// loadCRDPaths reads the CRD files and directories the user named. Paths
// from the command line (confined false) are read as given, relative to
// the working directory, even outside the repository: the user asked for
// them. Paths from the repository's configuration (confined true) are
// repository-relative and must stay inside it. A path that cannot be read,
// holds malformed YAML or no CRD at all is an error: the run cannot do
// what it was asked.
func loadCRDPaths(root string, paths []string, confined bool) ([]crdDef, error) {
	var defs []crdDef
	for _, p := range paths {
		full := p
		if confined {
			clean := path.Clean(filepath.ToSlash(p))
			if filepath.IsAbs(p) || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
				return nil, fmt.Errorf("crds path %q leaves the repository", p)
			}
			fsys, err := rootfs.New(root)
			if err != nil {
				return nil, err
			}
			if _, err := fsys.Resolve(clean); errors.Is(err, rootfs.ErrOutside) {
				return nil, fmt.Errorf("crds path %q: resolves outside the repository", p)
			}
			full = filepath.Join(root, filepath.FromSlash(clean))
		}
		// Read confined: inside the repository to it, a path outside
		// (only the command line can name one) to itself.
		files, err := rootfs.ReadTree(root, full, isManifestFile)
		if err != nil {
			return nil, fmt.Errorf("crds path %q: %w", p, err)
		}
		found := 0
		for _, f := range files {
			name, inRepo := repoRelative(root, filepath.Join(full, filepath.FromSlash(f.Rel)))
			docs, err := manifest.DecodeFile(name, f.Data)
			if err != nil {
				return nil, fmt.Errorf("crds path %q: %w", p, err)
			}
			got := defsOf(docs, func(d *manifest.Document) (manifest.Origin, bool) {
				return manifest.Origin{File: name, Line: d.Line, Col: 1}, inRepo
			})
			found += len(got)
			defs = append(defs, got...)
		}
		if found == 0 {
			return nil, fmt.Errorf("crds path %q holds no apiextensions.k8s.io/v1 CustomResourceDefinition", p)
		}
	}
	return defs, nil
}

// repoRelative returns file relative to the repository root, slash-separated,
// and whether it is inside at all; else file as given.
func repoRelative(root, file string) (string, bool) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return filepath.ToSlash(file), false
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	if !within(root, abs) {
		return filepath.ToSlash(file), false
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil {
		return filepath.ToSlash(file), false
	}
	return filepath.ToSlash(rel), true
}

func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func isManifestFile(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// fileCRDs finds the CRDs in one of the repository's files, whether or not any
// target includes them. Plain manifests are already decoded; other files
// are decoded only for the moment it takes to convert their CRDs, not
// through the checker's source cache: CRD files are large, their documents
// are seldom looked up for positions, and their YAML nodes would stay in
// memory for the whole run (190 MB more live heap on kubeflow/manifests).
func (c *checker) fileCRDs(f string, data []byte) []crdDef {
	if !bytes.Contains(data, []byte("CustomResourceDefinition")) {
		return nil
	}
	origin := func(d *manifest.Document) (manifest.Origin, bool) {
		return manifest.Origin{File: f, Line: d.Line, Col: 1}, true
	}
	if docs, plain := c.repo.Manifests[f]; plain {
		return defsOf(docs, origin)
	}
	// One document at a time, so that only one CRD's YAML nodes are in
	// memory at once. Documents before a syntax error still count;
	// yaml-syntax is reported where the file is used.
	var defs []crdDef
	var aliases manifest.AliasGuard
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil || aliases.Check(f, &n) != nil {
			return defs
		}
		if len(n.Content) != 1 || !isCRDNode(n.Content[0]) {
			continue
		}
		var obj map[string]any
		if err := n.Content[0].Decode(&obj); err != nil {
			continue
		}
		// The node goes with the document for the moment its CRD
		// is checked, so that a finding names its line.
		defs = append(defs, defsOf([]*manifest.Document{{File: f, Line: n.Content[0].Line, Object: obj, Node: n.Content[0]}}, origin)...)
	}
}

// isCRDNode tells a CRD from the other documents of a file without
// decoding them.
func isCRDNode(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	var apiVersion, kind string
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "apiVersion":
			apiVersion = n.Content[i+1].Value
		case "kind":
			kind = n.Content[i+1].Value
		}
	}
	return crd.IsCRD(map[string]any{"apiVersion": apiVersion, "kind": kind})
}

// renderedCRDs finds the CRDs that rendered units output, with the source
// document each came from.
func (c *checker) renderedCRDs(units []unitKey) []crdDef {
	var defs []crdDef
	for _, k := range units {
		d, u := k.dir, c.units[k]
		if u.err != nil {
			continue
		}
		var objs []render.Object
		for _, o := range u.out.Objects {
			if crd.IsCRD(o.Object) {
				objs = append(objs, o)
			}
		}
		if len(objs) == 0 {
			continue
		}
		for _, r := range c.resources(repo.Target{Path: d}, d, &render.Output{Objects: objs}) {
			if r.Doc != nil && r.Origin.File == r.Doc.File && reflect.DeepEqual(r.Object["spec"], r.Doc.Object["spec"]) {
				if _, walked := slices.BinarySearch(c.repo.Files, r.Doc.File); walked {
					continue // unchanged: fileCRDs converts its source document
				}
			}
			kinds, err := crd.Kinds(r.Object)
			if err != nil {
				continue
			}
			defs = append(defs, crdDef{origin: r.Origin, inRepo: true, id: r.SourceID, kinds: kinds})
		}
	}
	return defs
}

// resolveCRDs picks one schema per apiVersion and kind: the first of the
// explicit definitions, then of the repository's in file order (rendered
// before raw at the same position, since a patch may have changed it). It
// reports the repository's CRDs that lose to a different definition.
func resolveCRDs(explicit, found []crdDef) ([]crd.Kind, []rules.Finding) {
	sort.SliceStable(found, func(i, j int) bool { return found[i].origin.Less(found[j].origin) })
	type winner struct {
		def       *crdDef
		canonical []byte
	}
	won := map[string]winner{}
	var kinds []crd.Kind
	var findings []rules.Finding
	for _, list := range [][]crdDef{explicit, found} {
		for i := range list {
			def := &list[i]
			lost := map[*crdDef][]string{}
			for _, k := range def.kinds {
				key := k.APIVersion() + "/" + k.Kind
				canonical, err := json.Marshal(k.Schema)
				if err != nil {
					continue
				}
				w, ok := won[key]
				if !ok {
					won[key] = winner{def: def, canonical: canonical}
					kinds = append(kinds, k)
					continue
				}
				if def.inRepo && w.def.origin != def.origin && !bytes.Equal(w.canonical, canonical) {
					lost[w.def] = append(lost[w.def], k.APIVersion()+" "+k.Kind)
				}
			}
			winners := make([]*crdDef, 0, len(lost))
			for w := range lost {
				winners = append(winners, w)
			}
			slices.SortFunc(winners, func(a, b *crdDef) int { return strings.Compare(a.where(), b.where()) })
			for _, w := range winners {
				f := rules.Finding{
					RuleID: rules.CRDConflict,
					Message: fmt.Sprintf("CustomResourceDefinition %q defines %s differently from %s, against which resources of that kind are validated",
						def.id.Name, strings.Join(lost[w], ", "), w.where()),
					Location: def.origin,
					Resource: def.id,
				}
				if w.inRepo {
					f.Related = []manifest.Origin{w.origin}
				}
				findings = append(findings, f)
			}
		}
	}
	return kinds, findings
}

// defFindings are the findings of CRD files themselves, once each.
func defFindings(lists ...[]crdDef) []rules.Finding {
	var out []rules.Finding
	for _, defs := range lists {
		for _, d := range defs {
			out = append(out, d.findings...)
		}
	}
	return out
}
