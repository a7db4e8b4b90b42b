package bundle

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDeltaRoundTrip(t *testing.T) {
	newer := &Bundle{
		KubernetesVersion: "1.30.0",
		Kinds:             []Kind{{Version: "v1", Kind: "Service", Definition: "svc"}},
		Definitions: map[string]map[string]any{
			"svc":  {"type": "object", "properties": map[string]any{"trafficDistribution": map[string]any{"type": "string"}}},
			"meta": {"type": "object"},
			"gone": {"type": "string"},
		},
	}
	older := &Bundle{
		KubernetesVersion: "1.29.0",
		Kinds:             []Kind{{Version: "v1", Kind: "Service", Definition: "svc"}, {Version: "v1beta1", Kind: "Old", Definition: "old"}},
		Definitions: map[string]map[string]any{
			"svc":  {"type": "object", "properties": map[string]any{}},
			"meta": {"type": "object"},
			"old":  {"type": "object"},
		},
	}
	d := Diff(newer, older)
	if diff := cmp.Diff([]string{"gone"}, d.Removed); diff != "" {
		t.Errorf("Removed (-want +got):\n%s", diff)
	}
	if _, shared := d.Definitions["meta"]; shared {
		t.Error("the delta repeats a definition its base has unchanged")
	}
	var buf bytes.Buffer
	if err := d.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	decoded, err := DecodeDelta(&buf)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decoded.Apply(newer)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(older, got); diff != "" {
		t.Errorf("Apply(Diff) (-want +got):\n%s", diff)
	}
	if _, err := decoded.Apply(older); err == nil {
		t.Error("a delta applied to the wrong base did not fail")
	}
}
