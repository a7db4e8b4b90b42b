package apiserver_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
	"github.com/gitops-lint/gitops-lint/internal/rules/rulestest"
)

func TestRulesCatalogueIsValid(t *testing.T) {
	rs := apiserver.Rules()
	if err := rules.Validate(rs); err != nil {
		t.Fatal(err)
	}
	if rs[0] == apiserver.Rules()[0] {
		t.Error("Rules returns shared values")
	}
}

// family runs the whole check over root and keeps the findings of this
// family's rules, with the count of skipped transition rule evaluations.
// The secret checks are left out: they report nothing this family's
// tests look at, and scanning every byte of the fixtures (a 256 KiB
// annotation) was most of this package's time under the race detector.
func family(t *testing.T, root string, version string) ([]rules.Finding, int64) {
	t.Helper()
	checks := slices.DeleteFunc(engine.Checks(), func(c *engine.Check) bool { return strings.HasPrefix(c.Name, "secrets-") })
	res, err := engine.Run(context.Background(), engine.Options{Root: root, Jobs: 2, KubernetesVersion: version, Checks: checks})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range apiserver.Rules() {
		ids[r.ID] = true
	}
	return slices.DeleteFunc(res.Findings, func(f rules.Finding) bool { return !ids[f.RuleID] }), res.SkippedTransitionRules
}

// TestFixtures compares the findings with the `# want` markers: each
// rule fires on its marked lines of the fixture that breaks it, and the
// valid twin fires nothing.
func TestFixtures(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		// wantSkipped counts the Queues: the Queue CRD has one oldSelf
		// rule, skipped for each.
		wantSkipped int64
	}{
		{name: "every class of rejected object", fixture: "fires", wantSkipped: 3},
		{name: "the valid twin", fixture: "valid", wantSkipped: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("testdata", tt.fixture)
			fs, skipped := family(t, root, "")
			if skipped != tt.wantSkipped {
				t.Errorf("skipped transition rule evaluations = %d, want %d", skipped, tt.wantSkipped)
			}
			if diff := cmp.Diff(rulestest.Wants(t, root), rulestest.Got(fs)); diff != "" {
				t.Errorf("findings differ from the # want markers (-want +got):\n%s", diff)
				for _, f := range fs {
					t.Logf("%s %s: %s", f.Location, f.RuleID, f.Message)
				}
			}
		})
	}
}

// TestAnnotationsOverLimit writes the 256 KiB case at run time rather
// than keeping a quarter megabyte fixture: the finding points at the
// annotations map of the object whose annotations are too large, and not
// at its twin just under the limit.
func TestAnnotationsOverLimit(t *testing.T) {
	root := t.TempDir()
	doc := func(name string, size int) string {
		return fmt.Sprintf("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  annotations:\n    example.com/blob: %s\ndata: {}\n", name, strings.Repeat("x", size))
	}
	key := len("example.com/blob")
	manifest := doc("too-big", 256*1024-key+1) + "---\n" + doc("just-fits", 256*1024-key)
	if err := os.WriteFile(filepath.Join(root, "configmaps.yaml"), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	fs, _ := family(t, root, "")
	got := rulestest.Got(fs)
	if diff := cmp.Diff([]string{"configmaps.yaml:5 invalid-annotation"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
