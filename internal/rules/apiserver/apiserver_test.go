package apiserver_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
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

// wantMarker is a fixture's expectation, written on the offending line:
// `name: Orders_API  # want "invalid-name"`.
var wantMarker = regexp.MustCompile(`# want "([a-z0-9-]+)"`)

func wants(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(root, p)
		s := bufio.NewScanner(f)
		s.Buffer(nil, 1<<20)
		for line := 1; s.Scan(); line++ {
			for _, m := range wantMarker.FindAllStringSubmatch(s.Text(), -1) {
				out = append(out, fmt.Sprintf("%s:%d %s", filepath.ToSlash(rel), line, m[1]))
			}
		}
		return s.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// family runs the whole check over root and keeps the findings of this
// family's rules.
func family(t *testing.T, root string, version string) []rules.Finding {
	t.Helper()
	res, err := engine.Run(context.Background(), engine.Options{Root: root, Jobs: 2, KubernetesVersion: version})
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range apiserver.Rules() {
		ids[r.ID] = true
	}
	return slices.DeleteFunc(res.Findings, func(f rules.Finding) bool { return !ids[f.RuleID] })
}

func lines(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%d %s", f.Location.File, f.Location.Line, f.RuleID))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestFixtures compares the findings with the `# want` markers: each
// rule fires on its marked lines of the fixture that breaks it, and the
// valid twin fires nothing.
func TestFixtures(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
	}{
		{name: "every class of rejected object", fixture: "fires"},
		{name: "the valid twin", fixture: "valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := filepath.Join("testdata", tt.fixture)
			fs := family(t, root, "")
			if diff := cmp.Diff(wants(t, root), lines(fs)); diff != "" {
				t.Errorf("findings differ from the # want markers (-want +got):\n%s", diff)
				for _, f := range fs {
					t.Logf("%s %s: %s", f.Location, f.RuleID, f.Message)
				}
			}
		})
	}
}
