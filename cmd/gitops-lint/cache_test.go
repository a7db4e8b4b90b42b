package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

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
		if err == nil && !d.IsDir() {
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
