package engine

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/synth"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// TestAggregatorUnitsMatchWholeRender checks that splitting a Flux-style
// cluster kustomization into its parts yields exactly the objects that
// rendering it whole does.
func TestAggregatorUnitsMatchWholeRender(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "flux")
	if _, err := synth.Generate(dir, synth.Options{Apps: 4, Layout: synth.Flux}); err != nil {
		t.Fatal(err)
	}
	rp, err := repo.Discover(dir, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	renderer := render.New(render.Options{Root: rp.Root})
	c := &checker{repo: rp, sources: newSourceCache(rp.FS), units: map[unitKey]*unit{}}
	for _, tg := range rp.Targets {
		p := c.plan(tg)
		if len(p.units) < 2 {
			t.Fatalf("%s: expected the cluster kustomization to split, got %v", tg.Path, p.units)
		}
		var parts []string
		for _, u := range p.units {
			out, err := renderer.Render(u)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range out.Objects {
				parts = append(parts, manifest.IDOf(o.Object).String())
			}
		}
		whole, err := renderer.Render(tg.Path)
		if err != nil {
			t.Fatal(err)
		}
		var all []string
		for _, o := range whole.Objects {
			all = append(all, manifest.IDOf(o.Object).String())
		}
		slices.Sort(parts)
		slices.Sort(all)
		if diff := cmp.Diff(all, parts); diff != "" {
			t.Errorf("%s: parts differ from the whole (-whole +parts):\n%s", tg.Path, diff)
		}
	}
}

func TestAggregatorDuplicateIsRenderError(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"a/kustomization.yaml":       "resources:\n- cm.yaml\n",
		"a/cm.yaml":                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n",
		"b/kustomization.yaml":       "resources:\n- cm.yaml\n",
		"b/cm.yaml":                  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: same\n",
		"cluster/kustomization.yaml": "resources:\n- ../a\n- ../b\n",
	}
	treetest.Write(t, root, files)
	res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.RuleID+" "+f.Location.String())
	}
	want := []string{rules.RenderError + " b/cm.yaml:1:1"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestAggregatorFileOutsideItsDirectory checks that splitting an
// aggregating kustomization keeps kustomize's load restrictor: a manifest
// file above the kustomization is refused under rootOnly, as by
// `kustomize build`, and accepted with none.
func TestAggregatorFileOutsideItsDirectory(t *testing.T) {
	root := t.TempDir()
	treetest.Write(t, root, map[string]string{
		"cluster/kustomization.yaml": "resources:\n  - ../shared/cm.yaml\n",
		"shared/cm.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
	})
	tests := []struct {
		name string
		lr   types.LoadRestrictions
		want []string
	}{
		{name: "rootOnly refuses it", lr: types.LoadRestrictionsRootOnly, want: []string{rules.RenderError}},
		{name: "none accepts it", lr: types.LoadRestrictionsNone},
	}
	schemas := t.TempDir() // one Validator for every case (see schematest)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load, LoadRestrictions: tc.lr})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.RuleID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
