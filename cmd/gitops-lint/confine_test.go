package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/gitx/gittest"
)

// TestRepositoryGitConfigRunsNothing: a repository shipped with a .git
// whose configuration names a program for fsmonitor, hooks, filter and
// diff drivers, pager and credentials; check --staged, check
// --changed-since and diff --base run none of them.
func TestRepositoryGitConfigRunsNothing(t *testing.T) {
	r := gittest.Init(t, copyTree(t, filepath.Join(reposDir, "locations")))
	r.Commit("init")
	r.Git("branch", "base")
	patch := filepath.Join(r.Dir, "overlays", "prod", "resources.yaml")
	edit(t, patch, "memory: 256Mi", "memory: [256Mi]")
	r.Git("add", patch)
	r.Git("commit", "-qm", "a schema error")
	edit(t, filepath.Join(r.Dir, "base", "deployment.yaml"), "replicas: 1", "replicas: 2") // a work-tree change git must hash
	marker := r.PlantPrograms()

	schemas := t.TempDir()
	for _, args := range [][]string{
		{"check", r.Dir, "--staged", "--schema-cache-dir", schemas},
		{"check", r.Dir, "--changed-since", "base", "--schema-cache-dir", schemas, "--no-cache"},
		{"diff", r.Dir, "--base", "base", "--schema-cache-dir", schemas},
		{"diff", r.Dir, "--base", "base", "--schema-cache-dir", schemas, "-f", "markdown"},
	} {
		code, _, stderr := runCLI(t, args...)
		if code == exitError {
			t.Errorf("%v: exit %d; %s", args, code, stderr)
		}
		if data, err := os.ReadFile(marker); err == nil {
			t.Fatalf("%v ran a program the repository configured:\n%s", args, data)
		}
	}
}

// TestRenderRootIsNeverTheWorkingDirectory: outside a git work tree the
// root is the target itself, so a kustomization's ../ cannot reach a file
// beside it, however the target is named, and the working directory is
// never walked.
func TestRenderRootIsNeverTheWorkingDirectory(t *testing.T) {
	base := t.TempDir()
	mustWriteFile(t, filepath.Join(base, "outside.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside-marker\n")
	mustWriteFile(t, filepath.Join(base, "repo", "app", "kustomization.yaml"), "resources:\n  - ../../outside.yaml\n")
	t.Chdir(base) // a scratch directory that holds the repository and more
	for _, target := range []string{"repo/app", "./repo/app", "repo/../repo/app", filepath.Join(base, "repo", "app")} {
		code, stdout, stderr := runCLI(t, "render", target)
		if strings.Contains(stdout+stderr, "outside-marker") {
			t.Errorf("render %s printed a file outside the repository", target)
		}
		if code != exitFindings || !strings.Contains(stderr, "path-escape") {
			t.Errorf("render %s: exit %d, want 1 with path-escape; %s", target, code, stderr)
		}
	}
}

func mustWriteFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
