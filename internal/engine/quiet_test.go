package engine

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// quietRepos holds the repositories of issue 14 ("quiet and complete on
// real repositories"), in pairs: NAME-fire raises the findings a case is
// about, NAME-quiet is the look-alike that must stay silent.
const quietRepos = "../../testdata/repos/quiet"

// TestQuietOnRealRepositories runs each repository of quietRepos and
// compares the findings of the rules a case is about, as
// "severity rule file:line message; see related locations".
func TestQuietOnRealRepositories(t *testing.T) {
	cache := t.TempDir()
	tests := []struct {
		repo  string
		rules []string
		want  []string
		// flux is the summary's Flux source, when the case is about it.
		flux string
		// partly and notRendered are the summary's target counts.
		partly, notRendered int
	}{
		{
			repo: "operator-pods-fire", rules: []string{"service-selector-no-match", "pdb-selector-no-match"},
			want: []string{
				`warning service-selector-no-match monitoring.yaml:15 Service "prometheus-main" selects no pod template in this target (selector app.kubernetes.io/name=prometheus,prometheus=mian)`,
				`warning pdb-selector-no-match monitoring.yaml:34 PodDisruptionBudget "alertmanager-main" selects no pod template in this target`,
			},
		},
		{repo: "operator-pods-quiet", rules: []string{"service-selector-no-match", "pdb-selector-no-match"}},
		{
			repo: "missing-schema-fire", rules: []string{"missing-schema"},
			want: []string{
				"warning missing-schema team-a/app/widget-one.yaml:1 no schema for example.com/v1 Widget; resources of this kind were not validated (2 files of this kind: team-a/app/widget-one.yaml, team-a/app/widget-two.yaml)",
				"warning missing-schema team-b/app/widget-one.yaml:1 no schema for example.com/v1 Widget; resources of this kind were not validated (2 files of this kind: team-b/app/widget-one.yaml, team-b/app/widget-two.yaml)",
			},
		},
		{repo: "missing-schema-quiet", rules: []string{"missing-schema", "schema-invalid"}},
		{
			repo: "duplicate-fire", rules: []string{"duplicate-resource-id"},
			want: []string{`error duplicate-resource-id settings-2.yaml:4 ConfigMap "settings" is defined 3 times in this target; see settings-1.yaml:1, settings-3.yaml:1`},
		},
		{repo: "duplicate-quiet", rules: []string{"duplicate-resource-id"}},
		{
			repo: "plaintext-secret-fire", rules: []string{"plaintext-secret"},
			want: []string{`error plaintext-secret secret.yaml:7 Secret "db" holds a plaintext value in stringData key "db_password" (the key name "db_password" names a credential)`},
		},
		{
			// Configuration only: still reported, one severity lower.
			repo: "plaintext-secret-quiet", rules: []string{"plaintext-secret"},
			want: []string{`warning plaintext-secret secret.yaml:6 Secret "settings" holds a plaintext value in stringData key "default_timezone": no key name, value or Secret type looks like a credential, hence a warning; configuration that is no secret belongs in a ConfigMap`},
		},
		{
			repo: "flux-source-fire", rules: []string{"flux-path-missing", "flux-source-unknown"},
			want: []string{`error flux-path-missing clusters/home/apps.yaml:8 Flux Kustomization "apps": spec.path "./apps/wbe" does not exist in the repository (paths are relative to the repository root)`},
			flux: `Flux source: GitRepository "home-ops-kubernetes" (bootstrap Kustomization in clusters/home/flux-system/gotk-sync.yaml)`,
		},
		{
			// Two GitRepositories of other repositories: nothing to check
			// against, and an info finding says so instead of silence.
			repo: "flux-source-quiet", rules: []string{"flux-path-missing", "flux-source-unknown"},
			want: []string{`info flux-source-unknown clusters/home/apps.yaml:10 cannot tell which Flux GitRepository is this repository: none of its GitRepositories ("platform", "apps") is reconciled by a bootstrap Kustomization or has the URL of a git remote; spec.path of Flux Kustomizations is not checked`},
			flux: "Flux source: none determined, Flux path checks skipped",
		},
		{
			// The local app renders (and its finding shows) beside the
			// remote entry, which is reported once.
			repo: "partial-render-fire", rules: []string{"remote-resource", "host-network", "render-error"}, partly: 1,
			want: []string{
				`error host-network apps/web/deployment.yaml:15 pod shares the host's network namespace (hostNetwork: true)`,
				`error remote-resource clusters/prod/apps/kustomization.yaml:5 resources entry "https://github.com/example/monitoring//deploy?ref=v1.0.0" is remote and was not fetched; the other entries were rendered without it (use --allow-remote to fetch it)`,
			},
		},
		{
			repo: "partial-render-quiet", rules: []string{"remote-resource", "host-network", "render-error"},
			want: []string{`error host-network apps/web/deployment.yaml:15 pod shares the host's network namespace (hostNetwork: true)`},
		},
		{
			// namespace: applies to the remote resources too: only the
			// whole build is right, and offline there is none.
			repo: "partial-render-blocked", rules: []string{"remote-resource", "host-network", "render-error"}, notRendered: 1,
			want: []string{`error remote-resource clusters/prod/apps/kustomization.yaml:5 resources entry "https://github.com/example/monitoring//deploy?ref=v1.0.0" is remote; the target was not rendered (use --allow-remote to fetch it)`},
		},
		{
			repo: "crd-versions-fire", rules: []string{"missing-schema", "schema-invalid", "removed-api"},
			want: []string{
				"warning missing-schema releases.yaml:1 no schema for helm.toolkit.fluxcd.io/v2beta1 HelmRelease: the known versions of HelmRelease are v2 (older versions are removed by their projects); move to helm.toolkit.fluxcd.io/v2",
				`error schema-invalid releases.yaml:16 kind "HelmRelase" does not exist in helm.toolkit.fluxcd.io/v2; did you mean HelmRelease (helm.toolkit.fluxcd.io/v2)?`,
				`error schema-invalid releases.yaml:24 kind "ConfigMpa" does not exist in v1; did you mean ConfigMap (v1)?`,
			},
		},
		{repo: "crd-versions-quiet", rules: []string{"missing-schema", "schema-invalid", "removed-api"}},
	}
	for _, tt := range tests {
		t.Run(tt.repo, func(t *testing.T) {
			res := runQuiet(t, filepath.Join(quietRepos, tt.repo), cache)
			if diff := cmp.Diff(tt.want, describeFindings(res, tt.rules)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if res.PartlyRendered != tt.partly || res.NotRendered != tt.notRendered {
				t.Errorf("targets partly rendered, not rendered = %d, %d; want %d, %d", res.PartlyRendered, res.NotRendered, tt.partly, tt.notRendered)
			}
			if tt.flux != "" {
				if got := res.References.FluxSource.String(); got != tt.flux {
					t.Errorf("Flux source = %q, want %q", got, tt.flux)
				}
			}
		})
	}
}

// runQuiet runs the engine with the built-in policies on root.
func runQuiet(t *testing.T, root, cache string) *Result {
	t.Helper()
	res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: cache, LoadSchemas: testSchemas.Load, Jobs: 1, Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// describeFindings describes the findings of the given rules, related
// locations included.
func describeFindings(res *Result, ids []string) []string {
	var got []string
	for _, f := range res.Findings {
		if !slices.Contains(ids, f.RuleID) {
			continue
		}
		got = append(got, describeFinding(f))
	}
	return got
}

func describeFinding(f rules.Finding) string {
	s := f.Severity.String() + " " + f.RuleID + " " + f.Location.File + ":" + strconv.Itoa(f.Location.Line) + " " + f.Message
	if len(f.Related) > 0 {
		var rel []string
		for _, r := range f.Related {
			rel = append(rel, r.File+":"+strconv.Itoa(r.Line))
		}
		s += "; see " + strings.Join(rel, ", ")
	}
	return s
}

// TestFluxSourceFromCache checks that a run whose targets all come from
// the result cache still says which Flux source the checks took.
func TestFluxSourceFromCache(t *testing.T) {
	opts := Options{Root: filepath.Join(quietRepos, "flux-source-fire"), SchemaCacheDir: t.TempDir(), CacheDir: t.TempDir(), Jobs: 1}
	var got []string
	for run := range 2 {
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		if run == 1 && len(res.Cached) != len(res.Targets) {
			t.Fatalf("second run: %d of %d targets from the cache, want all", len(res.Cached), len(res.Targets))
		}
		got = append(got, res.References.FluxSource.String())
	}
	want := `Flux source: GitRepository "home-ops-kubernetes" (bootstrap Kustomization in clusters/home/flux-system/gotk-sync.yaml)`
	if diff := cmp.Diff([]string{want, want}, got); diff != "" {
		t.Errorf("Flux source, first run and cached run (-want +got):\n%s", diff)
	}
}
