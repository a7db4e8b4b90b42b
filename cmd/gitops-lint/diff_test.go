package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
)

// gitIn runs git in dir for a test, without the user's configuration and
// with fixed dates, so that commits are the same on every run.
func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
		"GIT_AUTHOR_DATE=2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2026-01-01T00:00:00Z")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// diffRepo builds the diff fixture as a git repository: testdata/diff/before
// committed on main, then the working tree replaced by testdata/diff/after,
// uncommitted (edits, a deleted directory and untracked files). Fake
// credentials fill the placeholders.
func diffRepo(t *testing.T, fakes *secretstest.Fakes) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := fakes.Materialise(t, "../../testdata/diff/before")
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-qm", "before")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != ".git" {
			if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.CopyFS(dir, os.DirFS(fakes.Materialise(t, "../../testdata/diff/after"))); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDiffGolden(t *testing.T) {
	fakes := secretstest.NewFakes()
	dir := diffRepo(t, fakes)
	for _, tc := range []struct {
		format, golden string
	}{
		{format: "text", golden: "diff.txt"},
		{format: "markdown", golden: "diff.md"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "diff", dir, "--base", "main", "--format", tc.format, "--jobs", "2")
			if code != 0 {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			for _, s := range fakes.Secret {
				if strings.Contains(stdout+stderr, s) {
					t.Errorf("the output holds a fake secret %.8s…", s)
				}
			}
			// The note that the diff was cut names the command with
			// the directory, which is a temporary one.
			got := strings.ReplaceAll(stdout, dir, "DIR")
			assertGolden(t, tc.golden, got)
		})
	}
	// Nothing was written to the repository: the base was read from git
	// objects, and the working tree and index are as the test left them.
	out, err := exec.Command("git", "-C", dir, "status", "--porcelain").CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	if want := " M base/deployment.yaml\n M docs/example.yaml\n M overlays/canary/kustomization.yaml\n M overlays/dev/kustomization.yaml\n M overlays/dev/secret.yaml\n D overlays/qa/kustomization.yaml\n?? overlays/dev/env.yaml\n?? overlays/staging/\n"; string(out) != want {
		t.Errorf("git status after the diff:\n%s\nwant:\n%s", out, want)
	}
}

func TestDiffErrors(t *testing.T) {
	fakes := secretstest.NewFakes()
	dir := diffRepo(t, fakes)
	tests := []struct {
		name string
		args []string
		// want are substrings of stderr.
		want []string
	}{
		{
			name: "missing ref",
			args: []string{"diff", dir, "--base", "origin/main"},
			want: []string{`git ref "origin/main" is not in this clone`, "git fetch origin main:refs/remotes/origin/main"},
		},
		{name: "no base", args: []string{"diff", dir}, want: []string{"--base is required"}},
		{name: "what check compares", args: []string{"diff", dir, "--base", "main", "--staged"}, want: []string{"unknown flag: --staged"}},
		{name: "unknown format", args: []string{"diff", dir, "--base", "main", "-f", "sarif"}, want: []string{`unknown --format "sarif"`}},
		{name: "not a git repository", args: []string{"diff", t.TempDir(), "--base", "main"}, want: []string{"is not inside a git working tree"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tt.args...)
			if code != exitError {
				t.Errorf("exit %d, want %d", code, exitError)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
		})
	}
}

// TestDiffAcceptsCheckFlags: the action passes its args input to check
// and diff alike.
func TestDiffAcceptsCheckFlags(t *testing.T) {
	dir := diffRepo(t, secretstest.NewFakes())
	code, stdout, stderr := runCLI(t, "diff", dir, "--base", "main", "-f", "markdown",
		"--kubernetes-version", "1.36", "--fail-on", "warning", "-p", "no-such-policy-dir", "--no-builtin-policies", "-j", "1")
	if code != 0 || !strings.Contains(stdout, "### Rendered diff against `main`") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	check := newCheckCommand(&env{getenv: os.Getenv})
	diff := newDiffCommand(&env{getenv: os.Getenv})
	for _, name := range []string{"fail-on", "policy", "kubernetes-version"} {
		if f := diff.Flags().Lookup(name); f == nil || !f.Hidden {
			t.Errorf("diff --%s: %v, want a hidden flag", name, f)
		}
		if check.Flags().Lookup(name) == nil {
			t.Errorf("check has no --%s any more; update this test", name)
		}
	}
}
