package manifest

import (
	"reflect"
	"testing"
	"time"
)

func TestPackRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		obj  map[string]any
	}{
		{name: "empty", obj: map[string]any{}},
		{name: "scalars", obj: map[string]any{"s": "x", "e": "", "i": int64(-3), "big": int64(1) << 62, "f": 3.0, "t": true, "n": nil, "no": false}},
		{name: "nested", obj: map[string]any{
			"apiVersion": "apps/v1", "kind": "Deployment",
			"spec": map[string]any{"replicas": int64(2), "template": map[string]any{"spec": map[string]any{
				"containers": []any{map[string]any{"name": "web", "image": "nginx:1.27", "ports": []any{map[string]any{"containerPort": int64(80)}}}},
			}}},
			"list": []any{}, "mixed": []any{"a", int64(1), 1.5, nil, []any{true}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok := Pack(tt.obj)
			if !ok {
				t.Fatal("Pack refused a normalized object")
			}
			got, err := p.Unpack()
			if err != nil {
				t.Fatal(err)
			}
			// DeepEqual tells int64(3) from float64(3): the types survive.
			if !reflect.DeepEqual(got, tt.obj) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, tt.obj)
			}
		})
	}
}

func TestPackRefusesOtherTypes(t *testing.T) {
	for _, v := range []any{time.Unix(0, 0), int(1), map[any]any{"a": 1}, []string{"a"}} {
		if _, ok := Pack(map[string]any{"k": []any{v}}); ok {
			t.Errorf("Pack accepted %T", v)
		}
	}
}

func TestUnpackCorrupt(t *testing.T) {
	p, _ := Pack(map[string]any{"a": []any{"bc", int64(7), 2.5}})
	for n := range len(p) {
		if _, err := p[:n].Unpack(); err == nil {
			t.Errorf("Unpack of the first %d of %d bytes succeeded", n, len(p))
		}
	}
	for _, b := range []Packed{nil, {99}, {packString, 1, 'x'}, {packMap, 200, 1}, {packList, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
		if _, err := b.Unpack(); err == nil {
			t.Errorf("Unpack(%v) succeeded", []byte(b))
		}
	}
}
