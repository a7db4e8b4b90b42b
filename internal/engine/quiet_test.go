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
	}
	for _, tt := range tests {
		t.Run(tt.repo, func(t *testing.T) {
			got := quietFindings(t, filepath.Join(quietRepos, tt.repo), cache, tt.rules)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// quietFindings runs the engine on root and describes the findings of the
// given rules, related locations included.
func quietFindings(t *testing.T, root, cache string, ids []string) []string {
	t.Helper()
	res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: cache, Jobs: 1, Policy: rego.Options{Builtin: policies.FS}})
	if err != nil {
		t.Fatal(err)
	}
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
