package engine

import (
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// TestInferredSourcesMatchOriginAnnotations checks the shortcut the engine
// takes: instead of rendering with kustomize's origin annotations (which
// doubles render time), it infers each object's source file from the
// kustomization graph. For every target of the test repositories, and of
// ../shared/corpus under make corpus, the inferred file must be the one
// kustomize's origin annotation names.
func TestInferredSourcesMatchOriginAnnotations(t *testing.T) {
	roots := []string{"../../testdata/repos/locations", "../../testdata/repos/demo", "../../testdata/repos/components"}
	// The corpus (minutes under -race) runs with make corpus only.
	if entries, err := os.ReadDir("../../../shared/corpus"); err == nil && os.Getenv("GITOPS_LINT_CORPUS") != "" {
		for _, e := range entries {
			if e.IsDir() {
				roots = append(roots, filepath.Join("../../../shared/corpus", e.Name()))
			}
		}
	}
	var compared, unknown int
	explainedN := map[string]int{}
	for _, root := range roots {
		rp, err := repo.Discover(root, repo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c := &checker{repo: rp, sources: newSourceCache(rp.FS), units: map[unitKey]*unit{}}
		c.edits = origin.New(rp, c.sources.read)
		c.attr = c.newAttributor()
		annotated := render.New(render.Options{Root: rp.Root, Origins: true})
		for _, tg := range rp.Targets {
			if tg.Kind != repo.Kustomize || tg.Blocked != "" {
				continue
			}
			out, err := annotated.Render(tg.Path)
			if err != nil {
				continue // render errors are other tests' business
			}
			for i, r := range c.resources(tg, tg.Path, out) {
				want := out.Objects[i].Source
				if want == "" {
					unknown++
					continue
				}
				compared++
				got := r.Origin.File
				if r.Doc != nil {
					got = r.Doc.File
				}
				if got == want {
					continue
				}
				if why := explained(rp, c, want, r); why != "" {
					explainedN[why]++
					continue
				}
				t.Errorf("%s: %s: inferred %s, kustomize says %s", tg.Path, r.ID, got, want)
			}
		}
	}
	t.Logf("%d objects compared, %d without an origin annotation, deliberate differences: %v", compared, unknown, explainedN)
	if compared == 0 {
		t.Fatal("nothing compared")
	}
}

// explained names a deliberate difference between the inferred source and
// kustomize's origin annotation, "" for none:
//   - a generator with behavior merge or replace: kustomize moves the
//     annotation to the last generator; the engine keeps the object's
//     maker as its source and the merging entry as an edit of its data;
//   - a JSON 6902 operation that replaces metadata.annotations wipes the
//     annotation kustomize keeps there, which it then refills with the
//     patching kustomization: the object's document is still its source.
func explained(rp *repo.Repo, c *checker, annotated string, r manifest.Resource) string {
	k := rp.Kustomizations[path.Dir(annotated)]
	if k == nil || k.File != annotated {
		return ""
	}
	for _, g := range k.Generators {
		if (g.Behavior == "merge" || g.Behavior == "replace") && g.Kind == r.ID.Kind && strings.Contains(r.ID.Name, g.Name) {
			return "merging generator"
		}
	}
	for _, p := range k.Patches {
		if p.Ref == nil || p.Ref.Kind != repo.RefFile {
			continue
		}
		data, err := c.sources.read(p.Ref.Path)
		if err == nil && annotationsReplaced.Match(data) && (p.Target == nil || origin.Selects(p.Target, &r)) {
			return "patch replaced metadata.annotations"
		}
	}
	return ""
}

var annotationsReplaced = regexp.MustCompile(`(?m)path:\s*"?/metadata/annotations"?\s*$`)
