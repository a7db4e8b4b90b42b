package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const policiesDir = "../../testdata/policies"

// TestCheckWithConftestPolicies runs conftest-style policy directories
// through check --policy, as a team migrating from conftest would.
func TestCheckWithConftestPolicies(t *testing.T) {
	repoDir := filepath.Join(policiesDir, "repo")
	v1 := filepath.Join(policiesDir, "conftest-v1")
	v0 := filepath.Join(policiesDir, "conftest-v0")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		want       []string // ruleId line message of the user-policy findings
		wantStderr string
	}{
		{
			name:     "v1 syntax: deny, warn, violation with metadata, exception",
			args:     []string{"-p", v1, "--no-builtin-policies"},
			wantCode: 1,
			want: []string{
				"main.deny 1 web must set runAsNonRoot",
				"team-required-labels 1 web lacks labels {\"app.kubernetes.io/name\"}",
				"main.deny_latest_tag 16 container app uses the latest tag",
				"main.warn 39 Service web is a NodePort",
			},
		},
		{
			name:     "v0 syntax detected per file",
			args:     []string{"-p", v0, "--no-builtin-policies"},
			wantCode: 1,
			want: []string{
				"main.deny 1 web must set runAsNonRoot",
				"main.deny_latest_tag 1 container app uses the latest tag",
				"main.violation 1 web lacks labels",
				"main.warn 39 Service web is a NodePort",
			},
		},
		{
			name:     "only warnings left: exit 0 at --fail-on error",
			args:     []string{"-p", v1, "--no-builtin-policies", "--disable", "main.deny,main.deny_latest_tag"},
			wantCode: 0,
			want: []string{
				"team-required-labels 1 web lacks labels {\"app.kubernetes.io/name\"}",
				"main.warn 39 Service web is a NodePort",
			},
		},
		{
			name:     "severity raised from the command line",
			args:     []string{"-p", v1, "--no-builtin-policies", "--disable", "main.deny,main.deny_latest_tag,team-required-labels", "--enable", "main.warn=error"},
			wantCode: 1,
			want:     []string{"main.warn 39 Service web is a NodePort"},
		},
		{
			name:       "v0 policies refused when v1 is demanded",
			args:       []string{"-p", v0, "--rego-version", "v1"},
			wantCode:   2,
			wantStderr: "conftest-v0/deployment.rego:5",
		},
		{
			name:       "unknown rule in --disable",
			args:       []string{"-p", v1, "--disable", "main.nope"},
			wantCode:   2,
			wantStderr: "unknown rule main.nope",
		},
		{
			name:       "missing policy directory",
			args:       []string{"-p", filepath.Join(policiesDir, "nope")},
			wantCode:   2,
			wantStderr: "policy path",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"check", repoDir, "-f", "json", "--schema-cache-dir", t.TempDir()}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.wantCode {
				t.Fatalf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if tt.wantStderr != "" {
				if !strings.Contains(filepath.ToSlash(stderr), tt.wantStderr) {
					t.Errorf("stderr = %q, want it to contain %q", stderr, tt.wantStderr)
				}
				return
			}
			var doc struct {
				Findings []struct {
					RuleID   string `json:"ruleId"`
					Message  string `json:"message"`
					Location struct {
						Line int `json:"line"`
					} `json:"location"`
				} `json:"findings"`
			}
			if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range doc.Findings {
				if strings.HasPrefix(f.RuleID, "main.") || strings.HasPrefix(f.RuleID, "team-") {
					got = append(got, strings.Join([]string{f.RuleID, strconv.Itoa(f.Location.Line), f.Message}, " "))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("policy findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRulesDocIsCurrent keeps docs/rules.md in step with the catalogue;
// go test ./cmd/gitops-lint -update (or make generate) rewrites it.
func TestRulesDocIsCurrent(t *testing.T) {
	code, stdout, stderr := runCLI(t, "rules", "--format", "markdown")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	doc := filepath.Join("..", "..", "docs", "rules.md")
	if *update {
		if err := os.WriteFile(doc, []byte(stdout), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), stdout); diff != "" {
		t.Errorf("docs/rules.md is stale; run make generate (-want +got):\n%s", diff)
	}
}

func TestRulesCommand(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		wantCode    int
		contains    []string
		notContains []string
	}{
		{name: "built-in rules", args: []string{"rules"}, contains: []string{"schema-invalid", "render-error"}},
		{name: "user policies are listed", args: []string{"rules", "-p", filepath.Join(policiesDir, "conftest-v1")}, contains: []string{"main.deny_latest_tag", "team-required-labels", "Workloads carry the name label"}},
		{name: "disabled rules are not", args: []string{"rules", "--disable", "schema-invalid"}, contains: []string{"render-error"}, notContains: []string{"schema-invalid"}},
		{name: "json", args: []string{"rules", "-f", "json"}, contains: []string{`"id": "missing-schema"`, `"severity": "warning"`}},
		{name: "unknown format", args: []string{"rules", "-f", "yaml"}, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tt.wantCode, stderr)
			}
			for _, s := range tt.contains {
				if !strings.Contains(stdout, s) {
					t.Errorf("output lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.notContains {
				if strings.Contains(stdout, s) {
					t.Errorf("output has %q", s)
				}
			}
		})
	}
}

func TestPolicyTestCommand(t *testing.T) {
	failing := t.TempDir()
	if err := os.WriteFile(filepath.Join(failing, "x_test.rego"), []byte("package x_test\n\ntest_fails if { 1 == 2 }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{name: "built-in library", args: []string{"policy", "test"}, want: "PASS: "},
		{name: "conftest directory, v1", args: []string{"policy", "test", filepath.Join(policiesDir, "conftest-v1")}, want: "PASS: 2/2"},
		{name: "conftest directory, v0", args: []string{"policy", "test", filepath.Join(policiesDir, "conftest-v0")}, want: "PASS: 1/1"},
		{name: "a failing test exits 1", args: []string{"policy", "test", failing}, wantCode: 1, want: "FAIL: 1/1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(stdout, tt.want) {
				t.Errorf("exit %d (want %d), stdout:\n%s\nstderr:\n%s\nwant %q", code, tt.wantCode, stdout, stderr, tt.want)
			}
		})
	}
}
