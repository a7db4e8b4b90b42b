package helm

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

var update = flag.Bool("update", false, "rewrite golden files")

// repoFS opens a test repository confined like a run does.
func repoFS(t *testing.T, name string) *rootfs.FS {
	t.Helper()
	fsys, err := rootfs.New(filepath.Join("..", "..", "testdata", "repos", name))
	if err != nil {
		t.Fatal(err)
	}
	return fsys
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", name, diff)
	}
}

func TestRender(t *testing.T) {
	fsys := repoFS(t, "helm-kustomize")
	ch, err := Load(fsys, "apps/web/charts/web")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Name != "web" || ch.Version != "1.2.0" {
		t.Errorf("name, version = %s, %s", ch.Name, ch.Version)
	}
	wantFiles := []string{
		"apps/web/charts/web/.helmignore",
		"apps/web/charts/web/Chart.yaml",
		"apps/web/charts/web/templates/_helpers.tpl",
		"apps/web/charts/web/templates/deployment.yaml",
		"apps/web/charts/web/templates/lookup.yaml",
		"apps/web/charts/web/templates/service.yaml",
		"apps/web/charts/web/values.yaml",
	}
	if diff := cmp.Diff(wantFiles, ch.Files); diff != "" {
		t.Errorf("files read (-want +got); NOTES.md is .helmignored:\n%s", diff)
	}
	tests := []struct {
		name   string
		rel    Release
		golden string
	}{
		{name: "defaults", rel: Release{Name: "release-name"}, golden: "web-defaults.yaml"},
		{
			name:   "values and namespace",
			rel:    Release{Name: "front", Namespace: "web", Values: map[string]any{"replicaCount": 3, "env": map[string]any{"A": "b"}}},
			golden: "web-values.yaml",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Render(context.Background(), ch, tt.rel)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, out.YAML)
			var templates []string
			for _, m := range out.Manifests {
				templates = append(templates, m.Template)
			}
			// lookup.yaml renders to nothing: lookup finds no cluster.
			want := []string{"web/templates/service.yaml", "web/templates/deployment.yaml"}
			if diff := cmp.Diff(want, templates); diff != "" {
				t.Errorf("manifests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRenderTwiceIsStable guards the fresh chart per render: an install
// rewrites the chart it renders.
func TestRenderTwiceIsStable(t *testing.T) {
	ch, err := Load(repoFS(t, "helm-kustomize"), "apps/web/charts/web")
	if err != nil {
		t.Fatal(err)
	}
	first, err := Render(context.Background(), ch, Release{Name: "a", Values: map[string]any{"replicaCount": 5}})
	if err != nil {
		t.Fatal(err)
	}
	second, err := Render(context.Background(), ch, Release{Name: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if first.YAML == second.YAML || strings.Contains(second.YAML, "replicas: 5") {
		t.Errorf("the values of one render leaked into the next:\n%s", second.YAML)
	}
}

// TestNothingIsExecuted renders with no PATH: were Helm to start a
// program (a plugin, a post-renderer, helm itself), it could not be found.
func TestNothingIsExecuted(t *testing.T) {
	t.Setenv("PATH", "")
	ch, err := Load(repoFS(t, "helm-kustomize"), "apps/web/charts/web")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Render(context.Background(), ch, Release{Name: "x"}); err != nil {
		t.Fatalf("render with an empty PATH: %v", err)
	}
}

func TestLoadConfined(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write := func(p, s string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(filepath.Join(outside, "secret.yaml"), "kind: Secret\n")
	write(filepath.Join(root, "chart", "Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n")
	if err := os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(root, "chart", "templates.yaml")); err != nil {
		t.Fatal(err)
	}
	fsys, err := rootfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
	}{
		{name: "symlink in the chart leaves the repository", dir: "chart"},
		{name: "chart path leaves the repository", dir: "../" + filepath.Base(outside)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(fsys, tt.dir)
			if !errors.Is(err, rootfs.ErrOutside) {
				t.Fatalf("Load(%s) = %v, want ErrOutside", tt.dir, err)
			}
			if strings.Contains(err.Error(), outside) {
				t.Errorf("the error names the outside path: %v", err)
			}
		})
	}
}

func TestSchemaRefsNotFollowed(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"c/Chart.yaml":         "apiVersion: v2\nname: c\nversion: 0.1.0\n",
		"c/values.yaml":        "port: 80\n",
		"c/values.schema.json": `{"properties":{"port":{"$ref":"file:///etc/hostname"}}}`,
		"d/Chart.yaml":         "apiVersion: v2\nname: d\nversion: 0.1.0\n",
		"d/values.yaml":        "port: 80\n",
		"d/values.schema.json": `{"properties":{"port":{"type":"integer"}}}`,
	}
	for p, s := range files {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	fsys, err := rootfs.New(root)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		chart   string
		values  map[string]any
		wantErr string
	}{
		{name: "file ref refused", chart: "c", wantErr: "external schema references are not followed"},
		{name: "valid", chart: "d", values: map[string]any{"port": 8080}},
		{name: "invalid", chart: "d", values: map[string]any{"port": "eighty"}, wantErr: "values don't meet the specifications"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ch, err := Load(fsys, tt.chart)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Render(context.Background(), ch, Release{Name: "r", Values: tt.values})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func TestHideUserinfo(t *testing.T) {
	password := strings.Repeat("pw", 8)
	tests := []struct {
		name, text, repoURL, want string
	}{
		{name: "user and password", text: "https://ci:" + password + "@charts.example.com: 401", repoURL: "https://ci:" + password + "@charts.example.com/stable", want: "https://charts.example.com: 401"},
		{name: "a token as user", text: "oci://" + password + "@registry.example.com/web", repoURL: "oci://" + password + "@registry.example.com", want: "oci://registry.example.com/web"},
		{name: "none", text: "https://charts.example.com/a@b", repoURL: "https://charts.example.com/a@b", want: "https://charts.example.com/a@b"},
		{name: "no scheme", text: "registry.example.com/charts", repoURL: "registry.example.com/charts", want: "registry.example.com/charts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HideUserinfo(tt.text, tt.repoURL); got != tt.want {
				t.Errorf("HideUserinfo(%q, %q) = %q, want %q", tt.text, tt.repoURL, got, tt.want)
			}
		})
	}
}
