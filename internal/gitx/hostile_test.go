package gitx

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestNoGitSettingRunsAProgram runs every gitx operation in a repository
// whose configuration names a program for every hook git has; none may
// run. A control run of plain git proves the planted settings are live.
func TestNoGitSettingRunsAProgram(t *testing.T) {
	r := newTestRepo(t)
	r.write("apps/a.yaml", "v: 1\n$Format:%H%G?$\n")
	r.write("apps/b.proc", "v: 1\n")
	r.git("add", ".")
	r.git("commit", "-qm", "init")
	r.git("branch", "base")
	marker := r.PlantPrograms()
	r.git("add", ".gitattributes")
	r.write("apps/b.proc", "v: 1\n")
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("control: plain git ran no planted program (%v); the test proves nothing", err)
	}
	if err := os.Remove(marker); err != nil {
		t.Fatal(err)
	}
	r.write("apps/a.yaml", "v: 2\n")   // a work-tree change git must hash
	r.write("apps/b.proc", "v: 2\n")   // through the process filter
	r.write("apps/new.yaml", "v: 1\n") // untracked

	ctx := context.Background()
	for _, dir := range []string{r.Dir, filepath.Join(r.Dir, "apps")} {
		g, err := Open(ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		ops := map[string]func() error{
			"StagedFiles":       func() error { _, err := g.StagedFiles(ctx); return err },
			"ChangedSince":      func() error { _, err := g.ChangedSince(ctx, "base"); return err },
			"ChangedInWorkTree": func() error { _, err := g.ChangedInWorkTree(ctx, "base"); return err },
			"ReadIndex":         func() error { _, err := g.ReadIndex(ctx); return err },
			"GitPath":           func() error { _, err := g.GitPath(ctx, "hooks"); return err },
			"ExportCommit":      func() error { return g.ExportCommit(ctx, "base", t.TempDir()) },
			"ExportPaths": func() error {
				x, err := g.ReadIndex(ctx)
				if err != nil {
					return err
				}
				return g.ExportPaths(ctx, x, x.Files, t.TempDir())
			},
		}
		for name, op := range ops {
			if err := op(); err != nil {
				t.Errorf("%s in %s: %v", name, dir, err)
			}
			if data, err := os.ReadFile(marker); err == nil {
				t.Fatalf("%s in %s ran a program the repository configured: %s", name, dir, data)
			}
		}
	}
	// The export holds the stored bytes: no smudge, no export-subst.
	g, err := Open(ctx, r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := g.ExportCommit(ctx, "base", dst); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dst, "apps", "a.yaml")); !strings.Contains(string(data), "$Format:%H%G?$") {
		t.Errorf("export-subst applied: %q", data)
	}
}

// TestFilterDriverNamesGitCannotOverride: a driver -c cannot name is
// refused, not run.
func TestFilterDriverNamesGitCannotOverride(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	r := newTestRepo(t)
	cfg := filepath.Join(r.Dir, ".git", "config")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("[filter \"a=b\"]\n\tclean = false\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := Open(context.Background(), r.Dir); err == nil || !strings.Contains(err.Error(), "cannot disable") {
		t.Errorf("Open = %v, want a refusal", err)
	}
}
