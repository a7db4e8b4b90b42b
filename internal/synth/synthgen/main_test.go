package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "repo")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
	}{
		{name: "count", args: []string{"-out", out, "-apps", "3"}, code: 0, stdout: "12\n"},
		{name: "list only", args: []string{"-list", "-layout", "flux", "-apps", "3", "-envs", "qa,prod"}, code: 0,
			stdout: "clusters/prod\nclusters/qa\n"},
		{name: "no output", args: []string{"-apps", "3"}, code: 2},
		{name: "bad layout", args: []string{"-list", "-layout", "helm"}, code: 2},
		{name: "stray argument", args: []string{"-list", "extra"}, code: 2},
		// Relies on "count" above having written the repository.
		{name: "output not empty", args: []string{"-out", out, "-apps", "3"}, code: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, tt.code, stderr.String())
			}
			if tt.stdout != "" && stdout.String() != tt.stdout {
				t.Errorf("stdout %q, want %q", stdout.String(), tt.stdout)
			}
			if code != 0 && !strings.Contains(stderr.String(), "synthgen") && !strings.Contains(stderr.String(), "Usage") {
				t.Errorf("failure without a message: %q", stderr.String())
			}
		})
	}
}
