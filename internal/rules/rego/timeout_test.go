package rego

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// TestPolicyBudgets checks that a rule that loops, or one that builds
// something enormous, is stopped at the target's time or memory budget
// and reported as a policy-error at the rule, while the run goes on.
func TestPolicyBudgets(t *testing.T) {
	tests := []struct {
		name   string
		policy string
		opts   Options
		// wantWhy is in the finding's message.
		wantWhy string
	}{
		{
			name: "a loop runs out of time",
			policy: `package user.budget

deny contains msg if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i == j + 100000000
	msg := "never"
}
`,
			opts:    Options{Timeout: 100 * time.Millisecond},
			wantWhy: "did not finish within the policy timeout (100ms)",
		},
		{
			// Two billion numbers would take hundreds of gigabytes; the
			// timeout alone lets it grow for minutes' worth of memory.
			name: "an enormous value runs out of memory",
			policy: `package user.budget

deny contains msg if {
	count(numbers.range(1, 2000000000)) > 1
	msg := "never"
}
`,
			opts:    Options{Timeout: time.Minute, MemoryBudget: 64 << 20},
			wantWhy: "ran past the policy memory budget (64 MiB)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "budget.rego")
			if err := os.WriteFile(file, []byte(tt.policy), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := tt.opts
			opts.Policies, opts.Namespaces = []string{file}, []string{"user.budget"}
			e, err := Load(context.Background(), opts)
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
			if !strings.Contains(f.Message, tt.wantWhy) || !strings.Contains(f.Message, "user.budget.deny") {
				t.Errorf("message %q does not name the rule and say %q", f.Message, tt.wantWhy)
			}
			// A cancelled run is not a policy error: the caller stops.
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if _, err := e.Check(ctx, Target{Path: "app", Kind: "plain"}, res); err == nil {
				t.Errorf("Check with a cancelled context: no error")
			}
		})
	}
}
