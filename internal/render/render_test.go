package render

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

func tempRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return root
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
`

func TestRenderTracksOrigins(t *testing.T) {
	root := tempRoot(t)
	treetest.Write(t, root, map[string]string{
		"base/deployment.yaml":            deployment,
		"base/kustomization.yaml":         "resources:\n- deployment.yaml\n",
		"overlays/dev/kustomization.yaml": "resources:\n- ../../base\nnamePrefix: dev-\nconfigMapGenerator:\n- name: settings\n  envs: [settings.env]\n",
		"overlays/dev/settings.env":       "LOG_LEVEL=debug\n",
	})
	r := New(Options{Root: root, Origins: true, YAML: true})
	out, err := r.Render("overlays/dev")
	if err != nil {
		t.Fatal(err)
	}
	type got struct{ Name, Source, Generator string }
	var gots []got
	for _, o := range out.Objects {
		md := o.Object["metadata"].(map[string]any)
		gots = append(gots, got{md["name"].(string), o.Source, o.Generator})
	}
	want := []got{
		{"dev-settings-47668c6k28", "overlays/dev/kustomization.yaml", "ConfigMapGenerator"},
		{"dev-web", "base/deployment.yaml", ""},
	}
	if diff := cmp.Diff(want, gots); diff != "" {
		t.Errorf("objects (-want +got):\n%s", diff)
	}
	if strings.Contains(string(out.YAML), "config.kubernetes.io/origin") {
		t.Errorf("origin annotations leaked into the output:\n%s", out.YAML)
	}
	wantReads := []string{"base/deployment.yaml", "base/kustomization.yaml", "overlays/dev/kustomization.yaml", "overlays/dev/settings.env"}
	if diff := cmp.Diff(wantReads, out.Reads); diff != "" {
		t.Errorf("reads (-want +got):\n%s", diff)
	}
}

func TestSandboxRefusesOutside(t *testing.T) {
	outer := tempRoot(t)
	root := filepath.Join(outer, "repo")
	treetest.Write(t, outer, map[string]string{
		"secret.yaml":                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside-bytes\n",
		"repo/escape/kustomization.yaml": "resources:\n- ../../secret.yaml\n",
		"repo/abs/kustomization.yaml":    "resources:\n- " + filepath.Join(outer, "secret.yaml") + "\n",
		"repo/link/kustomization.yaml":   "resources:\n- linked.yaml\n",
		"repo/patch/kustomization.yaml":  "resources:\n- cm.yaml\npatches:\n- path: ../../secret.yaml\n",
		"repo/patch/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside-bytes\n",
	})
	if err := os.Symlink(filepath.Join(outer, "secret.yaml"), filepath.Join(root, "link", "linked.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, lr := range []types.LoadRestrictions{types.LoadRestrictionsRootOnly, types.LoadRestrictionsNone} {
		r := New(Options{Root: root, LoadRestrictions: lr, Origins: true})
		for _, target := range []string{"escape", "abs", "link", "patch"} {
			t.Run(lr.String()+"/"+target, func(t *testing.T) {
				out, err := r.Render(target)
				if err == nil {
					t.Fatalf("render succeeded, output:\n%s", out.YAML)
				}
				t.Logf("%v", err)
				if target != "abs" && strings.Contains(err.Error(), outer) {
					t.Errorf("error names a path outside the repository: %v", err)
				}
				if lr == types.LoadRestrictionsNone && target != "abs" && !strings.Contains(err.Error(), "outside the repository") {
					t.Errorf("error does not come from the sandbox: %v", err)
				}
			})
		}
	}
}
