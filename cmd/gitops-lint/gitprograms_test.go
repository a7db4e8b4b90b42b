package main

import (
	"os"
	"path/filepath"
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
