package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUsageOnlyForUsageErrors: a mistake on the command line prints the
// command's usage after the error; a problem found while running (a bad
// file, a missing path, a render that fails) prints the error alone, so
// the one line that matters is not buried under the flag help. Both exit 2.
func TestUsageOnlyForUsageErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "baseline.json")
	if err := os.WriteFile(corrupt, []byte("{\"version\": \"one\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	clean := filepath.Join(reposDir, "clean")
	tests := []struct {
		name      string
		args      []string
		wantUsage bool
		wantErr   string
	}{
		{name: "unknown flag", args: []string{"check", "--no-such-flag"}, wantUsage: true, wantErr: "unknown flag: --no-such-flag"},
		{name: "unknown format", args: []string{"check", clean, "-f", "xml"}, wantUsage: true, wantErr: `unknown --format "xml"`},
		{name: "too many arguments", args: []string{"list", "a", "b"}, wantUsage: true, wantErr: "accepts at most 1 arg"},
		{name: "bad flag value", args: []string{"check", clean, "--load-restrictor", "all"}, wantUsage: true, wantErr: "--load-restrictor"},
		{name: "missing repository", args: []string{"check", filepath.Join(dir, "nope")}, wantErr: "nope"},
		{name: "corrupt baseline file", args: []string{"check", clean, "--baseline", corrupt}, wantErr: "baseline.json:1"},
		{name: "missing --config file", args: []string{"list", clean, "--config", filepath.Join(clean, "nope.yaml")}, wantErr: "nope.yaml does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tt.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr does not contain %q:\n%s", tt.wantErr, stderr)
			}
			if got := strings.Contains(stderr, "Usage:") && strings.Contains(stderr, "Flags:"); got != tt.wantUsage {
				t.Errorf("usage printed = %v, want %v:\n%s", got, tt.wantUsage, stderr)
			}
		})
	}
}
