package engine

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// podinfoChartDir is a --chart-dir holding an unpacked podinfo 6.7.1, the
// chart the Helm test repositories take from a Helm repository.
func podinfoChartDir(t *testing.T) string {
	t.Helper()
	return writeTree(t, map[string]string{
		"podinfo/Chart.yaml":                "apiVersion: v2\nname: podinfo\nversion: 6.7.1\n",
		"podinfo/values.yaml":               "replicaCount: 1\n",
		"podinfo/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ .Release.Name }}}\nspec:\n  replicas: {{ .Values.replicaCount }}\n",
	})
}

// TestChartDirRendersRemoteCharts renders the releases whose chart comes
// from a Helm repository with the chart of a --chart-dir, for a Flux
// HelmRelease and an Argo CD Application; without one they are not
// rendered, and say how to render them.
func TestChartDirRendersRemoteCharts(t *testing.T) {
	charts := podinfoChartDir(t)
	tests := []struct {
		name, root, target, release string
		gitops                      gitops.Options
	}{
		{name: "flux", root: "../../testdata/repos/helm-flux", target: "clusters/prod", release: "clusters/prod#HelmRelease/web/podinfo"},
		{
			name: "argo", root: "../../testdata/repos/helm-argo", target: "argocd", release: "argocd#Application/argocd/podinfo",
			gitops: gitops.Options{RepoURLs: []string{"https://github.com/example/helm-argo.git"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, dirs := range [][]string{nil, {charts}} {
				w, err := Open(Options{Root: tc.root, GitOps: tc.gitops, ChartDirs: dirs})
				if err != nil {
					t.Fatal(err)
				}
				rel, err := w.release(tc.release)
				if err != nil {
					t.Fatal(err)
				}
				if dirs == nil {
					if !strings.Contains(rel.Error, "helm-chart-remote") || !strings.Contains(rel.Error, "--chart-dir") {
						t.Errorf("without --chart-dir: error %q, want a helm-chart-remote naming --chart-dir", rel.Error)
					}
					continue
				}
				if rel.Error != "" || len(rel.Objects) != 1 || rel.Objects[0]["kind"] != "Deployment" {
					t.Errorf("with --chart-dir: error %q, objects %v; want the chart's Deployment", rel.Error, rel.Objects)
				}
				for _, f := range rel.Reads {
					if strings.HasPrefix(f, "podinfo/") {
						t.Errorf("reads %s, a file of the --chart-dir, as the repository's", f)
					}
				}
			}
		})
	}
}

// TestRemoteChartsNeedAllowRemote renders a HelmRelease whose chart is in
// a Helm repository: without AllowRemote no request reaches the
// repository; with it the run asks it for its index (here a repository
// that has none).
func TestRemoteChartsNeedAllowRemote(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		requests++
		mu.Unlock()
		http.NotFound(w, r)
	}))
	defer srv.Close()
	root := writeTree(t, map[string]string{
		"clusters/prod/kustomization.yaml": "resources: [repository.yaml, release.yaml]\n",
		"clusters/prod/repository.yaml":    "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: apps}\nspec: {url: \"" + srv.URL + "\"}\n",
		"clusters/prod/release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: apps}\n" +
			"spec:\n  chart:\n    spec: {chart: web, version: 1.x, sourceRef: {kind: HelmRepository, name: charts}}\n",
	})
	tests := []struct {
		name        string
		allowRemote bool
		want        string
		requests    int
	}{
		{name: "offline", want: "--allow-remote fetches it", requests: 0},
		{name: "allowed", allowRemote: true, want: "index.yaml : 404 Not Found", requests: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mu.Lock()
			requests = 0
			mu.Unlock()
			w, err := Open(Options{Root: root, AllowRemote: tc.allowRemote, ChartCacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			rel, err := w.release("clusters/prod#HelmRelease/apps/web")
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			n := requests
			mu.Unlock()
			if !strings.Contains(rel.Error, tc.want) || n != tc.requests {
				t.Errorf("error %q, %d requests; want %q and %d", rel.Error, n, tc.want, tc.requests)
			}
		})
	}
}

// TestResultCacheFollowsCharts checks that a cached target is checked
// again when a template of the chart its HelmRelease renders changes, or
// when a chart of a --chart-dir does, and not otherwise.
func TestResultCacheFollowsCharts(t *testing.T) {
	root, charts := t.TempDir(), podinfoChartDir(t)
	if err := os.CopyFS(root, os.DirFS("../../testdata/repos/helm-flux")); err != nil {
		t.Fatal(err)
	}
	cacheDir, schemas := t.TempDir(), t.TempDir()
	appendTo := func(file, text string) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, append(data, text...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name   string
		edit   func()
		cached bool
	}{
		{name: "cold", cached: false},
		{name: "nothing changed", cached: true},
		{name: "a chart template", edit: func() { appendTo(filepath.Join(root, "charts/web/templates/service.yaml"), "# edited\n") }, cached: false},
		{name: "a chart of the --chart-dir", edit: func() { appendTo(filepath.Join(charts, "podinfo/values.yaml"), "extra: 1\n") }, cached: false},
		{name: "again nothing", cached: true},
	}
	for _, st := range steps {
		if st.edit != nil {
			st.edit()
		}
		res, err := Run(t.Context(), Options{Root: root, SchemaCacheDir: schemas, CacheDir: cacheDir, ChartDirs: []string{charts}})
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(res.Cached, "clusters/prod"); got != st.cached {
			t.Errorf("%s: clusters/prod cached %v, want %v", st.name, got, st.cached)
		}
	}
}

// TestChartDirRendersHelmChartsRepo renders a kustomization whose
// helmCharts entry names a chart of a Helm repository: the run's
// --chart-dir supplies it to the checked objects and to render's output;
// without one both say how to get it, render with a helm-chart-remote.
func TestChartDirRendersHelmChartsRepo(t *testing.T) {
	charts := podinfoChartDir(t)
	root := writeTree(t, map[string]string{
		"app/kustomization.yaml": "helmCharts:\n- name: podinfo\n  repo: https://charts.example.com\n  version: 6.7.1\n  releaseName: web\n  valuesInline: {replicaCount: 2}\n",
	})
	tests := []struct {
		name string
		dirs []string
		want string // in the output, or the error when there is none
	}{
		{name: "chart dir", dirs: []string{charts}, want: "replicas: 2"},
		{name: "none", want: "--chart-dir DIR reads it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := Open(Options{Root: root, ChartDirs: tc.dirs})
			if err != nil {
				t.Fatal(err)
			}
			objs, err := w.Objects("app")
			printed, perr := w.Print(t.Context(), "app", false)
			if perr != nil {
				t.Fatal(perr)
			}
			if tc.dirs == nil {
				// render reports it as check does: at the entry.
				blocked := len(printed.Blocked) == 1 && printed.Blocked[0].RuleID == rules.HelmChartRemote && strings.Contains(printed.Blocked[0].Message, tc.want)
				if err == nil || !strings.Contains(err.Error(), tc.want) || !blocked {
					t.Errorf("objects error %v, render %+v; want both with %q", err, printed, tc.want)
				}
				return
			}
			if err != nil || len(objs) != 1 || objs[0]["kind"] != "Deployment" || !strings.Contains(string(printed.YAML), tc.want) {
				t.Errorf("objects %v (error %v), render %s (error %q); want the chart's Deployment with %q", objs, err, printed.YAML, printed.Error, tc.want)
			}
		})
	}
}

// TestHelmChartsRepoNotFetched checks a kustomization whose helmCharts
// entry names a chart of a Helm repository that is neither in the
// repository nor fetched: one helm-chart-remote info per entry, at the
// entry, and no error; the other units of an aggregating kustomization
// are still checked. An entry without a repo whose chart is missing stays
// a render-error at the entry.
func TestHelmChartsRepoNotFetched(t *testing.T) {
	const remote = "helmCharts:\n- name: podinfo\n  repo: https://charts.example.com\n  version: 6.7.1\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string // rule severity location
	}{
		{
			name:  "one entry",
			files: map[string]string{"app/kustomization.yaml": "namespace: web\n" + remote},
			want:  []string{"helm-chart-remote info app/kustomization.yaml:3:3"},
		},
		{
			name: "two entries",
			files: map[string]string{"app/kustomization.yaml": remote +
				"- name: redis\n  repo: oci://registry.example.com/charts\n  version: '>=18 <19'\n"},
			want: []string{"helm-chart-remote info app/kustomization.yaml:2:3", "helm-chart-remote info app/kustomization.yaml:5:3"},
		},
		{
			name: "beside another unit, which is checked",
			files: map[string]string{
				"clusters/prod/kustomization.yaml": "resources: [../../apps/podinfo, ../../apps/tools]\n",
				"apps/podinfo/kustomization.yaml":  remote,
				"apps/tools/kustomization.yaml":    "resources: [pod.yaml]\n",
				"apps/tools/pod.yaml":              "apiVersion: v1\nkind: Pod\nmetadata: {name: tools}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: busybox:1.36}]\n",
			},
			want: []string{"helm-chart-remote info apps/podinfo/kustomization.yaml:2:3", "host-network error apps/tools/pod.yaml:5:3"},
		},
		{
			name:  "a local chart that is missing",
			files: map[string]string{"app/kustomization.yaml": "namespace: web\nhelmCharts:\n- name: web\n"},
			want:  []string{"render-error error app/kustomization.yaml:3:3"},
		},
	}
	interesting := []string{rules.HelmChartRemote, rules.RenderError, "host-network"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(t.Context(), Options{Root: writeTree(t, tc.files), SchemaCacheDir: t.TempDir(), LoadSchemas: testSchemas.Load, Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if slices.Contains(interesting, f.RuleID) {
					got = append(got, f.RuleID+" "+f.Severity.String()+" "+f.Location.String())
				}
				if f.RuleID == rules.HelmChartRemote && !strings.Contains(f.Message, "--allow-remote") {
					t.Errorf("message %q does not say how to render the chart", f.Message)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
