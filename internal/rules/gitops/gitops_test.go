package gitops_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rulestest"
)

func TestRulesCatalogueIsValid(t *testing.T) {
	rs := gitops.Rules()
	if err := rules.Validate(rs); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	want := []string{gitops.FluxPathMissing, gitops.FluxSourceUnknown, gitops.FluxDependsOnMissing, gitops.FluxVarUndefined, gitops.FluxSubstituteFromMissing, gitops.ArgoPathMissing, gitops.ImageTagPrerelease}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("rule IDs (-want +got):\n%s", diff)
	}
	if rs[0] == gitops.Rules()[0] {
		t.Error("Rules returns shared values")
	}
}

// check renders a fixture and runs the family's rules over it.
func check(t *testing.T, root string, opts gitops.Options) ([]rules.Finding, gitops.Stats) {
	t.Helper()
	r, err := engine.Render(context.Background(), engine.Options{Root: root, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	fs, stats := gitops.Check(r.GitOps(), opts)
	return rules.Merge(fs), stats
}

// TestFixtures runs the rules over each fixture repository and compares
// the findings with the `# want` markers of its files: every rule fires
// on its marked lines and nowhere else.
func TestFixtures(t *testing.T) {
	tests := []struct {
		name      string
		fixture   string
		opts      gitops.Options
		wantStats gitops.Stats
	}{
		{
			name:    "Flux: paths, dependencies and post-build variables",
			fixture: "flux",
			// flux-system, infrastructure and podinfo resolve; missing
			// and docs do not; tenant is another source; templated is
			// filled in later.
			wantStats: gitops.Stats{
				Flux:       gitops.Counts{Resolved: 4, Missing: 2, NotInRepo: 1, Skipped: 1},
				FluxSource: gitops.FluxSource{Names: []string{"flux-system"}, How: gitops.SourceBootstrap, File: "clusters/prod/flux-system/gotk-sync.yaml"},
			},
		},
		{
			name:      "Flux: a parent that patches postBuild in, and a path without kustomization",
			fixture:   "flux-tree",
			wantStats: gitops.Stats{Flux: gitops.Counts{Resolved: 3}, FluxSource: gitops.FluxSource{Names: []string{"flux-system"}, How: gitops.SourceDefault}},
		},
		{
			name:    "Argo CD: Applications and ApplicationSets of this repository",
			fixture: "argo",
			opts:    gitops.Options{RepoURLs: []string{"https://github.com/example/fleet"}},
			// Resolved: guestbook, frontend, apps/*, config/**, the
			// clusters template path; missing: backend, values,
			// services/*, clusters/*; not in repo: the Helm chart's
			// repository has no path, upstream; skipped: '{{path}}'.
			wantStats: gitops.Stats{Argo: gitops.Counts{Resolved: 5, Missing: 4, NotInRepo: 1, Skipped: 1}},
		},
		{
			name:    "pre-release tags in production overlays",
			fixture: "images",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("testdata", tt.fixture)
			fs, stats := check(t, root, tt.opts)
			if diff := cmp.Diff(rulestest.Wants(t, root), rulestest.Got(fs)); diff != "" {
				t.Errorf("findings differ from the # want markers (-want +got):\n%s", diff)
				for _, f := range fs {
					t.Logf("%s %s: %s", f.Location, f.RuleID, f.Message)
				}
			}
			if diff := cmp.Diff(tt.wantStats, stats); diff != "" {
				t.Errorf("stats (-want +got):\n%s", diff)
			}
		})
	}
}

// TestArgoWithoutRepoURLs checks that nothing is reported when the
// repository's own URL is unknown: no remote, none configured.
func TestArgoWithoutRepoURLs(t *testing.T) {
	fs, stats := check(t, filepath.Join("testdata", "argo"), gitops.Options{})
	if len(fs) != 0 {
		t.Errorf("findings without a known repository URL: %v", rulestest.Got(fs))
	}
	if stats.Argo.Resolved+stats.Argo.Missing != 0 {
		t.Errorf("stats = %+v, want nothing resolved", stats.Argo)
	}
}

func TestFindingDetails(t *testing.T) {
	fs, _ := check(t, filepath.Join("testdata", "images"), gitops.Options{})
	var got []string
	for _, f := range fs {
		var related []string
		for _, r := range f.Related {
			related = append(related, r.String())
		}
		got = append(got, fmt.Sprintf("%s %s %s [%s] %v: %s", f.Location, f.Path, f.Resource, strings.Join(related, " "), f.Targets, f.Message))
	}
	want := []string{
		`apps/shop/overlays/prod/kustomization.yaml:5:13 /spec/template/spec/containers/0/image Deployment/shop [apps/shop/base/deployment.yaml:16:11] [apps/shop/overlays/prod]: container "shop" runs "ghcr.io/acme/shop:1.1.0-rc.1", a pre-release (rc), in a production environment`,
		`apps/web/base/deployment.yaml:16:11 /spec/template/spec/initContainers/0/image Deployment/web [] [apps/web/overlays/prod-eu apps/web/overlays/prod-us]: container "migrate" runs "ghcr.io/acme/migrate:3.0.0-SNAPSHOT", a pre-release (SNAPSHOT), in a production environment`,
		`apps/web/overlays/prod-eu/patch.yaml:10:11 /spec/template/spec/containers/0/image Deployment/web [apps/web/base/deployment.yaml:19:11] [apps/web/overlays/prod-eu]: container "web" runs "ghcr.io/acme/web:2.1.0-beta.2", a pre-release (beta), in a production environment`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestProductionEnvironmentsOption(t *testing.T) {
	tests := []struct {
		name string
		envs []string
		want []string
	}{
		{name: "only staging", envs: []string{"staging"}, want: []string{"apps/web/base/deployment.yaml:16 image-tag-prerelease"}},
		{name: "by path", envs: []string{"apps/shop/overlays/*"}, want: []string{"apps/shop/overlays/dev/kustomization.yaml:6 image-tag-prerelease", "apps/shop/overlays/prod/kustomization.yaml:5 image-tag-prerelease"}},
		{name: "none matches", envs: []string{"live"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, _ := check(t, filepath.Join("testdata", "images"), gitops.Options{ProductionEnvironments: tt.envs})
			if diff := cmp.Diff(tt.want, rulestest.Got(fs)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestConfiguredEnvironment checks that an environment named by the
// configuration file wins over the one the path gives.
func TestConfiguredEnvironment(t *testing.T) {
	r, err := engine.Render(context.Background(), engine.Options{Root: filepath.Join("testdata", "images"), Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	in := r.GitOps()
	in.Environments = map[string]string{"apps/web/overlays/staging": "production", "apps/web/overlays/prod-eu": "eu"}
	fs, _ := gitops.Check(in, gitops.Options{})
	var got []string
	for _, f := range rules.Merge(fs) {
		got = append(got, fmt.Sprintf("%s:%d %v", f.Location.File, f.Location.Line, f.Targets))
	}
	want := []string{
		"apps/shop/overlays/prod/kustomization.yaml:5 [apps/shop/overlays/prod]",
		"apps/web/base/deployment.yaml:16 [apps/web/overlays/prod-us apps/web/overlays/staging]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
