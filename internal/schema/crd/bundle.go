package crd

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
)

// Source names the CRD manifests a bundle was converted from.
type Source struct {
	// Module and Version are the Go module that publishes the manifests.
	Module  string `json:"module"`
	Version string `json:"version"`
	// Files are the CRD files inside the module.
	Files []string `json:"files"`
}

// Bundle is the compact, embeddable form of converted CRD schemas. Large
// subschemas that occur more than once (Argo CD's ApplicationSet repeats
// its generators' templates dozens of times; External Secrets' stores
// repeat every provider in each version) are stored once, under
// Definitions, and referred to with "$ref": "#/definitions/<name>".
type Bundle struct {
	Sources []Source `json:"sources"`
	// Kinds are sorted by group, version and kind.
	Kinds []Kind `json:"kinds"`
	// Definitions are shared subschemas, named by a hash of their content.
	Definitions map[string]map[string]any `json:"definitions,omitempty"`
	// Server holds, by apiVersion/kind, the openAPIV3Schema of the kinds
	// whose CRD has checks the API server applies beyond Schema (CEL
	// rules, formats, list-map keys: Kind.OpenAPI), without descriptions,
	// so that bundled kinds get those checks as a repository's CRDs do.
	Server map[string]map[string]any `json:"server,omitempty"`
}

const refPrefix = "#/definitions/"

// minShared is the size, in bytes of JSON, below which a repeated
// subschema is left where it is: a reference and its entry cost about
// this much.
const minShared = 200

// NewBundle builds a bundle from converted kinds, sharing their repeated
// subschemas. The result depends only on its input, not on map order.
func NewBundle(sources []Source, kinds []Kind) *Bundle {
	kinds = slices.Clone(kinds)
	sort.Slice(kinds, func(i, j int) bool {
		a, b := kinds[i], kinds[j]
		if a.Group != b.Group {
			return a.Group < b.Group
		}
		if a.Version != b.Version {
			return a.Version < b.Version
		}
		return a.Kind < b.Kind
	})
	in := &interner{count: map[string]int{}, defs: map[string]map[string]any{}}
	for _, k := range kinds {
		in.countSchema(k.Schema)
	}
	b := &Bundle{Sources: sources, Definitions: in.defs, Server: map[string]map[string]any{}}
	for _, k := range kinds {
		k.Schema = in.root(k.Schema)
		if k.OpenAPI != nil {
			b.Server[k.APIVersion()+"/"+k.Kind] = StripDocs(k.OpenAPI)
		}
		b.Kinds = append(b.Kinds, k)
	}
	if len(b.Server) == 0 {
		b.Server = nil
	}
	b.inlineSingleUse()
	if len(b.Definitions) == 0 {
		b.Definitions = nil
	}
	return b
}

// Document returns the schema of k with the shared definitions it refers
// to, ready to compile. It does not modify the bundle.
func (b *Bundle) Document(k Kind) map[string]any {
	doc := maps.Clone(k.Schema)
	defs := map[string]any{}
	queue := refs(k.Schema, nil)
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := defs[name]; done {
			continue
		}
		d := b.Definitions[name]
		defs[name] = d
		queue = refs(d, queue)
	}
	if len(defs) > 0 {
		doc["definitions"] = defs
	}
	return doc
}

// Encode writes the bundle as gzip-compressed JSON; the bytes depend only
// on the bundle (see bundle.EncodeGzipJSON).
func (b *Bundle) Encode(w io.Writer) error {
	if err := bundle.EncodeGzipJSON(w, b); err != nil {
		return fmt.Errorf("encode CRD bundle: %w", err)
	}
	return nil
}

// DecodeBundle reads a bundle written by Encode, keeping bounds exactly as
// the CRDs spell them.
func DecodeBundle(r io.Reader) (*Bundle, error) {
	var b Bundle
	if err := bundle.DecodeGzipJSON(r, &b); err != nil {
		return nil, fmt.Errorf("decode CRD bundle: %w", err)
	}
	for i, k := range b.Kinds {
		b.Kinds[i].OpenAPI = b.Server[k.APIVersion()+"/"+k.Kind]
	}
	return &b, nil
}

// interner shares repeated subschemas.
type interner struct {
	count map[string]int            // canonical JSON → occurrences
	defs  map[string]map[string]any // name → shared subschema
}

func canonical(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		panic(err) // converted schemas hold only JSON values
	}
	return string(data)
}

// countSchema counts every subschema in a schema position below s.
func (in *interner) countSchema(s map[string]any) {
	eachSub(s, func(sub map[string]any) {
		in.count[canonical(sub)]++
		in.countSchema(sub)
	})
}

// root shares the repeated subschemas of a kind's schema, except the
// root's metadata, which the validator replaces.
func (in *interner) root(s map[string]any) map[string]any {
	out := in.rewrite(s)
	if props, ok := out["properties"].(map[string]any); ok {
		orig, _ := s["properties"].(map[string]any)
		if md, ok := orig["metadata"]; ok {
			props["metadata"] = md
		}
	}
	return out
}

// rewrite returns s with each large repeated subschema replaced by a
// reference to its shared copy.
func (in *interner) rewrite(s map[string]any) map[string]any {
	return mapSub(s, func(sub map[string]any) map[string]any {
		c := canonical(sub)
		if in.count[c] < 2 || len(c) < minShared {
			return in.rewrite(sub)
		}
		sum := sha256.Sum256([]byte(c))
		name := hex.EncodeToString(sum[:8])
		if _, ok := in.defs[name]; !ok {
			in.defs[name] = in.rewrite(sub)
		}
		return map[string]any{"$ref": refPrefix + name}
	})
}

// inlineSingleUse puts back the shared subschemas that end up referred to
// only once: a subschema repeated only inside another shared one is
// stored once anyway.
func (b *Bundle) inlineSingleUse() {
	for {
		uses := map[string]int{}
		for _, k := range b.Kinds {
			for _, r := range refs(k.Schema, nil) {
				uses[r]++
			}
		}
		for _, d := range b.Definitions {
			for _, r := range refs(d, nil) {
				uses[r]++
			}
		}
		single := map[string]bool{}
		for name := range b.Definitions {
			if uses[name] <= 1 {
				single[name] = true
			}
		}
		if len(single) == 0 {
			return
		}
		var inline func(s map[string]any) map[string]any
		inline = func(s map[string]any) map[string]any {
			return mapSub(s, func(sub map[string]any) map[string]any {
				if ref, ok := sub["$ref"].(string); ok && single[strings.TrimPrefix(ref, refPrefix)] {
					return inline(b.Definitions[strings.TrimPrefix(ref, refPrefix)])
				}
				return inline(sub)
			})
		}
		for i := range b.Kinds {
			b.Kinds[i].Schema = inline(b.Kinds[i].Schema)
		}
		for name, d := range b.Definitions {
			if !single[name] {
				b.Definitions[name] = inline(d)
			}
		}
		for name := range single {
			delete(b.Definitions, name)
		}
	}
}

// refs appends the definitions s refers to, in a deterministic order.
func refs(s map[string]any, acc []string) []string {
	if ref, ok := s["$ref"].(string); ok {
		return append(acc, strings.TrimPrefix(ref, refPrefix))
	}
	eachSub(s, func(sub map[string]any) { acc = refs(sub, acc) })
	return acc
}

// eachSub calls fn on every subschema directly below s, in a fixed order.
func eachSub(s map[string]any, fn func(map[string]any)) {
	for _, k := range []string{"properties", "items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"} {
		switch v := s[k].(type) {
		case map[string]any:
			if k != "properties" {
				fn(v)
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(v)) {
				if sub, ok := v[name].(map[string]any); ok {
					fn(sub)
				}
			}
		case []any:
			for _, x := range v {
				if sub, ok := x.(map[string]any); ok {
					fn(sub)
				}
			}
		}
	}
}

// mapSub returns a copy of s with every subschema directly below it
// replaced by fn's result.
func mapSub(s map[string]any, fn func(map[string]any) map[string]any) map[string]any {
	out := maps.Clone(s)
	for _, k := range []string{"properties", "items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"} {
		switch v := s[k].(type) {
		case map[string]any:
			if k != "properties" {
				out[k] = fn(v)
				continue
			}
			props := make(map[string]any, len(v))
			for name, p := range v {
				if sub, ok := p.(map[string]any); ok {
					props[name] = fn(sub)
				} else {
					props[name] = p
				}
			}
			out[k] = props
		case []any:
			list := make([]any, len(v))
			for i, x := range v {
				if sub, ok := x.(map[string]any); ok {
					list[i] = fn(sub)
				} else {
					list[i] = x
				}
			}
			out[k] = list
		}
	}
	return out
}

// StripDocs returns a copy of an openAPIV3Schema without what only people
// read (description, example), walking schema positions only: a property
// named "description", an enum value or a default is data and stays.
func StripDocs(s map[string]any) map[string]any {
	out := make(map[string]any, len(s))
	for k, v := range s {
		switch k {
		case "description", "example":
			continue
		case "properties", "patternProperties", "definitions":
			if m, ok := v.(map[string]any); ok {
				props := make(map[string]any, len(m))
				for name, sub := range m {
					props[name] = stripAny(sub)
				}
				v = props
			}
		case "items", "additionalProperties", "not":
			v = stripAny(v)
		case "allOf", "anyOf", "oneOf":
			if list, ok := v.([]any); ok {
				subs := make([]any, len(list))
				for i, sub := range list {
					subs[i] = stripAny(sub)
				}
				v = subs
			}
		}
		out[k] = v
	}
	return out
}

func stripAny(v any) any {
	if m, ok := v.(map[string]any); ok {
		return StripDocs(m)
	}
	return v
}
