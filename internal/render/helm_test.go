package render

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestHelmCharts renders kustomizations with helmCharts in process: the
// chart output goes through the rest of the kustomization, as with
// `kustomize build --enable-helm`, and each object knows its template.
func TestHelmCharts(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata", "repos", "helm-kustomize"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		target    string
		golden    string
		templates map[string]string // object name → its template
		reads     []string          // some of the files the render must list
	}{
		{
			name:   "chart with values file, valuesInline and a patch",
			target: "apps/web",
			golden: "helm-web.yaml",
			templates: map[string]string{
				"front-web": "apps/web/charts/web/templates/service.yaml",
			},
			reads: []string{"apps/web/values-prod.yaml", "apps/web/charts/web/templates/deployment.yaml", "apps/web/charts/web/values.yaml"},
		},
		{
			name:   "overlay of a kustomization with helmCharts",
			target: "overlays/prod",
			golden: "helm-prod.yaml",
			reads:  []string{"apps/web/kustomization.yaml", "apps/web/charts/web/Chart.yaml"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", "") // nothing may be executed
			out, err := New(Options{Root: root, YAML: true}).Render(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			file := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(file, out.YAML, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(out.YAML)); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if strings.Contains(string(out.YAML), "gitops-lint") || strings.Contains(string(out.YAML), "helm-generated") {
				t.Errorf("an internal annotation is in the output:\n%s", out.YAML)
			}
			for _, o := range out.Objects {
				if o.Template == "" {
					t.Errorf("%v: no template", o.Object["metadata"])
				}
				meta, _ := o.Object["metadata"].(map[string]any)
				if want, ok := tt.templates[meta["name"].(string)]; ok && o.Object["kind"] == "Service" && o.Template != want {
					t.Errorf("template of %s = %q, want %q", meta["name"], o.Template, want)
				}
			}
			for _, o := range out.Objects {
				if o.Object["kind"] != "Deployment" {
					continue
				}
				// replicaCount comes from the values file, the image tag too;
				// hostNetwork from valuesInline.
				want := map[string]string{
					"/spec/replicas":                         "apps/web/values-prod.yaml:1:1",
					"/spec/template/spec/containers/0/image": "apps/web/values-prod.yaml:3:3",
					"/spec/template/spec/hostNetwork":        "apps/web/kustomization.yaml:12:7",
				}
				for ptr, at := range want {
					if got := o.Values[ptr].String(); got != at {
						t.Errorf("value of %s at %q, want %q", ptr, got, at)
					}
				}
			}
			for _, r := range tt.reads {
				found := false
				for _, got := range out.Reads {
					found = found || got == r
				}
				if !found {
					t.Errorf("reads %v lack %s", out.Reads, r)
				}
			}
			for _, got := range out.Reads {
				if strings.Contains(got, helmDir) || strings.HasSuffix(got, ".md") {
					t.Errorf("reads list %s, which the render did not read from the repository", got)
				}
			}
		})
	}
}

func TestHelmChartsConfined(t *testing.T) {
	root := tempRoot(t)
	outside := tempRoot(t)
	treetest.Write(t, outside, map[string]string{
		"web/Chart.yaml":        "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"web/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside\n",
		"values.yaml":           "a: 1\n",
	})
	treetest.Write(t, root, map[string]string{
		"link/kustomization.yaml":      "helmCharts:\n- name: web\n",
		"values/kustomization.yaml":    "helmCharts:\n- name: web\n  valuesFile: ../../" + filepath.Base(outside) + "/values.yaml\n",
		"values/charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
		"remote/kustomization.yaml":    "helmCharts:\n- name: web\n  repo: https://charts.example.com\n  version: 1.0.0\n",
	})
	if err := os.Symlink(outside, filepath.Join(root, "link", "charts")); err != nil {
		t.Fatal(err)
	}
	fsys, err := rootfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		target      string
		wantOutside bool
		wantMsg     string
		// wantRemote: the entry, at its line, is a chart that is not fetched.
		wantRemote bool
	}{
		{name: "chart home is a symlink out", target: "link", wantOutside: true, wantMsg: "outside the repository"},
		{name: "values file climbs out", target: "values", wantOutside: true, wantMsg: "outside the repository"},
		{
			name: "remote chart is not fetched", target: "remote", wantRemote: true,
			wantMsg: "https://charts.example.com, which is not this repository; it is not fetched (--allow-remote fetches it, --chart-dir DIR reads it from a directory of charts), nor vendored at remote/charts/web-1.0.0/web",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Root: root, FS: fsys}).Render(tt.target)
			re, ok := err.(*Error)
			if !ok {
				t.Fatalf("err = %v, want a render error", err)
			}
			if re.Outside != tt.wantOutside || !strings.Contains(re.Msg, tt.wantMsg) {
				t.Errorf("err = %q (outside %v), want %q (outside %v)", re.Msg, re.Outside, tt.wantMsg, tt.wantOutside)
			}
			if strings.Contains(re.Msg, outside) {
				t.Errorf("the message names a path outside the repository: %s", re.Msg)
			}
			if len(re.Charts) != 1 || re.Charts[0].At.String() != tt.target+"/kustomization.yaml:2:3" {
				t.Errorf("charts %v, want the entry at %s/kustomization.yaml:2:3", re.Charts, tt.target)
			} else if _, remote := errors.AsType[*helm.RemoteChart](re.Charts[0]); remote != tt.wantRemote {
				t.Errorf("entry error %v: a chart not fetched %v, want %v", re.Charts[0], remote, tt.wantRemote)
			}
		})
	}
}
