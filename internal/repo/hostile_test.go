package repo

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// TestDiscoverReadsNothingOutside: settings files the walk reads itself
// (.gitignore, .git/info/exclude) that link out of the repository are not
// read and are reported at the link; a truncated JSON manifest is a
// yaml-syntax finding, and other broken JSON is not judged.
func TestDiscoverReadsNothingOutside(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	files := map[string]string{
		"outside-ignore":              "*.yaml\n", // would hide every manifest if read
		"repo/apps/cm.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
		"repo/apps/broken.json":       "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": ",
		"repo/tools/tsconfig.json":    "{ // comments are fine here\n",
		"repo/.git/info/placeholder":  "",
		"repo/sub/.gitignore-content": "",
	}
	treetest.Write(t, base, files)
	for link, target := range map[string]string{
		"repo/.gitignore":        filepath.Join(base, "outside-ignore"),
		"repo/.git/info/exclude": filepath.Join(base, "outside-ignore"),
		"repo/apps/zero.yaml":    "/dev/zero",
	} {
		if err := os.Symlink(target, filepath.Join(base, filepath.FromSlash(link))); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Discover(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.RuleID+" "+f.Location.File)
	}
	slices.Sort(got)
	want := []string{
		rules.PathEscape + " .git/info/exclude",
		rules.PathEscape + " .gitignore",
		rules.PathEscape + " apps/zero.yaml",
		rules.YAMLSyntax + " apps/broken.json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if !slices.Contains(r.Files, "apps/cm.yaml") {
		t.Errorf("apps/cm.yaml was ignored: the outside .gitignore was read (files %v)", r.Files)
	}
}

// TestInlineTransformerIsNotRemote: a transformer configured in place is
// local, however its text looks (labels with dots and slashes); a named
// remote one is still remote.
func TestInlineTransformerIsNotRemote(t *testing.T) {
	root := t.TempDir()
	write := func(name, content string) { treetest.Write(t, root, map[string]string{name: content}) }
	write("inline/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
	write("inline/kustomization.yaml", `resources:
  - cm.yaml
transformers:
  - |-
    apiVersion: builtin
    kind: LabelTransformer
    metadata:
      name: team
    labels:
      app.kubernetes.io/part-of: shop
    fieldSpecs:
      - path: metadata/labels
        create: true
`)
	write("named/kustomization.yaml", "transformers:\n  - github.com/org/repo/transformers?ref=v1\n")
	r, err := Discover(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.RuleID+" "+f.Location.File)
	}
	want := []string{rules.RemoteResource + " named/kustomization.yaml"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
