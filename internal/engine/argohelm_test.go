package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

const argoHelmRepo = "../../testdata/repos/helm-argo"

// argoHelmOptions are those of a run on testdata/repos/helm-argo: its
// Applications name this URL for the repository.
func argoHelmOptions(t *testing.T) Options {
	return Options{
		Root: argoHelmRepo, SchemaCacheDir: t.TempDir(),
		GitOps: gitops.Options{RepoURLs: []string{"https://github.com/example/helm-argo.git"}},
	}
}

// TestArgoHelmApplication renders testdata/repos/helm-argo: an
// Application whose source is a chart of this repository with valueFiles,
// valuesObject, parameters and releaseName, and one with sources[] taking
// a values file through a ref source and values as text. Every rendered
// field is asserted with the line a person edits to change it.
func TestArgoHelmApplication(t *testing.T) {
	t.Setenv("PATH", "") // nothing may be executed
	r, err := Render(context.Background(), argoHelmOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]manifest.Resource{}
	for _, res := range r.Resources["argocd"] {
		byID[res.ID.Kind+"/"+res.ID.Namespace+"/"+res.ID.Name] = res
	}
	web, api := byID["Deployment/frontend/shop-web"], byID["Deployment/backend/api-web"]
	if web.Object == nil || api.Object == nil {
		t.Fatalf("want Deployments frontend/shop-web (helm.releaseName) and backend/api-web (the Application's name), have %v", slices.Sorted(mapKeys(byID)))
	}
	tests := []struct {
		name    string
		res     manifest.Resource
		pointer string
		want    any
		at      string
	}{
		{name: "valuesObject", res: web, pointer: "/spec/template/spec/hostNetwork", want: true, at: "argocd/web.yaml:20:9"},
		{name: "valueFiles relative to the chart", res: web, pointer: "/spec/replicas", want: int64(3), at: "envs/prod/values.yaml:1:1"},
		{name: "parameters over the chart's default", res: web, pointer: "/spec/template/spec/containers/0/ports/0/containerPort", want: int64(8443), at: "argocd/web.yaml:23:11"},
		{name: "the chart's values.yaml", res: web, pointer: "/spec/template/spec/containers/0/imagePullPolicy", want: "IfNotPresent", at: "charts/web/values.yaml:5:3"},
		{name: "template line", res: web, pointer: "/spec/selector", want: map[string]any{"matchLabels": map[string]any{"app.kubernetes.io/instance": "shop", "app.kubernetes.io/name": "web"}}, at: "charts/web/templates/deployment.yaml:9"},
		{name: "$ref values file", res: api, pointer: "/spec/replicas", want: int64(3), at: "envs/prod/values.yaml:1:1"},
		{name: "values text", res: api, pointer: "/spec/template/spec/containers/0/env/0/value", want: "api", at: "argocd/multi.yaml:24"},
		{name: "image: the last value is the tag", res: api, pointer: "/spec/template/spec/containers/0/image", want: "registry.example.com/api:1.27.3", at: "envs/prod/values.yaml:3:3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := manifest.Lookup(tt.res.Object, tt.pointer)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.pointer, diff)
			}
			if at := origin.Field(&tt.res, tt.pointer).String(); at != tt.at {
				t.Errorf("%s located at %s, want %s", tt.pointer, at, tt.at)
			}
		})
	}
	for _, f := range []string{"charts/web/templates/deployment.yaml", "charts/web/values.yaml", "envs/prod/values.yaml"} {
		if !slices.Contains(r.Reads["argocd"], f) {
			t.Errorf("reads lack %s: %v", f, r.Reads["argocd"])
		}
	}
}

// TestArgoHelmApplicationFindings: a policy finding on a field set in
// valuesObject is at that line, one on a field the template writes at
// the template's line, and the chart of a Helm repository is one
// helm-chart-remote finding at the source's chart field.
func TestArgoHelmApplicationFindings(t *testing.T) {
	opts := argoHelmOptions(t)
	opts.Policy = rego.Options{Builtin: policies.FS}
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, f := range res.Findings {
		got[f.RuleID+" "+f.Resource.Name] = f.Location.String()
	}
	tests := []struct {
		name string
		key  string
		at   string
	}{
		{name: "hostNetwork in valuesObject", key: "host-network shop-web", at: "argocd/web.yaml:20:9"},
		{name: "container written by the template", key: "liveness-probe-missing shop-web", at: "charts/web/templates/deployment.yaml:19"},
		{name: "chart of a Helm repository", key: rules.HelmChartRemote + " podinfo", at: "argocd/remote.yaml:13:5"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got[tt.key] != tt.at {
				t.Errorf("%s at %q, want %q (all: %v)", tt.key, got[tt.key], tt.at, got)
			}
		})
	}
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
