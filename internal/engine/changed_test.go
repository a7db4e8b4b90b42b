package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/synth"
)

// TestChangedSelectsAffectedTargets checks which targets a run limited to
// changed files renders, in the overlay layout and in the Flux layout
// where cluster kustomizations aggregate every app.
func TestChangedSelectsAffectedTargets(t *testing.T) {
	flux := filepath.Join(t.TempDir(), "flux")
	if _, err := synth.Generate(flux, synth.Options{Apps: 3, Layout: synth.Flux}); err != nil {
		t.Fatal(err)
	}
	const locations = "../../testdata/repos/locations"
	const helmFlux, helmArgo = "../../testdata/repos/helm-flux", "../../testdata/repos/helm-argo"
	tests := []struct {
		name    string
		root    string
		changed []string
		full    bool
		want    []string
	}{
		{name: "a base selects every overlay on it", root: locations, changed: []string{"base/deployment.yaml"}, want: []string{"overlays/dev", "overlays/prod"}},
		{name: "an overlay's patch selects that overlay", root: locations, changed: []string{"overlays/prod/resources.yaml"}, want: []string{"overlays/prod"}},
		{name: "a generator's env file selects its overlay", root: locations, changed: []string{"overlays/prod/config.env"}, want: []string{"overlays/prod"}},
		{name: "an overlay's kustomization", root: locations, changed: []string{"overlays/dev/kustomization.yaml"}, want: []string{"overlays/dev"}},
		{name: "an unrelated file selects nothing", root: locations, changed: []string{"README.md"}, want: nil},
		{name: "no change selects nothing", root: locations, changed: []string{}, want: nil},
		{name: "a deleted file that a kustomization names", root: locations, changed: []string{"overlays/prod/gone.yaml"}, want: nil},
		{
			name: "flux: an app base selects its overlays, not the clusters", root: flux,
			changed: []string{"apps/billing-001/base/deployment.yaml"},
			want:    []string{"apps/billing-001/overlays/dev", "apps/billing-001/overlays/perf", "apps/billing-001/overlays/prod", "apps/billing-001/overlays/staging"},
		},
		{
			name: "flux: with full, the clusters that include it", root: flux, full: true,
			changed: []string{"apps/billing-001/base/deployment.yaml"},
			want:    []string{"clusters/dev", "clusters/perf", "clusters/prod", "clusters/staging"},
		},
		{name: "helm: a chart template selects the target that deploys the release", root: helmFlux, changed: []string{"charts/web/templates/deployment.yaml"}, want: []string{"clusters/prod"}},
		{name: "helm: the values ConfigMap of a release", root: helmFlux, changed: []string{"apps/web/values.yaml"}, want: []string{"clusters/prod"}},
		{name: "helm: an Argo CD source's value file", root: helmArgo, changed: []string{"envs/prod/values.yaml"}, want: []string{"argocd"}},
		{name: "helm: a chart no release names selects nothing", root: helmFlux, changed: []string{"charts/other/Chart.yaml"}, want: nil},
		{
			name: "flux: one overlay", root: flux,
			changed: []string{"apps/catalog-002/overlays/perf/kustomization.yaml"},
			want:    []string{"apps/catalog-002/overlays/perf"},
		},
	}
	schemas := t.TempDir()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{Root: tc.root, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load, Changed: tc.changed, Full: tc.full})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tg := range res.Targets {
				got = append(got, tg.Path)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDependenciesCoverRecordedReads checks the shortcut --staged and
// --changed-since take: targets are selected by the files their
// kustomization files name (repo.Dependencies) and the charts their Helm
// releases name, without rendering. Every
// file a render actually reads, as the renderer's filesystem records it,
// must be among them, or a change to it would go unchecked. Over the test
// repositories, and ../shared/corpus under make corpus.
func TestDependenciesCoverRecordedReads(t *testing.T) {
	roots := []string{"../../testdata/repos/locations", "../../testdata/repos/demo", "../../testdata/repos/components", "../../testdata/repos/configured",
		"../../testdata/repos/helm-flux", "../../testdata/repos/helm-argo", "../../testdata/repos/helm-kustomize"}
	// The corpus (minutes under -race) runs with make corpus only.
	if entries, err := os.ReadDir("../../../shared/corpus"); err == nil && os.Getenv("GITOPS_LINT_CORPUS") != "" {
		for _, e := range entries {
			if e.IsDir() {
				roots = append(roots, filepath.Join("../../../shared/corpus", e.Name()))
			}
		}
	}
	reads := 0
	for _, root := range roots {
		r, err := Render(context.Background(), Options{Root: root})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range r.Targets {
			deps := r.c.dependencies(tg) // with the charts its Helm releases read
			for _, f := range r.Reads[tg.Path] {
				reads++
				if _, ok := slices.BinarySearch(deps, f); !ok {
					t.Errorf("%s: %s: the render reads %s, which its kustomization files do not name", root, tg.Path, f)
				}
			}
		}
	}
	t.Logf("%d recorded reads checked", reads)
	if reads == 0 {
		t.Fatal("nothing read")
	}
}

// TestScopeExportsTheChart checks what a pre-commit run exports from the
// git index when only a chart template is staged: the whole chart, and
// the files of the target that deploys the release, or the render would
// miss them.
func TestScopeExportsTheChart(t *testing.T) {
	files, err := Scope(Options{Root: "../../testdata/repos/helm-flux"}, []string{"charts/web/templates/deployment.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"charts/web/Chart.yaml", "charts/web/values.yaml", "charts/web/templates/_helpers.tpl", "apps/web/release.yaml", "apps/web/values.yaml", "clusters/prod/kustomization.yaml"} {
		if _, ok := slices.BinarySearch(files, want); !ok {
			t.Errorf("the scope lacks %s: %v", want, files)
		}
	}
}
