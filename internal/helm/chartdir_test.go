package helm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"

	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// writeChart writes an unpacked chart called name at version under dir,
// one Deployment whose image tag is the chart's version.
func writeChart(t *testing.T, dir, name, version string) string {
	t.Helper()
	files := map[string]string{
		"Chart.yaml":                "apiVersion: v2\nname: " + name + "\nversion: " + version + "\n",
		"values.yaml":               "replicaCount: 1\n",
		"templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ .Release.Name }}}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers: [{name: app, image: \"app:{{ .Chart.Version }}\"}]\n",
	}
	treetest.Write(t, dir, files)
	return dir
}

// packChart packs an unpacked chart into outDir as helm package does.
func packChart(t *testing.T, src, outDir string) string {
	t.Helper()
	c, err := loader.LoadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	p, err := chartutil.Save(c, outDir)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// testChartDir is a directory of charts: web 1.0.0 unpacked, web 1.2.0
// and 2.0.0-rc.1 and 2.0.0 packed, and a chart whose template is a
// symlink leaving the directory.
func testChartDir(t *testing.T) string {
	t.Helper()
	dir, scratch := t.TempDir(), t.TempDir()
	writeChart(t, filepath.Join(dir, "web"), "web", "1.0.0")
	for _, v := range []string{"1.2.0", "2.0.0-rc.1", "2.0.0"} {
		packChart(t, writeChart(t, filepath.Join(scratch, v), "web", v), dir)
	}
	evil := writeChart(t, filepath.Join(dir, "evil"), "evil", "1.0.0")
	secret := filepath.Join(scratch, "outside.yaml")
	if err := os.WriteFile(secret, []byte("kind: Secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(evil, "templates", "leak.yaml")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestChartDirsFind(t *testing.T) {
	charts := NewChartDirs([]string{testChartDir(t)})
	tests := []struct {
		name, chart, version string
		want                 string // version found
		wantErr              string
		packed               bool
	}{
		{name: "exact, unpacked", chart: "web", version: "1.0.0", want: "1.0.0"},
		{name: "a range picks the highest", chart: "web", version: ">=1.0.0 <2.0.0", want: "1.2.0", packed: true},
		{name: "a caret range", chart: "web", version: "^1.0", want: "1.2.0", packed: true},
		{name: "no version: the latest release, not a pre-release", chart: "web", want: "2.0.0", packed: true},
		{name: "a pre-release asked for", chart: "web", version: "2.0.0-rc.1", want: "2.0.0-rc.1", packed: true},
		{name: "no version matches", chart: "web", version: "3.x", wantErr: `--chart-dir: chart web: no version matching "3.x" (there are 1.0.0, 1.2.0, 2.0.0, 2.0.0-rc.1)`},
		{name: "no such chart", chart: "podinfo", wantErr: `--chart-dir holds no chart podinfo`},
		{name: "a symlink out of the directory", chart: "evil", wantErr: "outside"},
		{name: "a bad constraint", chart: "web", version: "not a version", wantErr: `version "not a version"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ch, err := charts.Find(tc.chart, tc.version)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("got %v, want an error with %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.Version != tc.want || !ch.External || len(ch.Files) != 0 || (ch.archive != nil) != tc.packed {
				t.Errorf("found %s %s (external %v, files %v, packed %v), want %s packed %v", ch.Name, ch.Version, ch.External, ch.Files, ch.archive != nil, tc.want, tc.packed)
			}
		})
	}
}

// TestChartDirsRender renders a chart of a --chart-dir for a Flux
// HelmRelease whose chart comes from a HelmRepository, and for those whose
// chartRef names an OCIRepository or a HelmChart of the repository: no template is
// located in the repository, values still apply.
func TestChartDirsRender(t *testing.T) {
	charts := &Charts{Dirs: NewChartDirs([]string{testChartDir(t)})}
	oci := map[string]any{"kind": "OCIRepository", "spec": map[string]any{"url": "oci://ghcr.io/example/charts/web", "ref": map[string]any{"semver": "~1.2"}}}
	helmChart := map[string]any{"kind": "HelmChart", "spec": map[string]any{"chart": "web", "version": "2.0.0-rc.1", "sourceRef": map[string]any{"kind": "HelmRepository", "name": "charts"}}}
	lookup := func(kind, _, name string) map[string]any {
		switch {
		case kind == "OCIRepository" && name == "web":
			return oci
		case kind == "OCIRepository" && name == "pinned":
			return map[string]any{"kind": "OCIRepository", "spec": map[string]any{"url": "oci://ghcr.io/example/charts/web", "ref": map[string]any{"tag": "1.2.0", "digest": "sha256:" + strings.Repeat("0", 64)}}}
		case kind == "HelmChart" && name == "web":
			return helmChart
		}
		return nil
	}
	tests := []struct {
		name  string
		spec  map[string]any
		image string
	}{
		{name: "HelmRepository", image: "app:1.0.0", spec: map[string]any{"chart": map[string]any{"spec": map[string]any{
			"chart": "web", "version": "1.0.x", "sourceRef": map[string]any{"kind": "HelmRepository", "name": "charts"},
		}}}},
		{name: "chartRef to an OCIRepository", image: "app:1.2.0", spec: map[string]any{"chartRef": map[string]any{"kind": "OCIRepository", "name": "web"}}},
		{name: "chartRef to an OCIRepository pinned by tag and digest", image: "app:1.2.0", spec: map[string]any{"chartRef": map[string]any{"kind": "OCIRepository", "name": "pinned"}}},
		{name: "chartRef to a HelmChart", image: "app:2.0.0-rc.1", spec: map[string]any{"chartRef": map[string]any{"kind": "HelmChart", "name": "web"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.spec["values"] = map[string]any{"replicaCount": 3}
			hr := map[string]any{"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": map[string]any{"name": "web", "namespace": "apps"}, "spec": tc.spec}
			out, err := RenderHelmRelease(t.Context(), nil, hr, func(string, string, string) bool { return false }, lookup, charts)
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Objects) != 1 || len(out.Reads) != 0 {
				t.Fatalf("objects %v, reads %v; want one Deployment and no repository file", out.Objects, out.Reads)
			}
			o := out.Objects[0]
			spec := o.Object["spec"].(map[string]any)
			image := spec["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["image"]
			if o.Template != "" || spec["replicas"] != int64(3) || image != tc.image {
				t.Errorf("template %q, replicas %v, image %v; want none, 3, %s", o.Template, spec["replicas"], image, tc.image)
			}
		})
	}
}
