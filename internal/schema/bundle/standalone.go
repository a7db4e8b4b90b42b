package bundle

import (
	"encoding/json"
	"fmt"
	"strings"
)

// nullableSuffix names the copy of a recursive definition that also accepts
// null, in a standalone schema's "definitions".
const nullableSuffix = ".nullable"

// Standalone assembles the self-contained JSON schema of one kind, as
// kubeconform's "-standalone-strict" files are:
//
//   - $refs are inlined, except to recursive definitions, which go to the
//     schema's own "definitions" and stay $refs (the CRD's JSONSchemaProps
//     refers to itself and cannot be inlined); a nullable use of one refers
//     to a ".nullable" copy there;
//   - a property that its object does not list as required also accepts
//     null, because rendered output contains e.g. creationTimestamp: null
//     and the API server treats null as absent;
//   - apiVersion and kind accept only this kind's values.
//
// It is safe for concurrent use: it only reads the bundle.
func (b *Bundle) Standalone(k Kind) ([]byte, error) {
	data, err := b.standalone(k.Definition, func(rm map[string]any) {
		if props, ok := rm["properties"].(map[string]any); ok {
			props["apiVersion"] = map[string]any{"type": "string", "enum": []any{k.APIVersion()}}
			props["kind"] = map[string]any{"type": "string", "enum": []any{k.Kind}}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", k.APIVersion(), k.Kind, err)
	}
	return data, nil
}

// StandaloneDefinition assembles the self-contained JSON schema of one
// definition, as Standalone does for a kind but without apiVersion and
// kind: the schema of ObjectMeta, for instance, which custom resources use.
func (b *Bundle) StandaloneDefinition(name string) ([]byte, error) {
	return b.standalone(name, func(map[string]any) {})
}

func (b *Bundle) standalone(name string, adjust func(root map[string]any)) ([]byte, error) {
	def, ok := b.Definitions[name]
	if !ok {
		return nil, fmt.Errorf("bundle has no definition %q", name)
	}
	a := assembler{b: b, recursive: map[string]bool{}, pending: map[string]bool{}}
	for _, name := range b.Recursive {
		a.recursive[name] = true
	}
	root, err := a.expand(def, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	rm := root.(map[string]any)
	adjust(rm)

	defs := map[string]any{}
	for len(a.pending) > 0 {
		for name := range a.pending {
			delete(a.pending, name)
			if _, done := defs[name]; done {
				continue
			}
			base, nullable := strings.CutSuffix(name, nullableSuffix)
			d, err := a.expand(b.Definitions[base], nullable)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			defs[name] = d
		}
	}
	if len(defs) > 0 {
		rm["definitions"] = defs
	}
	return json.Marshal(rm)
}

// assembler expands one standalone schema. It builds new maps and slices
// for everything it changes and shares the bundle's leaves read-only.
type assembler struct {
	b         *Bundle
	recursive map[string]bool
	pending   map[string]bool // recursive definitions referenced so far
}

func (a *assembler) expand(node any, nullable bool) (any, error) {
	m, ok := node.(map[string]any)
	if !ok {
		return node, nil // a boolean additionalProperties, or tuple items
	}
	if ref, ok := m["$ref"].(string); ok {
		if a.recursive[ref] {
			// Draft 4 ignores keywords beside $ref, so a nullable use refers
			// to a nullable copy of the definition.
			name := ref
			if nullable {
				name += nullableSuffix
			}
			a.pending[name] = true
			return map[string]any{"$ref": refPrefix + name}, nil
		}
		def, ok := a.b.Definitions[ref]
		if !ok {
			return nil, fmt.Errorf("undefined definition %q", ref)
		}
		return a.expand(def, nullable)
	}

	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		switch k {
		case "properties":
			required := map[string]bool{}
			if list, ok := m["required"].([]any); ok {
				for _, r := range list {
					if s, ok := r.(string); ok {
						required[s] = true
					}
				}
			}
			props, _ := v.(map[string]any)
			conv := make(map[string]any, len(props))
			for name, p := range props {
				e, err := a.expand(p, !required[name])
				if err != nil {
					return nil, err
				}
				conv[name] = e
			}
			out[k] = conv
		case "items", "additionalProperties", "not":
			e, err := a.expandList(v)
			if err != nil {
				return nil, err
			}
			out[k] = e
		case "allOf", "anyOf", "oneOf":
			e, err := a.expandList(v)
			if err != nil {
				return nil, err
			}
			out[k] = e
		default:
			out[k] = v
		}
	}
	if nullable {
		allowNull(out)
	}
	return out, nil
}

func (a *assembler) expandList(v any) (any, error) {
	list, ok := v.([]any)
	if !ok {
		return a.expand(v, false)
	}
	conv := make([]any, len(list))
	for i, x := range list {
		e, err := a.expand(x, false)
		if err != nil {
			return nil, err
		}
		conv[i] = e
	}
	return conv, nil
}

// allowNull makes a freshly built schema accept null as well. Slices are
// copied because they may be shared with the bundle.
func allowNull(s map[string]any) {
	switch t := s["type"].(type) {
	case string:
		if t != "null" {
			s["type"] = []any{t, "null"}
		}
	case []any:
		if !hasNullType(t) {
			s["type"] = append(append([]any(nil), t...), "null")
		}
	}
	if enum, ok := s["enum"].([]any); ok && !hasNull(enum) {
		s["enum"] = append(append([]any(nil), enum...), nil)
	}
}

func hasNullType(types []any) bool {
	for _, t := range types {
		if s, ok := t.(string); ok && s == "null" {
			return true
		}
	}
	return false
}

func hasNull(values []any) bool {
	for _, v := range values {
		if v == nil {
			return true
		}
	}
	return false
}
