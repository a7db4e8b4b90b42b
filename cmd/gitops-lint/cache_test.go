package main

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
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

// TestResultCacheSurvivesAnotherBinaryPath runs the CLI as a fresh process
// from a copy of the binary at one path, then from a copy at another path
// with another modification time and working directory, on one cache
// directory: the second run writes no entry (every target and the
// repository-level checks hit, since a miss writes one) and reports the
// same. Adding an unrelated file keeps every entry too.
func TestResultCacheSurvivesAnotherBinaryPath(t *testing.T) {
	if testing.Short() {
		t.Skip("copies the test binary")
	}
	repo := copyTree(t, filepath.Join(reposDir, "gitops"))
	cache, schemas := t.TempDir(), t.TempDir()
	install := func(mtime time.Time) string {
		t.Helper()
		data, err := os.ReadFile(cliBinary(t))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(t.TempDir(), "bin", "gitops-lint")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
		return p
	}
	run := func(bin string) string {
		t.Helper()
		cmd := exec.Command(bin, "check", repo, "-f", "json", "--cache-dir", cache, "--schema-cache-dir", schemas)
		cmd.Env = append(os.Environ(), cliEnv+"=1")
		cmd.Dir = filepath.Dir(bin)
		out, err := cmd.Output()
		var ee *exec.ExitError
		if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
			t.Fatalf("%s: %v", bin, err)
		}
		return string(out)
	}
	entries := func() []string {
		t.Helper()
		var out []string
		_ = filepath.WalkDir(cache, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) == ".json" {
				out = append(out, p)
			}
			return nil
		})
		return out
	}
	first := run(install(time.Unix(1e9, 0)))
	cold := entries()
	if len(cold) == 0 {
		t.Fatal("the cold run cached nothing")
	}
	other := install(time.Unix(2e9, 0))
	if diff := cmp.Diff(first, run(other)); diff != "" {
		t.Errorf("the run from another path differs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff(cold, entries()); diff != "" {
		t.Errorf("the run from another path wrote entries (-cold +after):\n%s", diff)
	}
	if err := os.WriteFile(filepath.Join(repo, "NOTES.md"), []byte("notes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, run(other)); diff != "" {
		t.Errorf("the run after adding an unrelated file differs (-first +second):\n%s", diff)
	}
	after := entries()
	// Only the repository-level entry is new: it is keyed by the file list.
	if len(after) != len(cold)+1 {
		t.Errorf("adding an unrelated file: %d entries, want the %d before and one repository-level entry", len(after), len(cold))
	}
}

// TestCacheURLSharesResultsBetweenRunners: a runner with an empty local
// cache finds every entry another runner put in the bucket (file://, as a
// shared volume), reports the same, and keeps the entries locally.
func TestCacheURLSharesResultsBetweenRunners(t *testing.T) {
	bucket, schemas := t.TempDir(), t.TempDir()
	url := "file://" + filepath.ToSlash(bucket)
	count := func(dir string) int {
		n := 0
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && filepath.Ext(p) == ".json" {
				n++
			}
			return nil
		})
		return n
	}
	check := func(cache string) string {
		t.Helper()
		code, stdout, stderr := runCLI(t, "check", filepath.Join(reposDir, "gitops"), "-f", "json", "--schema-cache-dir", schemas, "--cache-dir", cache, "--cache-url", url)
		if code != 1 {
			t.Fatalf("exit %d; %s", code, stderr)
		}
		return stdout
	}
	first, second := t.TempDir(), t.TempDir()
	cold := check(first)
	uploaded := count(bucket)
	if uploaded == 0 || uploaded != count(first) {
		t.Fatalf("bucket holds %d entries, the first runner's cache %d", uploaded, count(first))
	}
	if diff := cmp.Diff(cold, check(second)); diff != "" {
		t.Errorf("the second runner's report differs (-first +second):\n%s", diff)
	}
	if got := count(second); got != uploaded {
		t.Errorf("the second runner keeps %d entries, want the bucket's %d", got, uploaded)
	}
	if got := count(bucket); got != uploaded {
		t.Errorf("the second runner wrote to the bucket (%d entries, were %d): it missed", got, uploaded)
	}
	code, _, stderr := runCLI(t, "check", filepath.Join(reposDir, "gitops"), "--cache-url", "http://example.com/cache")
	if code != 2 || !strings.Contains(stderr, "--cache-url") {
		t.Errorf("--cache-url http://: exit %d, want 2; %s", code, stderr)
	}
}
