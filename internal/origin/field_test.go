package origin

import (
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// TestTraceItemWithoutMergeKey traces a field of a list item that has lost
// the key its siblings are merged by (a volume whose name is misspelt): a
// strategic merge may drop or move the other items, so the rendered index
// says nothing about the document's; the document's one item without the
// key is the one.
func TestTraceItemWithoutMergeKey(t *testing.T) {
	src := []byte(`apiVersion: v1
kind: Pod
metadata:
  name: ldap
spec:
  volumes:
    - name: data
      emptyDir: {}
    - name: config
      emptyDir: {}
    - nameQzx: certs
      emptyDir: {}
`)
	docs, err := manifest.DecodeFile("pod.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	tests := []struct {
		name     string
		rendered []any
		pointer  string
		wantLine int
	}{
		{
			name:     "the merge kept only the item without the key",
			rendered: []any{map[string]any{"nameQzx": "certs", "emptyDir": map[string]any{}}},
			pointer:  "/spec/volumes/0/nameQzx",
			wantLine: 11,
		},
		{
			name:     "the item without the key moved first",
			rendered: []any{map[string]any{"nameQzx": "certs", "emptyDir": map[string]any{}}, map[string]any{"name": "data", "emptyDir": map[string]any{}}},
			pointer:  "/spec/volumes/0/nameQzx",
			wantLine: 11,
		},
		{
			name:     "an item with its key is found by it",
			rendered: []any{map[string]any{"name": "config", "emptyDir": map[string]any{}}},
			pointer:  "/spec/volumes/0/emptyDir",
			wantLine: 10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := map[string]any{"apiVersion": "v1", "kind": "Pod", "metadata": map[string]any{"name": "ldap"}, "spec": map[string]any{"volumes": tt.rendered}}
			r := manifest.Resource{ID: manifest.IDOf(obj), Object: obj, Doc: d, Origin: manifest.Origin{File: "pod.yaml", Line: 1, Col: 1}}
			if got, _ := Trace(&r, tt.pointer); got.Line != tt.wantLine {
				t.Errorf("Trace(%s) = %s, want line %d", tt.pointer, got, tt.wantLine)
			}
		})
	}
}
