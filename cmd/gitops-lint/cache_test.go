package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestResultCacheGivesTheSameReport checks a repository cold, warm, with
// every cache entry corrupted, and without the cache: the reports agree,
// and a corrupt entry is ignored rather than trusted.
func TestResultCacheGivesTheSameReport(t *testing.T) {
	cache, schemas := t.TempDir(), t.TempDir()
	check := func(extra ...string) string {
		t.Helper()
		args := append([]string{"check", filepath.Join(reposDir, "demo"), "-f", "json", "--schema-cache-dir", schemas}, extra...)
		code, stdout, stderr := runCLI(t, args...)
		if code != 1 {
			t.Fatalf("exit %d; %s", code, stderr)
		}
		return timing.ReplaceAllString(stdout, "")
	}
	cold := check("--cache-dir", cache)
	entries := 0
	_ = filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			entries++
		}
		return nil
	})
	if entries == 0 {
		t.Fatal("the cold run cached nothing")
	}
	if diff := cmp.Diff(cold, check("--cache-dir", cache)); diff != "" {
		t.Errorf("warm run differs (-cold +warm):\n%s", diff)
	}
	_ = filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".json" {
			if err := os.WriteFile(p, []byte(`{"version":1,"key":"x"`), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	})
	if diff := cmp.Diff(cold, check("--cache-dir", cache)); diff != "" {
		t.Errorf("run over corrupt entries differs (-cold +corrupt):\n%s", diff)
	}
	if diff := cmp.Diff(cold, check("--no-cache")); diff != "" {
		t.Errorf("run without cache differs (-cached +uncached):\n%s", diff)
	}
}

// TestCacheDirNeverLosesForeignFiles: --cache-dir naming the repository
// (or a directory around it) is a usage error, and a directory that holds
// other files keeps them all however small the cache must get.
func TestCacheDirNeverLosesForeignFiles(t *testing.T) {
	repo := copyTree(t, filepath.Join(reposDir, "demo"))
	before := treeDigest(t, repo)
	for _, dir := range []string{repo, filepath.Dir(repo)} {
		code, _, stderr := runCLI(t, "check", repo, "--cache-dir", dir, "--schema-cache-dir", t.TempDir())
		if code != 2 || !strings.Contains(stderr, "--cache-dir") {
			t.Errorf("--cache-dir %s: exit %d, want 2; %s", dir, code, stderr)
		}
	}
	if diff := cmp.Diff(before, treeDigest(t, repo)); diff != "" {
		t.Errorf("the repository changed (-before +after):\n%s", diff)
	}

	// A directory of someone else's files, old enough to be pruned first.
	shared := t.TempDir()
	old := time.Now().Add(-240 * time.Hour)
	for _, f := range []string{"notes.txt", "ab/0123456789abcdef0123456789abcdef.json", "gitops-lint-results.bak/x.json"} {
		p := filepath.Join(shared, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Repeat("x", 1<<20)), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	foreign := treeDigest(t, shared)
	if code, _, stderr := runCLI(t, "check", repo, "--cache-dir", shared, "--schema-cache-dir", t.TempDir()); code != 1 {
		t.Fatalf("exit %d; %s", code, stderr)
	}
	after := treeDigest(t, shared)
	for f, sum := range foreign {
		if after[f] != sum {
			t.Errorf("foreign file %s was changed or removed", f)
		}
	}
}

// treeDigest maps every file under dir to its content.
func treeDigest(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
