package gitx

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/gitx/gittest"
)

type testRepo struct {
	*gittest.Repo
	t *testing.T
}

func newTestRepo(t *testing.T) *testRepo {
	t.Helper()
	return &testRepo{Repo: gittest.Init(t, ""), t: t}
}

func (r *testRepo) git(args ...string) string {
	r.t.Helper()
	return r.Git(args...)
}

func (r *testRepo) write(name, content string) {
	r.t.Helper()
	p := filepath.Join(r.Dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
}

// TestStagedBeforeTheFirstCommit: with no HEAD yet, everything in the
// index is staged, deleted files aside.
func TestStagedBeforeTheFirstCommit(t *testing.T) {
	r := newTestRepo(t)
	r.write("apps/a.yaml", "v: 1\n")
	r.write("apps/b.yaml", "v: 1\n")
	r.write("notes.md", "untracked\n")
	r.git("add", "apps")
	ctx := context.Background()
	g, err := Open(ctx, r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.StagedFiles(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"apps/a.yaml", "apps/b.yaml"}, got); diff != "" {
		t.Errorf("staged (-want +got):\n%s", diff)
	}
}

func TestStagedAndIndexContent(t *testing.T) {
	r := newTestRepo(t)
	r.write("apps/a.yaml", "v: 1\n")
	r.write("apps/b.yaml", "v: 1\n")
	r.write("other/c.yaml", "v: 1\n")
	r.git("add", ".")
	r.git("commit", "-qm", "init")
	r.write("apps/a.yaml", "v: staged\n")
	r.git("add", "apps/a.yaml")
	r.write("apps/a.yaml", "v: unstaged\n") // must not be seen
	r.write("apps/b.yaml", "v: unstaged\n") // modified, not staged
	r.write("other/c.yaml", "v: 2\n")
	r.git("add", "other/c.yaml")

	ctx := context.Background()
	for _, tc := range []struct {
		name, dir string
		want      []string
	}{
		{name: "top", dir: r.Dir, want: []string{"apps/a.yaml", "other/c.yaml"}},
		{name: "subdirectory", dir: filepath.Join(r.Dir, "apps"), want: []string{"a.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Open(ctx, tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.StagedFiles(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("staged (-want +got):\n%s", diff)
			}
			dst := t.TempDir()
			index, err := g.ReadIndex(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if err := g.ExportPaths(ctx, index, index.Files, dst); err != nil {
				t.Fatal(err)
			}
			a := filepath.Join(dst, "a.yaml")
			if tc.name == "top" {
				a = filepath.Join(dst, "apps", "a.yaml")
			}
			data, err := os.ReadFile(a)
			if err != nil || string(data) != "v: staged\n" {
				t.Errorf("index content of a.yaml = %q, %v; want the staged one", data, err)
			}
		})
	}
	// Nothing was written to the repository: the working tree keeps the
	// unstaged edit.
	if data, _ := os.ReadFile(filepath.Join(r.Dir, "apps", "a.yaml")); string(data) != "v: unstaged\n" {
		t.Errorf("working tree changed: %q", data)
	}
}

func TestChangedSince(t *testing.T) {
	r := newTestRepo(t)
	r.write("a.yaml", "v: 1\n")
	r.git("add", ".")
	r.git("commit", "-qm", "init")
	r.git("branch", "base")
	r.write("b.yaml", "v: 1\n")
	r.git("add", ".")
	r.git("commit", "-qm", "feature")
	ctx := context.Background()
	g, err := Open(ctx, r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := g.ChangedSince(ctx, "base")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"b.yaml"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	_, err = g.ChangedSince(ctx, "origin/main")
	var missing *MissingRefError
	if !errors.As(err, &missing) || !strings.Contains(err.Error(), "git fetch") {
		t.Errorf("missing ref: got %v, want a MissingRefError saying how to fetch", err)
	}
	dst := t.TempDir()
	if err := g.ExportCommit(ctx, "base", dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "b.yaml")); !os.IsNotExist(err) {
		t.Errorf("b.yaml exported from base, where it does not exist")
	}
	if _, err := os.Stat(filepath.Join(dst, "a.yaml")); err != nil {
		t.Errorf("a.yaml not exported: %v", err)
	}
}

func TestOpenOutsideGit(t *testing.T) {
	if _, err := Open(context.Background(), t.TempDir()); err == nil {
		t.Error("a plain directory opened as a git repository")
	}
}

func TestChangedInWorkTree(t *testing.T) {
	r := newTestRepo(t)
	r.write("apps/a.yaml", "v: 1\n")
	r.write("apps/b.yaml", "v: 1\n")
	r.write("apps/c.yaml", "v: 1\n")
	r.write("other/d.yaml", "v: 1\n")
	r.write(".gitignore", "*.tmp\n")
	r.git("add", ".")
	r.git("commit", "-qm", "init")
	r.git("branch", "base")
	r.write("apps/a.yaml", "v: committed\n")
	r.git("commit", "-qam", "feature")
	r.write("apps/b.yaml", "v: unstaged\n")
	if err := os.Remove(filepath.Join(r.Dir, "apps", "c.yaml")); err != nil {
		t.Fatal(err)
	}
	r.write("apps/new.yaml", "v: untracked\n")
	r.write("apps/scratch.tmp", "ignored\n")
	r.write("other/d.yaml", "v: 2\n")

	ctx := context.Background()
	for _, tc := range []struct {
		name, dir string
		want      []string
	}{
		{name: "top", dir: r.Dir, want: []string{"apps/a.yaml", "apps/b.yaml", "apps/c.yaml", "apps/new.yaml", "other/d.yaml"}},
		{name: "subdirectory", dir: filepath.Join(r.Dir, "apps"), want: []string{"a.yaml", "b.yaml", "c.yaml", "new.yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Open(ctx, tc.dir)
			if err != nil {
				t.Fatal(err)
			}
			got, err := g.ChangedInWorkTree(ctx, "base")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			_, err = g.ChangedInWorkTree(ctx, "origin/nope")
			var missing *MissingRefError
			if !errors.As(err, &missing) {
				t.Errorf("missing ref: got %v, want a MissingRefError", err)
			}
		})
	}
}

func TestExportCommitOfNewDirectory(t *testing.T) {
	r := newTestRepo(t)
	r.write("a.yaml", "v: 1\n")
	r.git("add", ".")
	r.git("commit", "-qm", "init")
	r.write("apps/b.yaml", "v: 1\n")
	ctx := context.Background()
	g, err := Open(ctx, filepath.Join(r.Dir, "apps"))
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	if err := g.ExportCommit(ctx, "HEAD", dst); err != nil {
		t.Fatalf("a directory that HEAD does not have: %v, want an empty export", err)
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 0 {
		t.Errorf("exported %v, want nothing", entries)
	}
}

func TestIndexAt(t *testing.T) {
	x := &Index{Files: []string{"a.yaml", "pol/a.rego", "pol/sub/b.rego", "pol2/c.rego", "polx"}}
	tests := []struct {
		p    string
		want []string
	}{
		{p: "a.yaml", want: []string{"a.yaml"}},
		{p: "pol", want: []string{"pol/a.rego", "pol/sub/b.rego"}},
		{p: "pol/", want: []string{"pol/a.rego", "pol/sub/b.rego"}},
		{p: "pol/sub", want: []string{"pol/sub/b.rego"}},
		{p: "missing", want: []string{}},
	}
	for _, tt := range tests {
		if got := x.At(tt.p); !slices.Equal(got, tt.want) {
			t.Errorf("At(%q) = %q, want %q", tt.p, got, tt.want)
		}
	}
}
