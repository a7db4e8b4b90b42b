package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// hostileDir holds the small hostile repositories; big inputs are built
// at test time (see the generator cases below).
const hostileDir = "../../testdata/repos/hostile"

// located is a finding reduced to what a person acts on.
type located struct {
	Rule string
	At   string // file:line
}

func locate(fs []rules.Finding, ruleIDs ...string) []located {
	var out []located
	for _, f := range fs {
		if len(ruleIDs) == 0 || slices.Contains(ruleIDs, f.RuleID) {
			out = append(out, located{Rule: f.RuleID, At: fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)})
		}
	}
	return out
}

// TestAliasBombs checks that every reader refuses YAML whose aliases
// expand past the budget, with a yaml-syntax finding at the alias that
// crosses it, and that small anchors still decode.
func TestAliasBombs(t *testing.T) {
	tests := []struct {
		name string
		repo string
		want []located
	}{
		{name: "resource read by kustomize", repo: "alias-resource", want: []located{{Rule: rules.YAMLSyntax, At: "configmap.yaml:12"}}},
		{name: "patch read by kustomize", repo: "alias-patch", want: []located{{Rule: rules.YAMLSyntax, At: "patch.yaml:12"}}},
		{name: "kustomization file", repo: "alias-kustomization", want: []located{{Rule: rules.YAMLSyntax, At: "kustomization.yaml:10"}}},
		{name: "plain manifest", repo: "alias-plain", want: []located{{Rule: rules.YAMLSyntax, At: "configmap.yaml:12"}}},
		{name: "small anchors decode", repo: "alias-small", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{Root: filepath.Join(hostileDir, tt.repo), SchemaCacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, locate(res.Findings, rules.YAMLSyntax, rules.RenderError)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nall: %v", diff, res.Findings)
			}
		})
	}
}
