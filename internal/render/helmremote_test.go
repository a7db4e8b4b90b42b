package render

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// webChart writes the chart web 1.0.0 under dir: one ConfigMap whose
// data.greeting is the value greeting (default "hello").
func webChart(t *testing.T, dir string) string {
	t.Helper()
	treetest.Write(t, dir, map[string]string{
		"web/Chart.yaml":        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"web/values.yaml":       "greeting: hello\n",
		"web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  greeting: {{ .Values.greeting }}\n",
	})
	return filepath.Join(dir, "web")
}

// helmRepository serves web 1.0.0 as a Helm repository (index.yaml and
// the archive) and counts the requests it answers.
func helmRepository(t *testing.T) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	c, err := loader.LoadDir(webChart(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	p, err := chartutil.Save(c, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	archive, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	idx := repo.NewIndexFile()
	if err := idx.MustAdd(c.Metadata, "web-1.0.0.tgz", "", ""); err != nil {
		t.Fatal(err)
	}
	index, err := sigsyaml.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"/index.yaml": index, "/web-1.0.0.tgz": archive}
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		data, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// TestHelmChartsRemoteRepo renders a helmCharts entry whose chart comes
// from a Helm repository, not the repository: with the chart of a
// --chart-dir, fetched from the repo with --allow-remote, and neither
// (no request made). valuesInline still applies, and no file of the
// chart is listed as read from the repository.
func TestHelmChartsRemoteRepo(t *testing.T) {
	srv, hits := helmRepository(t)
	chartDir := t.TempDir()
	webChart(t, chartDir)
	root := tempRoot(t)
	treetest.Write(t, root, map[string]string{
		"app/kustomization.yaml": "helmCharts:\n- name: web\n  repo: " + srv.URL + "\n  version: 1.0.x\n  releaseName: web\n  valuesInline:\n    greeting: hi\n",
	})
	fsys, err := rootfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		charts   *helm.Charts
		wantErr  string
		requests int32
	}{
		{name: "chart dir", charts: &helm.Charts{Dirs: helm.NewChartDirs([]string{chartDir})}},
		{name: "allow remote", charts: &helm.Charts{Remote: helm.NewRemoteCharts(t.TempDir())}, requests: 2},
		{name: "neither", charts: &helm.Charts{}, wantErr: "--allow-remote fetches it"},
		{name: "no charts at all", wantErr: "--allow-remote fetches it"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hits.Store(0)
			out, err := New(Options{Root: root, FS: fsys, Charts: tc.charts}).Render("app")
			if n := hits.Load(); n != tc.requests {
				t.Errorf("%d requests, want %d", n, tc.requests)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want one with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Objects) != 1 {
				t.Fatalf("objects %v, want the chart's ConfigMap", out.Objects)
			}
			o := out.Objects[0]
			meta, _ := o.Object["metadata"].(map[string]any)
			data, _ := o.Object["data"].(map[string]any)
			if meta["name"] != "web" || data["greeting"] != "hi" || o.Template != "" {
				t.Errorf("object %v, data %v, template %q; want web, greeting hi, no template", meta["name"], data, o.Template)
			}
			for _, r := range out.Reads {
				if r != "app/kustomization.yaml" {
					t.Errorf("reads %s, want only the kustomization", r)
				}
			}
		})
	}
}
