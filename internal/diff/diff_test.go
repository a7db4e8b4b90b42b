package diff

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/gitx"
)

// testRepo is a git repository built for a test, without the user's
// configuration.
type testRepo struct {
	t   *testing.T
	dir string
}

func newTestRepo(t *testing.T, files map[string]string) *testRepo {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := &testRepo{t: t, dir: t.TempDir()}
	r.git("init", "-q", "-b", "main")
	r.write(files)
	r.git("add", ".")
	r.git("commit", "-qm", "base")
	return r
}

func (r *testRepo) git(args ...string) {
	r.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// write writes files; an empty content deletes the file.
func (r *testRepo) write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.dir, filepath.FromSlash(name))
		if content == "" {
			if err := os.Remove(p); err != nil {
				r.t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

const (
	kustomization = "resources: [cm.yaml]\n"
	configMap     = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {level: info}\n"
)

// summary is what a test checks of a result: each target's path, change
// and resources.
func summary(res *Result) map[string][]string {
	m := map[string][]string{}
	for _, t := range res.Targets {
		lines := []string{t.Change.String()}
		if t.BaseError != "" || t.HeadError != "" {
			lines = append(lines, "error")
		}
		for _, r := range t.Resources {
			lines = append(lines, r.Change.Symbol()+" "+r.ID.String())
			for _, f := range r.Fields {
				lines = append(lines, "  "+line(f))
			}
		}
		m[t.Path] = lines
	}
	return m
}

func TestRun(t *testing.T) {
	base := map[string]string{
		"apps/a/kustomization.yaml": kustomization, "apps/a/cm.yaml": configMap,
		"apps/b/kustomization.yaml": kustomization, "apps/b/cm.yaml": configMap,
		"plain/cm.yaml": configMap,
		"README.md":     "# repo\n",
	}
	tests := []struct {
		name    string
		edits   map[string]string
		dir     string // under the repository, default its root
		cfg     string
		want    map[string][]string
		unmoved int
		files   int
	}{
		{name: "nothing changed", want: map[string][]string{}},
		{
			name:  "a file no target reads",
			edits: map[string]string{"README.md": "# changed\n"},
			want:  map[string][]string{}, files: 1,
		},
		{
			name:  "a manifest of one target, a plain one, and a new untracked target",
			edits: map[string]string{"apps/a/cm.yaml": configMap + "---\n" + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra}\n", "plain/cm.yaml": "# a comment\n" + configMap, "apps/c/kustomization.yaml": kustomization, "apps/c/cm.yaml": configMap},
			want: map[string][]string{
				"apps/a": {"changed", "+ ConfigMap/extra"},
				"apps/c": {"added", "+ ConfigMap/app"},
			},
			unmoved: 1, files: 4,
		},
		{
			name:  "a target deleted, another broken",
			edits: map[string]string{"apps/a/kustomization.yaml": "", "apps/a/cm.yaml": "", "apps/b/kustomization.yaml": "resources: [missing.yaml]\n"},
			want: map[string][]string{
				"apps/a": {"removed", "- ConfigMap/app"},
				"apps/b": {"changed", "error"},
			},
			files: 3,
		},
		{
			name:  "from a subdirectory",
			dir:   "apps",
			edits: map[string]string{"apps/a/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {level: debug}\n", "plain/cm.yaml": "# outside\n" + configMap},
			want:  map[string][]string{"a": {"changed", "~ ConfigMap/app", "  ~ data.level: info -> debug"}},
			files: 1,
		},
		{
			name:  "a target the configuration file skips",
			cfg:   "exclude: [apps/a]\n",
			edits: map[string]string{"apps/a/cm.yaml": "", "apps/b/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n"},
			want:  map[string][]string{"apps/b": {"changed", "~ ConfigMap/app", "  - data: {level: info}"}},
			files: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRepo(t, base)
			r.write(tt.edits)
			dir := filepath.Join(r.dir, filepath.FromSlash(tt.dir))
			var cfg *config.Config
			if tt.cfg != "" {
				var err error
				if cfg, err = config.Parse(".gitops-lint.yaml", dir, []byte(tt.cfg)); err != nil {
					t.Fatal(err)
				}
			}
			res, err := Run(context.Background(), Options{Dir: dir, Base: "main", Jobs: 2, Scope: cfg.Scope(types.LoadRestrictionsUnknown)})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summary(res)); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			if res.Unchanged != tt.unmoved || len(res.Files) != tt.files {
				t.Errorf("unchanged %d, files %v; want %d and %d files", res.Unchanged, res.Files, tt.unmoved, tt.files)
			}
		})
	}
}

func TestRunMissingRef(t *testing.T) {
	r := newTestRepo(t, map[string]string{"a.yaml": configMap})
	_, err := Run(context.Background(), Options{Dir: r.dir, Base: "origin/main"})
	var missing *gitx.MissingRefError
	if !errors.As(err, &missing) {
		t.Errorf("got %v, want a MissingRefError", err)
	}
}

func TestImageChanges(t *testing.T) {
	deploy := func(image string) []map[string]any {
		return []map[string]any{obj(t, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      initContainers: [{name: init, image: busybox:1.36}]\n      containers: [{name: web, image: "+image+"}]\n")}
	}
	target := &Target{Path: "overlays/prod", Environment: "prod"}
	tests := []struct {
		name     string
		old, cur []map[string]any
		want     []ImageChange
	}{
		{name: "same", old: deploy("web:1"), cur: deploy("web:1")},
		{
			name: "new tag", old: deploy("ghcr.io/a/web:1.0"), cur: deploy("ghcr.io/a/web:1.1"),
			want: []ImageChange{{Image: "ghcr.io/a/web", Environment: "prod", Target: "overlays/prod", Old: "1.0", New: "1.1"}},
		},
		{
			name: "pinned to a digest", old: deploy("web:1.0"), cur: deploy("web:1.0@sha256:0123456789abcdef"),
			want: []ImageChange{{Image: "web", Environment: "prod", Target: "overlays/prod", Old: "1.0", New: "1.0@sha256:0123456789abcdef"}},
		},
		{
			name: "another registry", old: deploy("docker.io/web:1.0"), cur: deploy("ghcr.io/web:1.0"),
			want: []ImageChange{{Image: "ghcr.io/web", Environment: "prod", Target: "overlays/prod", Old: "docker.io/web:1.0", New: "1.0"}},
		},
		{
			name: "workload removed", old: deploy("web:1.0"),
			want: []ImageChange{
				{Image: "busybox", Environment: "prod", Target: "overlays/prod", Old: "1.36"},
				{Image: "web", Environment: "prod", Target: "overlays/prod", Old: "1.0"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := imageChanges(target, tt.old, tt.cur)
			sortImages(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestRunHelmRelease shows a Helm release as a target of its own on both
// sides: a values change, or a chart change alone, shows in the objects
// the chart installs, and the target that deploys it shows the change of
// its HelmRelease.
func TestRunHelmRelease(t *testing.T) {
	const release = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: apps}\n" +
		"spec:\n  chart:\n    spec:\n      chart: ./charts/web\n      sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}\n" +
		"  values:\n    replicaCount: 1\n"
	const deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ .Release.Name }}}\n" +
		"spec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers: [{name: web, image: \"nginx:{{ .Values.tag }}\"}]\n"
	base := map[string]string{
		"clusters/prod/kustomization.yaml": "resources: [release.yaml]\n",
		"clusters/prod/release.yaml":       release,
		"charts/web/Chart.yaml":            "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"charts/web/values.yaml":           "replicaCount: 1\ntag: \"1.27\"\n",
		"charts/web/templates/deploy.yaml": deployment,
	}
	const rel = "clusters/prod#HelmRelease/apps/web"
	tests := []struct {
		name  string
		edits map[string]string
		want  map[string][]string
	}{
		{
			name:  "a value of the release",
			edits: map[string]string{"clusters/prod/release.yaml": strings.Replace(release, "replicaCount: 1", "replicaCount: 3", 1)},
			want: map[string][]string{
				"clusters/prod": {"changed", "~ HelmRelease/apps/web", "  ~ spec.values.replicaCount: 1 -> 3"},
				rel:             {"changed", "~ Deployment/apps/web", "  ~ spec.replicas: 1 -> 3"},
			},
		},
		{
			name:  "the chart's values file alone",
			edits: map[string]string{"charts/web/values.yaml": "replicaCount: 1\ntag: \"1.28\"\n"},
			want: map[string][]string{
				rel: {"changed", "~ Deployment/apps/web", "  ~ spec.template.spec.containers[name=web].image: nginx:1.27 -> nginx:1.28"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newTestRepo(t, base)
			r.write(tt.edits)
			res, err := Run(context.Background(), Options{Dir: r.dir, Base: "main", Jobs: 2})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, summary(res)); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}
