package manifest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const twoDocs = `# leading comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  template:
    spec:
      containers:
      - name: web
        image: nginx
---
apiVersion: v1
kind: Service
metadata:
  name: web
`

func TestDecodeFileKeepsPositions(t *testing.T) {
	docs, err := DecodeFile("base/app.yaml", []byte(twoDocs))
	if err != nil {
		t.Fatal(err)
	}
	type doc struct {
		Line int
		ID   ResID
	}
	var got []doc
	for _, d := range docs {
		got = append(got, doc{d.Line, d.ID()})
	}
	want := []doc{
		{Line: 2, ID: ResID{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}},
		{Line: 14, ID: ResID{APIVersion: "v1", Kind: "Service", Name: "web"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
}

func TestLocate(t *testing.T) {
	docs, err := DecodeFile("a.yaml", []byte(twoDocs))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		pointer   string
		wantLine  int
		wantCol   int
		wantExact bool
	}{
		{name: "root", pointer: "", wantLine: 2, wantCol: 1, wantExact: true},
		{name: "scalar field", pointer: "/spec/replicas", wantLine: 7, wantCol: 3, wantExact: true},
		{name: "sequence item field", pointer: "/spec/template/spec/containers/0/image", wantLine: 12, wantCol: 9, wantExact: true},
		{name: "missing field falls back to parent", pointer: "/spec/template/spec/hostNetwork", wantLine: 9, wantCol: 5},
		{name: "index out of range", pointer: "/spec/template/spec/containers/3", wantLine: 10, wantCol: 7},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, col, exact := docs[0].Locate(tt.pointer)
			if line != tt.wantLine || col != tt.wantCol || exact != tt.wantExact {
				t.Errorf("Locate(%q) = %d:%d exact=%v, want %d:%d exact=%v", tt.pointer, line, col, exact, tt.wantLine, tt.wantCol, tt.wantExact)
			}
		})
	}
}

func TestDecodeFileErrors(t *testing.T) {
	tests := []struct {
		name     string
		input    string
		wantLine int
	}{
		{name: "bad indentation", input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n bad: [\n", wantLine: 4},
		{name: "duplicate key", input: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  name: y\n", wantLine: 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeFile("f.yaml", []byte(tt.input))
			se, ok := AsSyntaxError("f.yaml", err)
			if !ok {
				t.Fatalf("error %v is not a syntax error", err)
			}
			if se.Origin.Line != tt.wantLine {
				t.Errorf("line = %d, want %d (%v)", se.Origin.Line, tt.wantLine, se)
			}
		})
	}
}

func TestStablePointer(t *testing.T) {
	obj := map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "web", "ports": []any{map[string]any{"containerPort": int64(80)}}}},
		"args":       []any{"a", "b"},
	}}
	tests := []struct{ pointer, want string }{
		{pointer: "", want: ""},
		{pointer: "/spec/containers/0/image", want: "/spec/containers/[name=web]/image"},
		{pointer: "/spec/containers/0/ports/0", want: "/spec/containers/[name=web]/ports/[containerPort=80]"},
		{pointer: "/spec/args/1", want: "/spec/args/1"},
		{pointer: "/spec/containers/5/image", want: "/spec/containers/5/image"},
	}
	for _, tc := range tests {
		if got := StablePointer(obj, tc.pointer); got != tc.want {
			t.Errorf("StablePointer(%q) = %q, want %q", tc.pointer, got, tc.want)
		}
	}
}

// TestTemplateKeyIsNoMapDump checks the message for an unquoted template
// expression: yaml.v3 reports it as a Go map dump, which no person reads.
func TestTemplateKeyIsNoMapDump(t *testing.T) {
	data := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  {{ .key }}: value\n")
	_, err := DecodeFile("cm.yaml", data)
	se, ok := AsSyntaxError("cm.yaml", err)
	if !ok {
		t.Fatalf("DecodeFile error = %v, want a syntax error", err)
	}
	if want := "cm.yaml:6:3: a template expression ({{ ... }}) where a key was expected"; se.Error() != want {
		t.Errorf("error = %q, want %q", se.Error(), want)
	}
}
