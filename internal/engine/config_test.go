package engine

import (
	"context"
	"slices"
	"strconv"
	"testing"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
	"github.com/gitops-lint/gitops-lint/policies"
)

// TestConfig runs the configured test repository under several
// configuration files and checks what each leaves in the run: targets,
// and findings as "rule file:line severity".
func TestConfig(t *testing.T) {
	const root = "../../testdata/repos/configured"
	cache := t.TempDir()
	tests := []struct {
		name        string
		yaml        string
		wantTargets []string
		want        []string // findings that must be there
		wantNot     []string // findings that must not
	}{
		{
			name:        "no configuration",
			yaml:        "",
			wantTargets: []string{"apps/legacy", "apps/shop/overlays/dev", "apps/shop/overlays/eu-west", "examples/demo", "tests/fixtures"},
			want: []string{
				"render-error apps/legacy/kustomization.yaml:2 error",
				"schema-invalid apps/shop/overlays/dev/patch.yaml:6 error",
				"schema-invalid examples/demo/deployment.yaml:6 error",
				"plaintext-secret tests/fixtures/secret.yaml:6 warning", // username: admin is no credential
				"recommended-labels apps/shop/base/deployment.yaml:5 info",
			},
			wantNot: []string{"replicas-production apps/shop/base/deployment.yaml:8 warning"},
		},
		{
			name:        "include picks targets; what only other targets show goes",
			yaml:        "include: [apps/shop]\n",
			wantTargets: []string{"apps/shop/overlays/dev", "apps/shop/overlays/eu-west"},
			want:        []string{"schema-invalid apps/shop/overlays/dev/patch.yaml:6 error", "schema-invalid apps/shop/base/deployment.yaml:38 error"},
			wantNot: []string{
				"render-error apps/legacy/kustomization.yaml:2 error",
				"schema-invalid examples/demo/deployment.yaml:6 error",
				"plaintext-secret tests/fixtures/secret.yaml:6 warning",
			},
		},
		{
			name:        "exclude drops targets and every finding in excluded files",
			yaml:        "exclude: [examples, \"**/patch.yaml\", apps/shop/base]\n",
			wantTargets: []string{"apps/legacy", "apps/shop/overlays/dev", "apps/shop/overlays/eu-west", "tests/fixtures"},
			want:        []string{"render-error apps/legacy/kustomization.yaml:2 error"},
			wantNot: []string{
				"schema-invalid apps/shop/overlays/dev/patch.yaml:6 error",
				"schema-invalid apps/shop/base/deployment.yaml:38 error",
				"schema-invalid examples/demo/deployment.yaml:6 error",
			},
		},
		{
			name:        "skip, environment and rules",
			yaml:        "targets:\n- paths: [apps/legacy, examples]\n  skip: true\n- paths: [apps/*/overlays/eu-west]\n  environment: production\nrules:\n  recommended-labels: off\n  memory-limits-missing: error\n",
			wantTargets: []string{"apps/shop/overlays/dev", "apps/shop/overlays/eu-west", "tests/fixtures"},
			want: []string{
				"replicas-production apps/shop/base/deployment.yaml:8 warning",
				"memory-limits-missing apps/shop/base/deployment.yaml:34 error",
			},
			wantNot: []string{"render-error apps/legacy/kustomization.yaml:2 error", "recommended-labels apps/shop/base/deployment.yaml:5 info"},
		},
		{
			name:        "overrides by path, later entries winning, and the secret allowlist",
			yaml:        "overrides:\n- paths: [apps]\n  rules: {schema-invalid: info, cpu-limits-missing: off}\n- paths: [apps/shop/overlays]\n  rules: {schema-invalid: warning}\nsecrets:\n  allowlist:\n    paths: [tests/**]\n",
			wantTargets: []string{"apps/legacy", "apps/shop/overlays/dev", "apps/shop/overlays/eu-west", "examples/demo", "tests/fixtures"},
			want: []string{
				"schema-invalid apps/shop/overlays/dev/patch.yaml:6 warning",
				"schema-invalid apps/shop/base/deployment.yaml:38 info",
				"schema-invalid examples/demo/deployment.yaml:6 error",
			},
			wantNot: []string{"cpu-limits-missing apps/shop/base/deployment.yaml:34 info", "plaintext-secret tests/fixtures/secret.yaml:6 warning"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse("test.yaml", root, []byte(tt.yaml))
			if err != nil {
				t.Fatal(err)
			}
			// The caller merges rules: with the command line's settings.
			res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: cache, LoadSchemas: testSchemas.Load, Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load, Rules: cfg.Settings(), Scope: cfg.Scope(types.LoadRestrictionsUnknown)})
			if err != nil {
				t.Fatal(err)
			}
			var targets []string
			for _, tg := range res.Targets {
				targets = append(targets, tg.Path)
			}
			if !slices.Equal(targets, tt.wantTargets) {
				t.Errorf("targets = %v, want %v", targets, tt.wantTargets)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.RuleID+" "+f.Location.File+":"+strconv.Itoa(f.Location.Line)+" "+f.Severity.String())
			}
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("missing %q in\n%v", w, got)
				}
			}
			for _, w := range tt.wantNot {
				if slices.Contains(got, w) {
					t.Errorf("unexpected %q", w)
				}
			}
		})
	}
}

func TestConfigUnknownRule(t *testing.T) {
	const root = "../../testdata/repos/configured"
	cfg, err := config.Parse("test.yaml", root, []byte("overrides:\n- paths: [a]\n  rules:\n    no-such-rule: off\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir(), Scope: cfg.Scope(types.LoadRestrictionsUnknown)})
	if err == nil || err.Error() != `test.yaml:4: unknown rule "no-such-rule" (see gitops-lint rules)` {
		t.Errorf("err = %v", err)
	}
}

// TestConfigLoadRestrictor renders one kustomization that reads a file
// beside its root (as Flux allows) under the run's rootOnly and under a
// per-target loadRestrictor: none.
func TestConfigLoadRestrictor(t *testing.T) {
	root := t.TempDir()
	// namePrefix makes flux and argo render as whole kustomizations, not
	// as aggregators split into their parts.
	files := map[string]string{
		"shared/cm.yaml":                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n",
		"flux/kustomization.yaml":       "namePrefix: flux-\nresources:\n- ../shared/cm.yaml\n",
		"argo/kustomization.yaml":       "namePrefix: argo-\nresources:\n- ../shared/cm.yaml\n",
		"standalone/kustomization.yaml": "resources:\n- cm.yaml\n",
		"standalone/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: own\n",
	}
	treetest.Write(t, root, files)
	cfg, err := config.Parse("test.yaml", root, []byte("targets:\n- paths: [flux]\n  loadRestrictor: none\n"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir(), Scope: cfg.Scope(types.LoadRestrictionsUnknown)})
	if err != nil {
		t.Fatal(err)
	}
	var failed []string
	for _, f := range res.Findings {
		if f.RuleID == rules.RenderError {
			failed = append(failed, f.Targets...)
		}
	}
	if !slices.Equal(failed, []string{"argo"}) {
		t.Errorf("targets that fail to render: %v, want [argo] (flux may read beside its root)", failed)
	}
}
