package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
	"github.com/gitops-lint/gitops-lint/policies"
)

// TestFluxHelmRelease renders testdata/repos/helm-flux: a HelmRelease of a
// chart in the repository, with values, valuesFrom a ConfigMap (whole and
// through targetPath, and an optional Secret that is absent),
// targetNamespace and a post-renderer patch; and one of a remote chart.
func TestFluxHelmRelease(t *testing.T) {
	t.Setenv("PATH", "") // nothing may be executed
	const root = "../../testdata/repos/helm-flux"
	r, err := Render(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]manifest.Resource{}
	for _, res := range r.Resources["clusters/prod"] {
		byID[res.ID.Kind+"/"+res.ID.Namespace+"/"+res.ID.Name] = res
	}
	dep, ok := byID["Deployment/frontend/frontend-web-web"]
	if !ok {
		t.Fatalf("no Deployment frontend-web-web (release name [targetNamespace-]name) in namespace frontend; have %v", slices.Sorted(func(yield func(string) bool) {
			for k := range byID {
				if !yield(k) {
					return
				}
			}
		}))
	}
	tests := []struct {
		name    string
		res     manifest.Resource
		pointer string
		want    any
	}{
		{name: "spec.values", res: dep, pointer: "/spec/template/spec/hostNetwork", want: true},
		{name: "valuesFrom ConfigMap values.yaml", res: dep, pointer: "/spec/replicas", want: int64(2)},
		{name: "valuesFrom over the chart's default", res: dep, pointer: "/spec/template/spec/containers/0/image", want: "nginx:1.27.3"},
		{name: "valuesFrom targetPath", res: byID["Service/frontend/frontend-web-web"], pointer: "/spec/ports/0/port", want: int64(8080)},
		{name: "postRenderers patch", res: byID["Service/frontend/frontend-web-web"], pointer: "/metadata/labels/post-rendered", want: "true"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := manifest.Lookup(tt.res.Object, tt.pointer)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", tt.pointer, diff)
			}
		})
	}
	if got, want := dep.Origin.File, "charts/web/templates/deployment.yaml"; got != want {
		t.Errorf("Deployment located at %s, want its template %s", got, want)
	}
	for _, f := range []string{"charts/web/templates/deployment.yaml", "charts/web/values.yaml", "apps/web/values.yaml"} {
		if !slices.Contains(r.Reads["clusters/prod"], f) {
			t.Errorf("reads lack %s: %v", f, r.Reads["clusters/prod"])
		}
	}

	res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var remote []string
	for _, f := range res.Findings {
		if f.RuleID == rules.HelmChartRemote {
			remote = append(remote, f.Location.String())
		}
	}
	if diff := cmp.Diff([]string{"apps/web/remote.yaml:1:1"}, remote); diff != "" {
		t.Errorf("helm-chart-remote findings (-want +got):\n%s", diff)
	}
}

// TestHelmLocations: a defect planted in a chart's values (a Flux
// HelmRelease's spec.values in testdata/repos/helm-flux, a
// kustomization's valuesInline in testdata/repos/helm-kustomize) is
// reported at that line; a field the template writes by itself is at
// the template's line. PATH is empty: nothing is executed.
func TestHelmLocations(t *testing.T) {
	t.Setenv("PATH", "")
	tests := []struct {
		name string
		repo string
		rule string
		at   string
	}{
		{name: "hostNetwork: true in spec.values", repo: "helm-flux", rule: "host-network", at: "apps/web/release.yaml:26:5"},
		{name: "flux container written by the template", repo: "helm-flux", rule: "liveness-probe-missing", at: "charts/web/templates/deployment.yaml:19"},
		{name: "hostNetwork: true in valuesInline", repo: "helm-kustomize", rule: "host-network", at: "apps/web/kustomization.yaml:12:7"},
		{name: "helmCharts container written by the template", repo: "helm-kustomize", rule: "liveness-probe-missing", at: "apps/web/charts/web/templates/deployment.yaml:19"},
	}
	got := map[string]map[string]string{} // by repository, rule
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got[tt.repo] == nil {
				res, err := Run(context.Background(), Options{Root: "../../testdata/repos/" + tt.repo, SchemaCacheDir: t.TempDir(), Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load})
				if err != nil {
					t.Fatal(err)
				}
				got[tt.repo] = map[string]string{}
				for _, f := range res.Findings {
					if f.Resource.Kind == "Deployment" {
						got[tt.repo][f.RuleID] = f.Location.String()
					}
				}
			}
			if at := got[tt.repo][tt.rule]; at != tt.at {
				t.Errorf("%s at %q, want %q", tt.rule, at, tt.at)
			}
		})
	}
}

// TestHelmValuesFromLocations: a defect planted in the values a
// HelmRelease takes from a ConfigMap (testdata/repos/helm-flux,
// apps/web/values.yaml) is reported at the line written: inside the
// ConfigMap's literal block, or at the key a targetPath entry reads.
func TestHelmValuesFromLocations(t *testing.T) {
	t.Setenv("PATH", "")
	tests := []struct {
		name     string
		line     int
		old, new string
		kind, at string
		wantRule string
	}{
		{name: "a value in the ConfigMap's values.yaml block", line: 7, old: "replicaCount: 2", new: "replicaCount: three", kind: "Deployment", wantRule: rules.SchemaInvalid, at: "apps/web/values.yaml:7"},
		{name: "a value a targetPath entry reads", line: 10, old: `port: "8080"`, new: `port: "eighty"`, kind: "Service", wantRule: rules.SchemaInvalid, at: "apps/web/values.yaml:10:3"},
	}
	schemas := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.CopyFS(root, os.DirFS("../../testdata/repos/helm-flux")); err != nil {
				t.Fatal(err)
			}
			file := filepath.Join(root, "apps", "web", "values.yaml")
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(string(data), "\n")
			if !strings.Contains(lines[tt.line-1], tt.old) {
				t.Fatalf("line %d is %q, not %q", tt.line, lines[tt.line-1], tt.old)
			}
			lines[tt.line-1] = strings.Replace(lines[tt.line-1], tt.old, tt.new, 1)
			if err := os.WriteFile(file, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: schemas})
			if err != nil {
				t.Fatal(err)
			}
			var at []string
			for _, f := range res.Findings {
				if f.RuleID == tt.wantRule && f.Resource.Kind == tt.kind {
					at = append(at, f.Location.String())
				}
			}
			if !slices.Equal(at, []string{tt.at}) {
				t.Errorf("%s on the %s at %v, want [%s]", tt.wantRule, tt.kind, at, tt.at)
			}
		})
	}
}

// TestHelmValuesSecret: a credential in a HelmRelease's values is a
// finding at that line, and no output names it.
func TestHelmValuesSecret(t *testing.T) {
	fakes := secretstest.NewFakes()
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "charts", "web"), os.DirFS("../../testdata/repos/helm-flux/charts/web")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"apps/kustomization.yaml": "resources:\n  - release.yaml\n",
		"apps/release.yaml": `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: web
  namespace: web
spec:
  chart:
    spec:
      chart: ./charts/web
      sourceRef:
        kind: GitRepository
        name: flux-system
  values:
    env:
      GITHUB_TOKEN: "` + fakes.Fixed["GITHUB_TOKEN"] + `"
`,
	}
	for p, s := range files {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var at []string
	for _, f := range res.Findings {
		for _, s := range fakes.Secret {
			if strings.Contains(f.Message, s) {
				t.Errorf("finding %s prints a secret value", f.RuleID)
			}
		}
		if f.Resource.Kind == "Deployment" || f.Location.File == "apps/release.yaml" && f.Location.Line == 15 {
			at = append(at, f.RuleID+" "+f.Location.File+":"+strconv.Itoa(f.Location.Line))
		}
	}
	found := false
	for _, a := range at {
		found = found || strings.HasSuffix(a, " apps/release.yaml:15")
	}
	if !found {
		t.Errorf("no finding at the credential's values line apps/release.yaml:15; got %v", at)
	}
}
