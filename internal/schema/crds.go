package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

// Custom resources are validated in process, not through kubeconform: their
// schemas come from CRDs found during the run (WithCRDs) or embedded for the
// GitOps stack, and kubeconform only reads schemas from files or URLs.
// Each kind's schema is compiled once per Validator, on first use.

// gitopsBundle holds the converted CRD schemas of Argo CD, Flux, Sealed
// Secrets and External Secrets, written by ./gen from pinned releases.
//
//go:embed bundle/crds/gitops.json.gz
var gitopsBundle []byte

// objectMetaDef is the definition against which the API server validates
// the metadata of every custom resource, whatever its CRD says.
const objectMetaDef = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

// customBase is the base URI of compiled custom resource schemas. It names
// no reachable host: the schemas refer only to themselves, and the
// compiler has no loader for it anyway.
const customBase = "https://crds.gitops-lint.invalid/"

// gitopsIndex is the decoded GitOps bundle.
type gitopsIndex struct {
	bundle *crd.Bundle
	kinds  map[string]crd.Kind // by apiVersion + "/" + kind
}

func loadGitOps() (*gitopsIndex, error) {
	b, err := crd.DecodeBundle(bytes.NewReader(gitopsBundle))
	if err != nil {
		return nil, fmt.Errorf("embedded GitOps schemas: %w", err)
	}
	idx := &gitopsIndex{bundle: b, kinds: make(map[string]crd.Kind, len(b.Kinds))}
	for _, k := range b.Kinds {
		idx.kinds[k.APIVersion()+"/"+k.Kind] = k
	}
	return idx, nil
}

// BundledCRDs lists the embedded GitOps kinds and the releases they come from.
func BundledCRDs() ([]crd.Kind, []crd.Source, error) {
	idx, err := loadGitOps()
	if err != nil {
		return nil, nil, err
	}
	return idx.bundle.Kinds, idx.bundle.Sources, nil
}

// BundledCRD returns the embedded GitOps kind of apiVersion and kind,
// decoded once for v and every Validator derived from it, which validate
// custom resources of those kinds from the same decoding. A group the
// Kubernetes version serves has none, and is answered without decoding
// the embedded kinds: about 40 ms of CPU that a run without custom
// resources, a pre-commit check of a few files, never needs. The
// embedded bundle always decodes (TestBundledCRDs); if it did not, no
// kind would be found here, and schema validation would report why.
func (v *Validator) BundledCRD(apiVersion, kind string) (crd.Kind, bool) {
	group, _, ok := strings.Cut(apiVersion, "/")
	if !ok || v.builtinGroup(group) {
		return crd.Kind{}, false
	}
	idx, err := v.gitops()
	if err != nil {
		return crd.Kind{}, false
	}
	k, ok := idx.kinds[apiVersion+"/"+kind]
	return k, ok
}

// objectMeta assembles ObjectMeta from the Kubernetes bundle.
func objectMeta(b *bundle.Bundle) (map[string]any, error) {
	data, err := b.StandaloneDefinition(objectMetaDef)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// WithCRDs returns a Validator that also validates custom resources against
// the given schemas, converted from CustomResourceDefinitions (see package
// crd). Of several schemas for one apiVersion and kind the first wins. They
// come before the embedded GitOps schemas, since a repository's own CRD is
// the one its cluster has, and after the Kubernetes schemas, which the API
// server never lets a CRD replace. v is unchanged; both share the embedded
// schemas and kubeconform's cache.
//
// The schemas are kept as JSON until a resource of their kind needs them:
// as decoded maps, the CRDs of a large repository (kubeflow/manifests has
// 119 kinds) take fifteen times the memory.
func (v *Validator) WithCRDs(kinds []crd.Kind) *Validator {
	w := &Validator{shared: v.shared, crds: make(map[string][]byte, len(kinds))}
	for _, k := range kinds {
		key := k.APIVersion() + "/" + k.Kind
		if _, dup := w.crds[key]; dup {
			continue
		}
		data, err := json.Marshal(k.Schema)
		if err != nil {
			continue // not JSON: not a schema anything decoded
		}
		w.crds[key] = data
	}
	return w
}

// validateCustom validates data against the CRD-derived schema of key. It
// reports false when there is none, or when it does not compile (a CRD
// whose own schema is broken, which schema-invalid reports on the CRD), so
// that the schema locations are tried next.
func (v *Validator) validateCustom(key string, data []byte) (Result, bool) {
	compiled := &v.custom
	if _, own := v.crds[key]; !own {
		compiled = &v.bundled // an embedded GitOps kind, or none
	}
	cs := compiled.Get(key, func() detailSchema {
		doc, err := v.customDocument(key)
		if doc == nil || err != nil {
			return detailSchema{err: err}
		}
		sch, err := compileDocument(customBase+key+".json", doc)
		return detailSchema{sch: sch, err: err}
	})
	if cs.sch == nil {
		return Result{}, false
	}
	errs, invalid := leafErrors(cs.sch, data)
	if !invalid {
		return Result{Status: Valid}, true
	}
	sortErrors(errs)
	return Result{Status: Invalid, Errors: errs}, true
}

// customDocument returns the standalone schema of a custom resource, or
// nil when no CRD defines key.
func (v *Validator) customDocument(key string) (map[string]any, error) {
	var doc map[string]any
	if data, ok := v.crds[key]; ok {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return nil, err
		}
	} else {
		idx, err := v.gitops()
		if err != nil {
			return nil, err
		}
		k, ok := idx.kinds[key]
		if !ok {
			return nil, nil
		}
		doc = idx.bundle.Document(k)
	}
	meta, err := v.objectMeta()
	if err != nil {
		return nil, err
	}
	meta = maps.Clone(meta)
	metaDefs, _ := meta["definitions"].(map[string]any)
	delete(meta, "definitions")
	props, _ := doc["properties"].(map[string]any)
	props = maps.Clone(props)
	if narrowed, ok := props["metadata"].(map[string]any); ok && !(len(narrowed) == 1 && narrowed["type"] == "object") {
		props["metadata"] = map[string]any{"allOf": []any{meta, narrowed}}
	} else {
		props["metadata"] = meta
	}
	doc["properties"] = props
	if len(metaDefs) > 0 {
		defs, _ := doc["definitions"].(map[string]any)
		defs = maps.Clone(defs)
		if defs == nil {
			defs = map[string]any{}
		}
		maps.Copy(defs, metaDefs)
		doc["definitions"] = defs
	}
	return doc, nil
}

// compileDocument compiles a schema as kubeconform compiles its files
// (draft 4), after a round trip through JSON so that numbers are what the
// compiler expects whatever decoded the CRD.
func compileDocument(loc string, doc map[string]any) (*jsonschema.Schema, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource(loc, inst); err != nil {
		return nil, err
	}
	return c.Compile(loc)
}

// exportGitOps writes the embedded GitOps schemas under root, where the
// exported location template finds them.
func (v *Validator) exportGitOps(root string) error {
	idx, err := v.gitops()
	if err != nil {
		return err
	}
	for _, k := range idx.bundle.Kinds {
		doc, err := v.customDocument(k.APIVersion() + "/" + k.Kind)
		if err != nil {
			return err
		}
		data, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if err := writeAtomic(filepath.Join(root, schemaFile(k.APIVersion(), k.Kind)), data); err != nil {
			return fmt.Errorf("write schema of %s %s: %w", k.APIVersion(), k.Kind, err)
		}
	}
	return nil
}

// GroupKinds lists what the validator has schemas for in an API group:
// each kind with its versions, sorted; nil for a group it knows nothing
// of. The engine uses it to say which versions exist when a resource's
// version has no schema, and to suggest the kind meant by a typo.
func (v *Validator) GroupKinds(group string) map[string][]string {
	out := map[string][]string{}
	add := func(apiVersion, kind string) {
		g, version, ok := strings.Cut(apiVersion, "/")
		if !ok {
			g, version = "", apiVersion
		}
		if g == group && !slices.Contains(out[kind], version) {
			out[kind] = append(out[kind], version)
		}
	}
	for key := range v.kinds {
		i := strings.LastIndex(key, "/")
		add(key[:i], key[i+1:])
	}
	for key := range v.crds {
		i := strings.LastIndex(key, "/")
		add(key[:i], key[i+1:])
	}
	if idx, err := v.gitops(); err == nil {
		for _, k := range idx.bundle.Kinds {
			add(k.APIVersion(), k.Kind)
		}
	}
	if len(out) == 0 {
		return nil
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}
