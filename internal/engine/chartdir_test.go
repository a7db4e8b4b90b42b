package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
	"github.com/gitops-lint/gitops-lint/policies"
)

// podinfoChartDir is a --chart-dir holding an unpacked podinfo 6.7.1, the
// chart the Helm test repositories take from a Helm repository.
func podinfoChartDir(t *testing.T) string {
	t.Helper()
	return treetest.New(t, map[string]string{
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
	root := treetest.New(t, map[string]string{
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
	root := treetest.New(t, map[string]string{
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
		// partly, notRendered: the summary's counts of targets.
		partly, notRendered int
	}{
		{
			name:  "one entry",
			files: map[string]string{"app/kustomization.yaml": "namespace: web\n" + remote},
			want:  []string{"helm-chart-remote info app/kustomization.yaml:3:3"}, notRendered: 1,
		},
		{
			name: "two entries",
			files: map[string]string{"app/kustomization.yaml": remote +
				"- name: redis\n  repo: oci://registry.example.com/charts\n  version: '>=18 <19'\n"},
			want: []string{"helm-chart-remote info app/kustomization.yaml:2:3", "helm-chart-remote info app/kustomization.yaml:5:3"}, notRendered: 1,
		},
		{
			name: "beside another unit, which is checked",
			files: map[string]string{
				"clusters/prod/kustomization.yaml": "resources: [../../apps/podinfo, ../../apps/tools]\n",
				"apps/podinfo/kustomization.yaml":  remote,
				"apps/tools/kustomization.yaml":    "resources: [pod.yaml]\n",
				"apps/tools/pod.yaml":              "apiVersion: v1\nkind: Pod\nmetadata: {name: tools}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: busybox:1.36}]\n",
			},
			want:   []string{"helm-chart-remote info apps/podinfo/kustomization.yaml:2:3", "host-network error apps/tools/pod.yaml:5:3"},
			partly: 1,
		},
		{
			name:  "a repository URL with a password, never shown",
			files: map[string]string{"app/kustomization.yaml": "helmCharts:\n- name: podinfo\n  repo: https://ci:" + strings.Repeat("pw", 8) + "@charts.example.com\n"},
			want:  []string{"helm-chart-remote info app/kustomization.yaml:2:3"}, notRendered: 1,
		},
		{
			name:  "a local chart that is missing",
			files: map[string]string{"app/kustomization.yaml": "namespace: web\nhelmCharts:\n- name: web\n"},
			want:  []string{"render-error error app/kustomization.yaml:3:3"}, notRendered: 1,
		},
	}
	interesting := []string{rules.HelmChartRemote, rules.RenderError, "host-network"}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(t.Context(), Options{Root: treetest.New(t, tc.files), SchemaCacheDir: t.TempDir(), LoadSchemas: testSchemas.Load, Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if slices.Contains(interesting, f.RuleID) {
					got = append(got, f.RuleID+" "+f.Severity.String()+" "+f.Location.String())
				}
				if f.RuleID == rules.HelmChartRemote && (!strings.Contains(f.Message, "--allow-remote") || strings.Contains(f.Message, "pwpw")) {
					t.Errorf("message %q does not say how to render the chart, or shows the password", f.Message)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if res.PartlyRendered != tc.partly || res.NotRendered != tc.notRendered {
				t.Errorf("partly rendered %d, not rendered %d; want %d, %d", res.PartlyRendered, res.NotRendered, tc.partly, tc.notRendered)
			}
		})
	}
}

// helmRepository is a Helm repository over HTTP (index.yaml and archives,
// files of a directory) to which a test publishes chart versions while it
// runs.
type helmRepository struct {
	*httptest.Server
	dir   string
	index *repo.IndexFile
}

func newHelmRepository(t *testing.T) *helmRepository {
	dir := t.TempDir()
	h := &helmRepository{Server: httptest.NewServer(http.FileServer(http.Dir(dir))), dir: dir, index: repo.NewIndexFile()}
	t.Cleanup(h.Close)
	return h
}

// publish adds the chart web at version: one Deployment, on the host's
// network when hostNetwork.
func (h *helmRepository) publish(t *testing.T, version string, hostNetwork bool) {
	t.Helper()
	dir := treetest.New(t, map[string]string{
		"web/Chart.yaml": "apiVersion: v2\nname: web\nversion: " + version + "\n",
		"web/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n" +
			"  template:\n    metadata: {labels: {app: web}}\n    spec:\n      hostNetwork: " + strconv.FormatBool(hostNetwork) + "\n      containers: [{name: web, image: \"web:" + version + "\"}]\n",
	})
	ch, err := loader.LoadDir(filepath.Join(dir, "web"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := chartutil.Save(ch, h.dir)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if err := h.index.MustAdd(ch.Metadata, filepath.Base(p), h.URL, hex.EncodeToString(sum[:])); err != nil {
		t.Fatal(err)
	}
	if err := h.index.WriteFile(filepath.Join(h.dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestResultCacheFollowsChartVersions checks the result cache of a target
// that renders a chart fetched from a Helm repository with a version
// range (--allow-remote): while the index names the same version and
// digest (or none in the range) the entry holds; once a version in the
// range is published the target is rendered again, and a newer one's
// finding appears. For a Flux HelmRelease and a helmCharts entry.
func TestResultCacheFollowsChartVersions(t *testing.T) {
	tests := []struct {
		name, target string
		files        func(url string) map[string]string
	}{
		{
			name: "HelmRelease", target: "clusters/prod",
			files: func(url string) map[string]string {
				return map[string]string{
					"clusters/prod/kustomization.yaml": "resources: [repository.yaml, release.yaml]\n",
					"clusters/prod/repository.yaml":    "apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: {name: charts, namespace: apps}\nspec: {url: \"" + url + "\"}\n",
					"clusters/prod/release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: apps}\n" +
						"spec:\n  chart:\n    spec: {chart: web, version: \">=1.0.0 <2\", sourceRef: {kind: HelmRepository, name: charts}}\n",
				}
			},
		},
		{
			name: "helmCharts", target: "app",
			files: func(url string) map[string]string {
				return map[string]string{"app/kustomization.yaml": "helmCharts:\n- name: web\n  repo: " + url + "\n  version: \">=1.0.0 <2\"\n  releaseName: web\n"}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			charts := newHelmRepository(t)
			charts.publish(t, "0.9.0", false) // out of the range
			opts := Options{
				Root: treetest.New(t, tc.files(charts.URL)), AllowRemote: true, CacheDir: t.TempDir(), ChartCacheDir: t.TempDir(),
				SchemaCacheDir: t.TempDir(), LoadSchemas: testSchemas.Load, Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load,
			}
			steps := []struct {
				name        string
				publish     string // a version published before the run
				cached, hit bool   // the target comes from the cache; host-network is reported
			}{
				{name: "none in the range"},
				{name: "still none", cached: true},
				{name: "1.0.0 published", publish: "1.0.0"},
				{name: "1.1.0 published", publish: "1.1.0", hit: true},
				{name: "same index", cached: true, hit: true},
			}
			for _, st := range steps {
				if st.publish != "" {
					charts.publish(t, st.publish, st.publish == "1.1.0")
				}
				res, err := Run(t.Context(), opts)
				if err != nil {
					t.Fatal(err)
				}
				hostNetwork := slices.ContainsFunc(res.Findings, func(f rules.Finding) bool { return f.RuleID == "host-network" })
				if cached := slices.Contains(res.Cached, tc.target); cached != st.cached || hostNetwork != st.hit {
					t.Errorf("%s: cached %v, host-network %v; want %v, %v", st.name, cached, hostNetwork, st.cached, st.hit)
				}
			}
		})
	}
}
