package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestHookCommands drives hook install and uninstall through the CLI; the
// cases git can present are tested in internal/githook.
func TestHookCommands(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	repo := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")
	// Output names the hook as git resolves the work tree, which may go
	// through a symlink (macOS's /var): match its end.
	shown := filepath.Join(".git", "hooks", "pre-commit")

	steps := []struct {
		name       string
		args       []string
		before     func(t *testing.T)
		wantCode   int
		wantOutput string
		// wantAction starts stdout: what happened to the hook.
		wantAction string
	}{
		{name: "install", args: []string{"hook", "install", repo}, wantAction: "installed ", wantOutput: shown + ": runs gitops-lint check --staged before every commit"},
		{name: "install again with check flags", args: []string{"hook", "install", repo, "--", "--fail-on", "warning"}, wantAction: "updated ", wantOutput: shown + ": runs gitops-lint check --staged --fail-on warning"},
		{name: "uninstall", args: []string{"hook", "uninstall", repo}, wantAction: "removed ", wantOutput: shown + "\n"},
		{name: "uninstall again", args: []string{"hook", "uninstall", repo}, wantAction: "no pre-commit hook at ", wantOutput: shown + "\n"},
		{
			name: "a foreign hook stays",
			before: func(t *testing.T) {
				if err := os.WriteFile(hook, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"hook", "install", repo}, wantCode: 2, wantOutput: "did not write",
		},
		{name: "not a repository", args: []string{"hook", "install", t.TempDir()}, wantCode: 2, wantOutput: "not inside a git working tree"},
		{name: "two paths", args: []string{"hook", "install", repo, repo}, wantCode: 2, wantOutput: "at most one PATH"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.before != nil {
				s.before(t)
			}
			code, stdout, stderr := runCLI(t, s.args...)
			if code != s.wantCode || !strings.HasPrefix(stdout, s.wantAction) || !strings.Contains(stdout+stderr, s.wantOutput) {
				t.Errorf("exit %d, want %d; output does not start with %q or lacks %q:\n%s%s", code, s.wantCode, s.wantAction, s.wantOutput, stdout, stderr)
			}
		})
	}
	if b, err := os.ReadFile(hook); err != nil || string(b) != "#!/bin/sh\nexit 0\n" {
		t.Errorf("the foreign hook changed: %q, %v", b, err)
	}
}
