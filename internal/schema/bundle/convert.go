package bundle

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Definitions with a special meaning in the Kubernetes OpenAPI document.
const (
	quantityDef = "io.k8s.apimachinery.pkg.api.resource.Quantity"
	refPrefix   = "#/definitions/"
)

// Convert turns a Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json)
// into a bundle, applying what kubeconform's openapi2jsonschema does for its
// "-standalone-strict" schemas:
//
//   - one kind per entry of a definition's x-kubernetes-group-version-kind;
//   - additionalProperties: false on every schema with properties that does
//     not say otherwise (strict);
//   - format: int-or-string accepts a string or an integer, and Quantity a
//     string or a number, because manifests write both "500m" and 1. The
//     script's oneOf of two types is written as the equivalent type list,
//     whose failure reads "got boolean, want string or integer" instead of
//     "'oneOf' failed, none matched";
//   - descriptions and x-kubernetes-* extensions are dropped: they do not
//     take part in validation and are most of the document's size.
//
// Inlining $refs and allowing null for optional fields happen when a
// standalone schema is assembled (see Standalone), because both depend on
// where a definition is used. Only definitions reachable from a kind are kept.
func Convert(kubernetesVersion string, swagger []byte) (*Bundle, error) {
	var doc struct {
		Definitions map[string]map[string]any `json:"definitions"`
	}
	dec := json.NewDecoder(bytes.NewReader(swagger))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse openapi document: %w", err)
	}
	if len(doc.Definitions) == 0 {
		return nil, fmt.Errorf("openapi document has no definitions")
	}

	b := &Bundle{
		KubernetesVersion: strings.TrimPrefix(kubernetesVersion, "v"),
		Definitions:       map[string]map[string]any{},
	}
	for name, def := range doc.Definitions {
		kinds, err := groupVersionKinds(name, def)
		if err != nil {
			return nil, err
		}
		b.Kinds = append(b.Kinds, kinds...)
	}
	if len(b.Kinds) == 0 {
		return nil, fmt.Errorf("openapi document declares no x-kubernetes-group-version-kind")
	}
	sort.Slice(b.Kinds, func(i, j int) bool {
		a, c := b.Kinds[i], b.Kinds[j]
		if a.Group != c.Group {
			return a.Group < c.Group
		}
		if a.Version != c.Version {
			return a.Version < c.Version
		}
		return a.Kind < c.Kind
	})

	// Convert the definitions reachable from a kind, breadth first.
	var queue []string
	for _, k := range b.Kinds {
		queue = append(queue, k.Definition)
	}
	refs := map[string][]string{}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if _, done := b.Definitions[name]; done {
			continue
		}
		def, ok := doc.Definitions[name]
		if !ok {
			return nil, fmt.Errorf("definition %q is referenced but not defined", name)
		}
		c := converter{}
		b.Definitions[name] = c.definition(name, def)
		refs[name] = c.refs
		queue = append(queue, c.refs...)
	}
	b.Recursive = recursive(refs)
	return b, nil
}

func groupVersionKinds(name string, def map[string]any) ([]Kind, error) {
	raw, ok := def["x-kubernetes-group-version-kind"]
	if !ok {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, fmt.Errorf("definition %q: x-kubernetes-group-version-kind is not a list", name)
	}
	var kinds []Kind
	for _, item := range list {
		m, _ := item.(map[string]any)
		g, _ := m["group"].(string)
		v, _ := m["version"].(string)
		k, _ := m["kind"].(string)
		if v == "" || k == "" {
			return nil, fmt.Errorf("definition %q: incomplete x-kubernetes-group-version-kind %v", name, item)
		}
		kinds = append(kinds, Kind{Group: g, Version: v, Kind: k, Definition: name})
	}
	return kinds, nil
}

// converter rewrites one definition and collects the definitions it refers to.
type converter struct {
	refs []string
}

func (c *converter) definition(name string, def map[string]any) map[string]any {
	if name == quantityDef {
		// The document types Quantity as a string, but the API server also
		// accepts plain numbers (cpu: 1), and manifests use both.
		return map[string]any{"type": []any{"string", "number"}}
	}
	return c.schema(def)
}

func (c *converter) schema(s map[string]any) map[string]any {
	if ref, ok := s["$ref"].(string); ok {
		// Draft 4 ignores the siblings of $ref (here only descriptions).
		name := strings.TrimPrefix(ref, refPrefix)
		c.refs = append(c.refs, name)
		return map[string]any{"$ref": name}
	}
	if f, _ := s["format"].(string); f == "int-or-string" {
		return map[string]any{"type": []any{"string", "integer"}}
	}
	out := make(map[string]any, len(s))
	for k, v := range s {
		switch {
		case k == "description" || strings.HasPrefix(k, "x-"):
			// Not used for validation.
		case k == "properties":
			props, _ := v.(map[string]any)
			conv := make(map[string]any, len(props))
			for name, p := range props {
				conv[name] = c.sub(p)
			}
			out[k] = conv
		case k == "items" || k == "additionalProperties" || k == "not":
			out[k] = c.sub(v)
		case k == "allOf" || k == "anyOf" || k == "oneOf":
			list, _ := v.([]any)
			conv := make([]any, len(list))
			for i, x := range list {
				conv[i] = c.sub(x)
			}
			out[k] = conv
		default:
			out[k] = v
		}
	}
	if _, ok := out["properties"]; ok {
		if _, set := out["additionalProperties"]; !set {
			out["additionalProperties"] = false
		}
	}
	return out
}

// sub converts a subschema position, which may also hold a boolean
// (additionalProperties: true) or a list (tuple items).
func (c *converter) sub(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return c.schema(v)
	case []any:
		conv := make([]any, len(v))
		for i, x := range v {
			conv[i] = c.sub(x)
		}
		return conv
	default:
		return v
	}
}

// recursive returns, sorted, the definitions that can reach themselves.
func recursive(refs map[string][]string) []string {
	var out []string
	for name := range refs {
		seen := map[string]bool{}
		stack := append([]string(nil), refs[name]...)
		for len(stack) > 0 {
			d := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if d == name {
				out = append(out, name)
				break
			}
			if seen[d] {
				continue
			}
			seen[d] = true
			stack = append(stack, refs[d]...)
		}
	}
	sort.Strings(out)
	return out
}
