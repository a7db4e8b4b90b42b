package rego

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// TestPolicyTimeout checks that a rule that loops is stopped at the
// target's budget and reported as a policy-error at the rule, while the
// run goes on.
func TestPolicyTimeout(t *testing.T) {
	file := filepath.Join(t.TempDir(), "loop.rego")
	policy := `package user.loop

deny contains msg if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i == j + 100000000
	msg := "never"
}
`
	if err := os.WriteFile(file, []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	e, err := Load(context.Background(), Options{Policies: []string{file}, Namespaces: []string{"user.loop"}, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	obj := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "x"}}
	res := []manifest.Resource{{ID: manifest.IDOf(obj), Object: obj, Origin: manifest.Origin{File: "cm.yaml", Line: 1}, Target: "app"}}
	fs, err := e.Check(context.Background(), Target{Path: "app", Kind: "plain", Anchor: manifest.Origin{File: "cm.yaml", Line: 1}}, res)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	if len(fs) != 1 {
		t.Fatalf("findings = %v, want one policy-error", fs)
	}
	f := fs[0]
	if f.RuleID != rules.PolicyError || f.Location.File != filepath.ToSlash(file) || f.Location.Line != 3 {
		t.Errorf("got %s at %s, want %s at %s:3", f.RuleID, f.Location, rules.PolicyError, file)
	}
	// A cancelled run is not a policy error: the caller stops.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Check(ctx, Target{Path: "app", Kind: "plain"}, res); err == nil {
		t.Errorf("Check with a cancelled context: no error")
	}
}
