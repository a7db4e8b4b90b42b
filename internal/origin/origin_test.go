package origin

import (
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

func TestMatchLabels(t *testing.T) {
	labels := map[string]any{"app": "web", "tier": "front", "env": "prod"}
	tests := []struct {
		name     string
		selector string
		want     bool
	}{
		{name: "empty matches", selector: "", want: true},
		{name: "equality", selector: "app=web", want: true},
		{name: "double equals", selector: "app==web", want: true},
		{name: "equality fails", selector: "app=api", want: false},
		{name: "inequality", selector: "tier!=back", want: true},
		{name: "inequality fails", selector: "tier!=front", want: false},
		{name: "exists", selector: "env", want: true},
		{name: "not exists", selector: "!legacy", want: true},
		{name: "not exists fails", selector: "!env", want: false},
		{name: "in", selector: "env in (dev, prod)", want: true},
		{name: "notin", selector: "env notin (dev,prod)", want: false},
		{name: "all must hold", selector: "app=web,env in (dev),tier", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := MatchLabels(tc.selector, labels); got != tc.want {
				t.Errorf("MatchLabels(%q) = %v, want %v", tc.selector, got, tc.want)
			}
		})
	}
}

func TestSelects(t *testing.T) {
	r := &manifest.Resource{
		ID:       manifest.ResID{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "prod-web"},
		SourceID: manifest.ResID{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"},
		Object:   map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "web"}}},
	}
	tests := []struct {
		name string
		sel  repo.Selector
		want bool
	}{
		{name: "kind", sel: repo.Selector{Kind: "Deployment"}, want: true},
		{name: "other kind", sel: repo.Selector{Kind: "StatefulSet"}, want: false},
		{name: "source name", sel: repo.Selector{Name: "web"}, want: true},
		{name: "rendered name", sel: repo.Selector{Name: "prod-web"}, want: true},
		{name: "name regex", sel: repo.Selector{Name: "w.*"}, want: true},
		{name: "name is anchored", sel: repo.Selector{Name: "eb"}, want: false},
		{name: "group and version", sel: repo.Selector{Group: "apps", Version: "v1"}, want: true},
		{name: "wrong group", sel: repo.Selector{Group: "batch"}, want: false},
		{name: "label selector", sel: repo.Selector{LabelSelector: "app=web"}, want: true},
		{name: "label selector fails", sel: repo.Selector{LabelSelector: "app=api"}, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Selects(&tc.sel, r); got != tc.want {
				t.Errorf("Selects(%+v) = %v, want %v", tc.sel, got, tc.want)
			}
		})
	}
}

func TestSplitImage(t *testing.T) {
	tests := []struct {
		ref, name, tag, digest string
	}{
		{ref: "nginx", name: "nginx"},
		{ref: "nginx:1.27", name: "nginx", tag: "1.27"},
		{ref: "registry:5000/team/app:2.0.0-rc1", name: "registry:5000/team/app", tag: "2.0.0-rc1"},
		{ref: "registry:5000/team/app", name: "registry:5000/team/app"},
		{ref: "app@sha256:abc", name: "app", digest: "sha256:abc"},
		{ref: "app:1@sha256:abc", name: "app", tag: "1", digest: "sha256:abc"},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			name, tag, digest := SplitImage(tc.ref)
			if name != tc.name || tag != tc.tag || digest != tc.digest {
				t.Errorf("SplitImage(%q) = %q %q %q, want %q %q %q", tc.ref, name, tag, digest, tc.name, tc.tag, tc.digest)
			}
		})
	}
}

func TestMatchFieldPath(t *testing.T) {
	obj := map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
		"containers": []any{map[string]any{"name": "sidecar"}, map[string]any{"name": "app", "image": "x"}},
	}}}}
	tests := []struct {
		name, fieldPath, pointer string
		want                     bool
	}{
		{name: "plain path", fieldPath: "spec.template", pointer: "/spec/template/spec", want: true},
		{name: "selector picks the item", fieldPath: "spec.template.spec.containers.[name=app].image", pointer: "/spec/template/spec/containers/1/image", want: true},
		{name: "selector rejects another item", fieldPath: "spec.template.spec.containers.[name=app].image", pointer: "/spec/template/spec/containers/0/image", want: false},
		{name: "wildcard", fieldPath: "spec.template.spec.containers.*.image", pointer: "/spec/template/spec/containers/0/image", want: true},
		{name: "pointer above the path", fieldPath: "spec.template.spec", pointer: "/spec", want: false},
		{name: "dotted key in brackets stays one token", fieldPath: "metadata.annotations.[a.b]", pointer: "/metadata/annotations/x", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := matchFieldPath(splitFieldPath(tc.fieldPath), manifest.SplitPointer(tc.pointer), obj); got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}
