package crd

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// big is a subschema large enough to be shared, with a nested one that
// is repeated only inside it.
func big(extra string) string {
	var props []string
	for i := range 12 {
		props = append(props, fmt.Sprintf(`"field%d": {"type": "string", "maxLength": %d}`, i, 10+i))
	}
	inner := `{"type": "object", "properties": {` + strings.Join(props, ", ") + `}}`
	return fmt.Sprintf(`{"type": "object", "properties": {"a": %s, "b": %s, "tag": {"type": "string", "enum": [%q]}}}`, inner, inner, extra)
}

func kindsForBundle(t *testing.T) []Kind {
	t.Helper()
	var kinds []Kind
	for _, name := range []string{"Widget", "Gadget"} {
		var s map[string]any
		doc := `{"type": "object", "properties": {"spec": {"type": "object", "properties": {"one": ` + big("x") + `, "two": ` + big("x") + `, "own": ` + big(name) + `}}}}`
		if err := json.Unmarshal([]byte(doc), &s); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, Kind{Group: "example.com", Version: "v1", Kind: name, Schema: Convert("example.com/v1", name, s)})
	}
	return kinds
}

// expand replaces every reference of a document by its definition.
func expand(t *testing.T, s map[string]any, defs map[string]any) map[string]any {
	t.Helper()
	if ref, ok := s["$ref"].(string); ok {
		d, ok := defs[strings.TrimPrefix(ref, refPrefix)].(map[string]any)
		if !ok {
			t.Fatalf("dangling %s", ref)
		}
		return expand(t, d, defs)
	}
	out := mapSub(s, func(sub map[string]any) map[string]any { return expand(t, sub, defs) })
	delete(out, "definitions")
	return out
}

// asJSON makes values comparable whatever decoded them (json.Number, float64).
func asJSON(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBundleSharesRepeatedSubschemas(t *testing.T) {
	kinds := kindsForBundle(t)
	b := NewBundle([]Source{{Module: "example.com/m", Version: "v1.0.0", Files: []string{"crd.yaml"}}}, kinds)

	// big("x") occurs four times; its "a"/"b" object only inside big(...),
	// but big("Widget") and big("Gadget") hold it too, so it is shared as
	// well. Nothing used once stays shared.
	if len(b.Definitions) != 2 {
		t.Errorf("got %d shared definitions, want 2", len(b.Definitions))
	}
	var buf bytes.Buffer
	if err := b.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	decoded, err := DecodeBundle(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"Gadget", "Widget"}, []string{decoded.Kinds[0].Kind, decoded.Kinds[1].Kind}); diff != "" {
		t.Errorf("kinds are not sorted (-want +got):\n%s", diff)
	}
	for i, k := range decoded.Kinds {
		doc := decoded.Document(k)
		defs, _ := doc["definitions"].(map[string]any)
		want := kinds[1-i].Schema // sorted: Gadget first
		if diff := cmp.Diff(asJSON(t, want), asJSON(t, expand(t, doc, defs))); diff != "" {
			t.Errorf("%s: expanded document differs from the converted schema (-want +got):\n%s", k.Kind, diff)
		}
	}
	// The root's metadata stays in place: the validator replaces it.
	if _, ok := decoded.Kinds[0].Schema["properties"].(map[string]any)["metadata"].(map[string]any)["$ref"]; ok {
		t.Error("metadata was shared")
	}
}

func TestBundleEncodeIsDeterministic(t *testing.T) {
	var first []byte
	for i := range 5 {
		var buf bytes.Buffer
		if err := NewBundle(nil, kindsForBundle(t)).Encode(&buf); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("encoding %d differs from the first", i)
		}
	}
}

func TestDecodeBundleErrors(t *testing.T) {
	if _, err := DecodeBundle(strings.NewReader("not gzip")); err == nil {
		t.Error("want an error")
	}
}

// TestStripDocs keeps every data position (a property named description,
// an enum value, a default) and drops only what people read.
func TestStripDocs(t *testing.T) {
	in := map[string]any{
		"type":        "object",
		"description": "a queue",
		"properties": map[string]any{
			"description": map[string]any{"type": "string", "description": "what it is for", "example": "orders"},
			"mode":        map[string]any{"type": "string", "enum": []any{"description"}, "default": "description"},
			"tags":        map[string]any{"type": "array", "items": map[string]any{"type": "string", "description": "a tag"}},
			"spec": map[string]any{
				"type":                     "object",
				"default":                  map[string]any{"description": "kept: a default is data"},
				"x-kubernetes-validations": []any{map[string]any{"rule": "self.a <= self.b", "message": "a is at most b"}},
				"anyOf":                    []any{map[string]any{"required": []any{"a"}, "description": "with a"}},
			},
		},
	}
	want := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"description": map[string]any{"type": "string"},
			"mode":        map[string]any{"type": "string", "enum": []any{"description"}, "default": "description"},
			"tags":        map[string]any{"type": "array", "items": map[string]any{"type": "string"}},
			"spec": map[string]any{
				"type":                     "object",
				"default":                  map[string]any{"description": "kept: a default is data"},
				"x-kubernetes-validations": []any{map[string]any{"rule": "self.a <= self.b", "message": "a is at most b"}},
				"anyOf":                    []any{map[string]any{"required": []any{"a"}}},
			},
		},
	}
	if diff := cmp.Diff(want, StripDocs(in)); diff != "" {
		t.Errorf("StripDocs (-want +got):\n%s", diff)
	}
}
