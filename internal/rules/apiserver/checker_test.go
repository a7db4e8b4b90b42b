package apiserver

import (
	"slices"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

// A repository's CRD is the one checked, even one with nothing left to
// check; the bundled kinds are asked only for the kinds no CRD of the
// run defines.
func TestBundledKindsComeAfterTheRunsCRDs(t *testing.T) {
	schema := map[string]any{"type": "object"}
	widget := crd.Kind{Group: "example.com", Version: "v1", Kind: "Widget"} // OpenAPI nil: nothing to check
	tests := []struct {
		name          string
		crds          []crd.Kind
		bundled       bool
		apiVersion    string
		wantValidator bool
		wantAsked     []string
	}{
		{name: "the run's CRD wins", crds: []crd.Kind{widget}, bundled: true, apiVersion: "example.com/v1", wantAsked: nil},
		{name: "a bundled kind no CRD defines", bundled: true, apiVersion: "example.com/v1", wantValidator: true, wantAsked: []string{"example.com/v1/Widget"}},
		{name: "without bundled kinds", apiVersion: "example.com/v1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var asked []string
			opts := Options{CRDs: tt.crds}
			if tt.bundled {
				opts.Bundled = func(apiVersion, kind string) (crd.Kind, bool) {
					asked = append(asked, apiVersion+"/"+kind)
					return crd.Kind{Group: "example.com", Version: "v1", Kind: kind, OpenAPI: schema}, true
				}
			}
			got := New(opts).validator(tt.apiVersion, "Widget") != nil
			if got != tt.wantValidator {
				t.Errorf("validator found = %v, want %v", got, tt.wantValidator)
			}
			if !slices.Equal(asked, tt.wantAsked) {
				t.Errorf("bundled kinds asked for %v, want %v", asked, tt.wantAsked)
			}
		})
	}
}
