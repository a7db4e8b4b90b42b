package schema

import (
	"encoding/json"
	"fmt"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	kcresource "github.com/yannh/kubeconform/pkg/resource"
)

// kubeconformResult is what Validate said before the shortcut: the object
// encoded as JSON and validated by kubeconform.
func kubeconformResult(t *testing.T, v *Validator, obj map[string]any) Result {
	t.Helper()
	apiVersion, kind := obj["apiVersion"].(string), obj["kind"].(string)
	data, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := v.materialise(v.kinds[apiVersion+"/"+kind]); err != nil {
		t.Fatal(err)
	}
	return v.result(v.kc.ValidateResource(kcresource.Resource{Path: "test", Bytes: data}), apiVersion, kind, data)
}

func TestQuickValidAgreesWithKubeconform(t *testing.T) {
	v := newValidator(t, Options{})
	configMap := func(key string, value any) map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "data": map[string]any{key: value}}
	}
	deep := map[string]any{}
	for range maxQuickDepth + 2 {
		deep = map[string]any{"x": deep}
	}
	withReplicas := func(n any) map[string]any {
		obj := object(t, deployment)
		obj["spec"].(map[string]any)["replicas"] = n
		return obj
	}
	tests := []struct {
		name string
		obj  map[string]any
		// quick says the shortcut answers (valid) without kubeconform.
		quick bool
	}{
		{name: "valid deployment", obj: object(t, deployment), quick: true},
		{name: "int replicas", obj: withReplicas(3), quick: true},
		{name: "huge int64 replicas", obj: withReplicas(int64(math.MaxInt64)), quick: true},
		{name: "float replicas", obj: withReplicas(2.5)},
		{name: "negative zero replicas", obj: withReplicas(math.Copysign(0, -1)), quick: true},
		{name: "string replicas", obj: withReplicas("three")},
		{name: "unknown field", obj: object(t, withDeployment(t, "replicas: 3", "replicaz: 3"))},
		{name: "multi-line value", obj: configMap("a", "line\n\tindented\r\n"), quick: true},
		{name: "non-ASCII value", obj: configMap("a", "grüße 🚀"), quick: true},
		{name: "control character", obj: configMap("a", "bell\x07")},
		{name: "DEL", obj: configMap("a", "del\x7f")},
		{name: "C1 control", obj: configMap("a", "c1\u0085")},
		{name: "byte order mark", obj: configMap("a", "\ufeffbom")},
		{name: "non-character", obj: configMap("a", "\uffff")},
		{name: "invalid UTF-8", obj: configMap("a", "bad\xff")},
		{name: "invalid UTF-8 key", obj: configMap("bad\xff", "a")},
		{name: "number in data", obj: configMap("a", 1)},
		{name: "deep nesting", obj: configMap("a", deep)},
		{name: "unexpected type", obj: configMap("a", uint8(1))},
		{name: "NaN", obj: withReplicas(math.NaN())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := v.kinds[tt.obj["apiVersion"].(string)+"/"+tt.obj["kind"].(string)]
			if got := v.quickValid(k, tt.obj); got != tt.quick {
				t.Errorf("quickValid = %v, want %v", got, tt.quick)
			}
			if tt.name == "NaN" {
				return // JSON cannot encode it: Validate reports the encoding error
			}
			sameError := cmp.Comparer(func(a, b error) bool { return fmt.Sprint(a) == fmt.Sprint(b) })
			if diff := cmp.Diff(kubeconformResult(t, v, tt.obj), v.Validate(tt.obj), sameError); diff != "" {
				t.Errorf("Validate differs from kubeconform (-kubeconform +got):\n%s", diff)
			}
		})
	}
}

// TestQuickValidSkipsDurations: a schema that names the "duration" format,
// which kubeconform checks with its own function, is left to kubeconform.
func TestQuickValidSkipsDurations(t *testing.T) {
	v := newValidator(t, Options{})
	obj := object(t, deployment)
	k := v.kinds["apps/v1/Deployment"]
	data, err := v.bundle.Standalone(k)
	if err != nil {
		t.Fatal(err)
	}
	sch, err := v.compile(k, data)
	if err != nil {
		t.Fatal(err)
	}
	// As if the Deployment's schema named the format.
	v.details.Get("apps/v1/Deployment", func() detailSchema { return detailSchema{sch: sch, durations: true} })
	if v.quickValid(k, obj) {
		t.Error("the shortcut answered for a schema that names durations")
	}
	if got := v.Validate(obj); got.Status != Valid {
		t.Errorf("Validate = %+v, want valid through kubeconform", got)
	}
}
