package bundle

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// swagger is a hand-written fragment with each construct the conversion
// treats specially.
const swagger = `{
  "definitions": {
    "io.example.v1.Widget": {
      "description": "A widget.",
      "type": "object",
      "required": ["spec"],
      "properties": {
        "apiVersion": {"type": "string", "description": "APIVersion."},
        "kind": {"type": "string"},
        "spec": {"$ref": "#/definitions/io.example.v1.WidgetSpec", "description": "Spec."},
        "status": {"$ref": "#/definitions/io.example.v1.WidgetStatus"}
      },
      "x-kubernetes-group-version-kind": [
        {"group": "example.io", "version": "v1", "kind": "Widget"},
        {"group": "", "version": "v1", "kind": "Widget"}
      ]
    },
    "io.example.v1.WidgetSpec": {
      "type": "object",
      "required": ["name", "port"],
      "properties": {
        "name": {"type": "string"},
        "port": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
        "targetPort": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString"},
        "size": {"$ref": "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity"},
        "mode": {"type": "string", "enum": ["a", "b"]},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "tags": {"type": "array", "items": {"type": "string"}, "x-kubernetes-list-type": "set"},
        "schema": {"$ref": "#/definitions/io.example.v1.Props"}
      }
    },
    "io.example.v1.WidgetStatus": {
      "type": "object",
      "properties": {"open": {"type": "object", "additionalProperties": true, "properties": {"x": {"type": "integer"}}}}
    },
    "io.example.v1.Props": {
      "type": "object",
      "properties": {
        "description": {"type": "string"},
        "properties": {"type": "object", "additionalProperties": {"$ref": "#/definitions/io.example.v1.Props"}},
        "not": {"$ref": "#/definitions/io.example.v1.Props"}
      }
    },
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": {"type": "string", "format": "int-or-string", "description": "x"},
    "io.k8s.apimachinery.pkg.api.resource.Quantity": {"type": "string", "description": "y"},
    "io.example.v1.Unused": {"type": "object", "properties": {"a": {"type": "string"}}}
  }
}`

// standalone is what Standalone must assemble for example.io/v1 Widget.
const standalone = `{
  "type": "object",
  "required": ["spec"],
  "additionalProperties": false,
  "properties": {
    "apiVersion": {"type": "string", "enum": ["example.io/v1"]},
    "kind": {"type": "string", "enum": ["Widget"]},
    "spec": {
      "type": "object",
      "required": ["name", "port"],
      "additionalProperties": false,
      "properties": {
        "name": {"type": "string"},
        "port": {"type": ["string", "integer"]},
        "targetPort": {"type": ["string", "integer", "null"]},
        "size": {"type": ["string", "number", "null"]},
        "mode": {"type": ["string", "null"], "enum": ["a", "b", null]},
        "labels": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
        "tags": {"type": ["array", "null"], "items": {"type": "string"}},
        "schema": {"$ref": "#/definitions/io.example.v1.Props.nullable"}
      }
    },
    "status": {
      "type": ["object", "null"],
      "additionalProperties": false,
      "properties": {
        "open": {"type": ["object", "null"], "additionalProperties": true, "properties": {"x": {"type": ["integer", "null"]}}}
      }
    }
  },
  "definitions": {
    "io.example.v1.Props": {
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "description": {"type": ["string", "null"]},
        "properties": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/definitions/io.example.v1.Props"}},
        "not": {"$ref": "#/definitions/io.example.v1.Props.nullable"}
      }
    },
    "io.example.v1.Props.nullable": {
      "type": ["object", "null"],
      "additionalProperties": false,
      "properties": {
        "description": {"type": ["string", "null"]},
        "properties": {"type": ["object", "null"], "additionalProperties": {"$ref": "#/definitions/io.example.v1.Props"}},
        "not": {"$ref": "#/definitions/io.example.v1.Props.nullable"}
      }
    }
  }
}`

func TestConvert(t *testing.T) {
	b, err := Convert("v1.2.3", []byte(swagger))
	if err != nil {
		t.Fatal(err)
	}

	if b.KubernetesVersion != "1.2.3" {
		t.Errorf("KubernetesVersion = %q, want 1.2.3", b.KubernetesVersion)
	}
	wantKinds := []Kind{
		{Group: "", Version: "v1", Kind: "Widget", Definition: "io.example.v1.Widget"},
		{Group: "example.io", Version: "v1", Kind: "Widget", Definition: "io.example.v1.Widget"},
	}
	if diff := cmp.Diff(wantKinds, b.Kinds); diff != "" {
		t.Errorf("Kinds (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"io.example.v1.Props"}, b.Recursive); diff != "" {
		t.Errorf("Recursive (-want +got):\n%s", diff)
	}
	if _, ok := b.Definitions["io.example.v1.Unused"]; ok {
		t.Error("a definition no kind reaches was kept")
	}

	// Round-trip through the embedded form before assembling, as at run time.
	var buf bytes.Buffer
	if err := b.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	decoded, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decoded.Standalone(wantKinds[1])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(decodeJSON(t, []byte(standalone)), decodeJSON(t, got)); diff != "" {
		t.Errorf("Standalone (-want +got):\n%s", diff)
	}
}

func TestEncodeIsDeterministic(t *testing.T) {
	var first []byte
	for i := range 5 {
		b, err := Convert("v1.2.3", []byte(swagger))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := b.Encode(&buf); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("encoding %d differs from the first", i)
		}
	}
}

func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name    string
		swagger string
	}{
		{name: "not JSON", swagger: `{`},
		{name: "no definitions", swagger: `{"definitions": {}}`},
		{name: "no kinds", swagger: `{"definitions": {"a": {"type": "object"}}}`},
		{
			name:    "dangling ref",
			swagger: `{"definitions": {"a": {"properties": {"b": {"$ref": "#/definitions/b"}}, "x-kubernetes-group-version-kind": [{"group": "", "version": "v1", "kind": "A"}]}}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Convert("v1.0.0", []byte(tt.swagger)); err == nil {
				t.Error("Convert succeeded, want an error")
			}
		})
	}
}

func decodeJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return v
}
