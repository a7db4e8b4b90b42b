package crd

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

func decodeYAML(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// compile compiles a converted schema as the validator does.
func compile(t *testing.T, s map[string]any) *jsonschema.Schema {
	t.Helper()
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource("https://crds.test/s.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("https://crds.test/s.json")
	if err != nil {
		t.Fatalf("compile: %v\n%s", err, data)
	}
	return sch
}

// widgetCRD has one construct of each kind the conversion treats specially.
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1alpha1
    served: false
    storage: false
    schema:
      openAPIV3Schema: {type: object}
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        description: A widget.
        properties:
          metadata:
            type: object
            properties:
              name: {type: string, maxLength: 10}
          spec:
            type: object
            required: [size, port]
            properties:
              size: {type: integer, minimum: 1, format: int32, default: 1}
              port:
                anyOf: [{type: integer}, {type: string}]
                x-kubernetes-int-or-string: true
              maxSurge:
                x-kubernetes-int-or-string: true
                anyOf: [{type: integer}, {type: string}]
                pattern: '^[0-9]+%$'
              mode: {type: string, enum: [fast, slow]}
              note: {type: string, nullable: true}
              owner:
                type: string
                nullable: true
              required:
                type: object
                nullable: true
                required: [x]
                properties:
                  x: {type: string}
              values:
                type: object
                x-kubernetes-preserve-unknown-fields: true
                properties:
                  replicas: {type: integer}
              template:
                type: object
                x-kubernetes-embedded-resource: true
                properties:
                  spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
              labels:
                type: object
                additionalProperties: {type: string}
              items:
                type: array
                items:
                  type: object
                  properties:
                    name: {type: string, pattern: '^(?!bad)[a-z]+$'}
                    value: {type: string, pattern: '^[a-z]+$'}
              choice:
                type: object
                properties:
                  a: {type: string}
                  b: {type: string}
                oneOf:
                - required: [a]
                - required: [b]
              bounds:
                type: object
                properties:
                  min: {type: integer}
                allOf:
                - properties:
                    min: {minimum: 0}
            x-kubernetes-validations:
            - rule: self.size < 100
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`

func TestKinds(t *testing.T) {
	kinds, err := Kinds(decodeYAML(t, widgetCRD))
	if err != nil {
		t.Fatal(err)
	}
	if len(kinds) != 1 {
		t.Fatalf("got %d kinds, want only the served v1", len(kinds))
	}
	k := kinds[0]
	if k.APIVersion() != "example.com/v1" || k.Kind != "Widget" {
		t.Fatalf("got %s %s", k.APIVersion(), k.Kind)
	}
	sch := compile(t, k.Schema)

	const valid = `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, labels: {a: b}}
spec:
  size: 3
  port: http
  maxSurge: 25%
  mode: fast
  note: null
  values: {replicas: 2, anything: {goes: here}}
  template: {apiVersion: v1, kind: Pod, metadata: {name: p}, spec: {containers: []}}
  labels: {a: b}
  items: [{name: a, value: b}]
  choice: {a: x}
  bounds: {min: 1}
status: {phase: Ready}
`
	tests := []struct {
		name string
		// edit turns the valid object into the case's object.
		edit      func(obj map[string]any)
		wantValid bool
		// wantErr must occur in the error when wantValid is false.
		wantErr string
	}{
		{name: "valid", edit: func(map[string]any) {}, wantValid: true},
		{name: "int-or-string as integer", edit: func(o map[string]any) { spec(o)["port"] = 8080 }, wantValid: true},
		{name: "int-or-string rejects a boolean", edit: func(o map[string]any) { spec(o)["port"] = true }, wantErr: "/spec/port"},
		{name: "int-or-string keeps its string pattern", edit: func(o map[string]any) { spec(o)["maxSurge"] = "25" }, wantErr: "/spec/maxSurge"},
		{name: "int-or-string pattern does not apply to integers", edit: func(o map[string]any) { spec(o)["maxSurge"] = 1 }, wantValid: true},
		{name: "optional field may be null", edit: func(o map[string]any) { spec(o)["mode"] = nil }, wantValid: true},
		{name: "optional int-or-string may be null", edit: func(o map[string]any) { spec(o)["maxSurge"] = nil }, wantValid: true},
		{name: "required field may not be null", edit: func(o map[string]any) { spec(o)["size"] = nil }, wantErr: "/spec/size"},
		{name: "required int-or-string may not be null", edit: func(o map[string]any) { spec(o)["port"] = nil }, wantErr: "/spec/port"},
		{name: "nullable object with required fields may be null", edit: func(o map[string]any) { spec(o)["required"] = nil }, wantValid: true},
		{name: "nullable object still checks its fields", edit: func(o map[string]any) { spec(o)["required"] = map[string]any{} }, wantErr: "missing property 'x'"},
		{name: "wrong type", edit: func(o map[string]any) { spec(o)["size"] = "three" }, wantErr: "/spec/size"},
		{name: "minimum", edit: func(o map[string]any) { spec(o)["size"] = 0 }, wantErr: "/spec/size"},
		{name: "enum", edit: func(o map[string]any) { spec(o)["mode"] = "medium" }, wantErr: "/spec/mode"},
		{name: "missing required field", edit: func(o map[string]any) { delete(spec(o), "size") }, wantErr: "missing property 'size'"},
		{name: "unknown field is strict", edit: func(o map[string]any) { spec(o)["colour"] = "red" }, wantErr: "'colour'"},
		{name: "unknown top-level field is strict", edit: func(o map[string]any) { o["data"] = map[string]any{} }, wantErr: "'data'"},
		{name: "preserve-unknown-fields allows unknown fields", edit: func(o map[string]any) { spec(o)["values"].(map[string]any)["more"] = 1 }, wantValid: true},
		{name: "preserve-unknown-fields still checks declared fields", edit: func(o map[string]any) { spec(o)["values"].(map[string]any)["replicas"] = "2" }, wantErr: "/spec/values/replicas"},
		{name: "embedded resource keeps apiVersion, kind and metadata", edit: func(o map[string]any) {}, wantValid: true},
		{name: "embedded resource is strict elsewhere", edit: func(o map[string]any) { spec(o)["template"].(map[string]any)["extra"] = 1 }, wantErr: "'extra'"},
		{name: "map values", edit: func(o map[string]any) { spec(o)["labels"] = map[string]any{"a": 1} }, wantErr: "/spec/labels/a"},
		{name: "pattern", edit: func(o map[string]any) { spec(o)["items"] = []any{map[string]any{"value": "B"}} }, wantErr: "/spec/items/0/value"},
		{name: "pattern Go cannot compile is dropped", edit: func(o map[string]any) { spec(o)["items"] = []any{map[string]any{"name": "badname"}} }, wantValid: true},
		{name: "oneOf", edit: func(o map[string]any) { spec(o)["choice"] = map[string]any{"a": "x", "b": "y"} }, wantErr: "/spec/choice"},
		{name: "optional oneOf may be null", edit: func(o map[string]any) { spec(o)["choice"] = nil }, wantValid: true},
		{name: "allOf constrains without declaring", edit: func(o map[string]any) { spec(o)["bounds"] = map[string]any{"min": -1} }, wantErr: "/spec/bounds/min"},
		{name: "allOf does not make the object stricter", edit: func(o map[string]any) {}, wantValid: true},
		{name: "CEL rules are not evaluated", edit: func(o map[string]any) { spec(o)["size"] = 1000 }, wantValid: true},
		{name: "metadata narrowed by the CRD", edit: func(o map[string]any) { o["metadata"].(map[string]any)["name"] = "much-too-long" }, wantErr: "/metadata/name"},
		{name: "metadata is not strict here", edit: func(o map[string]any) { o["metadata"].(map[string]any)["annotations"] = map[string]any{} }, wantValid: true},
		{name: "wrong apiVersion", edit: func(o map[string]any) { o["apiVersion"] = "example.com/v2" }, wantErr: "/apiVersion"},
		{name: "wrong kind", edit: func(o map[string]any) { o["kind"] = "Gadget" }, wantErr: "/kind"},
		{name: "status is preserved", edit: func(o map[string]any) { o["status"] = map[string]any{"x": 1} }, wantValid: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := decodeYAML(t, valid)
			tt.edit(obj)
			data, err := json.Marshal(obj)
			if err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(inst)
			if tt.wantValid {
				if err != nil {
					t.Errorf("want valid, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error mentioning %q, got valid", tt.wantErr)
			}
			if !strings.Contains(detailed(err), tt.wantErr) {
				t.Errorf("error does not mention %q:\n%s", tt.wantErr, detailed(err))
			}
		})
	}
}

func spec(obj map[string]any) map[string]any { return obj["spec"].(map[string]any) }

func detailed(err error) string {
	if verr, ok := err.(*jsonschema.ValidationError); ok {
		return verr.GoString()
	}
	return err.Error()
}

func TestConvertDropsWhatDoesNotValidate(t *testing.T) {
	got := Convert("example.com/v1", "Widget", decodeYAML(t, `
type: object
x-kubernetes-preserve-unknown-fields: true
properties:
  spec:
    type: object
    description: d
    default: {}
    example: {}
    x-kubernetes-list-type: atomic
    properties:
      when: {type: string, format: date-time}
`))
	want := map[string]any{
		"type":     "object",
		"required": []any{"apiVersion", "kind"},
		"properties": map[string]any{
			"apiVersion": map[string]any{"type": "string", "enum": []any{"example.com/v1"}},
			"kind":       map[string]any{"type": "string", "enum": []any{"Widget"}},
			"metadata":   map[string]any{"type": "object"},
			"spec": map[string]any{
				"type":                 []any{"object", "null"},
				"additionalProperties": false,
				"properties": map[string]any{
					"when": map[string]any{"type": []any{"string", "null"}},
				},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Convert (-want +got):\n%s", diff)
	}
}

func TestKindsWithoutSchema(t *testing.T) {
	kinds, err := Kinds(decodeYAML(t, `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.com
  names: {kind: Widget}
  versions: [{name: v1, served: true}]
`))
	if err != nil || len(kinds) != 1 {
		t.Fatalf("Kinds = %v, %v", kinds, err)
	}
	sch := compile(t, kinds[0].Schema)
	inst := map[string]any{"apiVersion": "example.com/v1", "kind": "Widget", "spec": map[string]any{"anything": true}}
	if err := sch.Validate(inst); err != nil {
		t.Errorf("a version without a schema accepts anything: %v", err)
	}
}

func TestKindsErrors(t *testing.T) {
	tests := []struct {
		name string
		crd  string
	}{
		{name: "no group", crd: "spec: {names: {kind: W}, versions: [{name: v1, served: true}]}"},
		{name: "no kind", crd: "spec: {group: example.com, versions: [{name: v1, served: true}]}"},
		{name: "no versions", crd: "spec: {group: example.com, names: {kind: W}}"},
		{name: "no spec", crd: "metadata: {name: x}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Kinds(decodeYAML(t, tt.crd)); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestConvertSurvivesOddInput(t *testing.T) {
	// Garbage in a CRD is reported on the CRD by its own schema; the
	// conversion must only not crash.
	for _, doc := range []string{
		`{properties: [1, 2]}`,
		`{properties: {a: 5, b: {items: [1, {type: string}]}}, required: 5}`,
		`{type: object, allOf: [1, {properties: 3}], not: true, additionalProperties: 7}`,
		`{properties: {metadata: 3}}`,
	} {
		Convert("example.com/v1", "W", decodeYAML(t, doc))
	}
}

func TestIsCRD(t *testing.T) {
	tests := []struct {
		obj  map[string]any
		want bool
	}{
		{obj: map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition"}, want: true},
		{obj: map[string]any{"apiVersion": "apiextensions.k8s.io/v1beta1", "kind": "CustomResourceDefinition"}},
		{obj: map[string]any{"apiVersion": "v1", "kind": "ConfigMap"}},
	}
	for _, tt := range tests {
		if got := IsCRD(tt.obj); got != tt.want {
			t.Errorf("IsCRD(%v) = %v", tt.obj, got)
		}
	}
}
