package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/config"
)

// copyTree copies a test repository so that a test may edit it.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

type jsonFinding struct {
	RuleID  string `json:"ruleId"`
	Message string `json:"message"`
}

func checkJSON(t *testing.T, args ...string) (int, []jsonFinding, string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, append([]string{"check", "-f", "json"}, args...)...)
	var out struct {
		Findings []jsonFinding `json:"findings"`
		Summary  struct {
			Baselined int `json:"baselined"`
		} `json:"summary"`
	}
	if code != 2 {
		if err := json.Unmarshal([]byte(stdout), &out); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
	}
	_ = out.Summary
	return code, out.Findings, stderr
}

// TestBaselineRoundTrip records the demo repository's findings, then edits
// the repository: lines inserted above the findings and a container
// inserted before the one they are about must not make them new; the
// problems the edit brings (the new container's) must be reported.
func TestBaselineRoundTrip(t *testing.T) {
	repo := copyTree(t, filepath.Join(reposDir, "demo"))
	cache := t.TempDir()
	code, _, stderr := runCLI(t, "baseline", repo, "--schema-cache-dir", cache)
	if code != 0 {
		t.Fatalf("baseline exit %d: %s", code, stderr)
	}
	file := filepath.Join(repo, ".gitops-lint-baseline.json")
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}

	code, fs, stderr := checkJSON(t, repo, "--baseline", file, "--schema-cache-dir", cache)
	if code != 0 || len(fs) != 0 {
		t.Fatalf("right after baseline: exit %d, findings %v; %s", code, fs, stderr)
	}

	deploy := filepath.Join(repo, "base", "deployment.yml")
	data, err := os.ReadFile(deploy)
	if err != nil {
		t.Fatal(err)
	}
	edited := "# The shop front end.\n# Owned by the web team.\n\n" + strings.Replace(string(data),
		"      containers:\n",
		"      containers:\n        - name: sidecar\n          image: ghcr.io/example/proxy:2.1.0\n", 1)
	if edited == string(data) {
		t.Fatal("the edit did not apply")
	}
	if err := os.WriteFile(deploy, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	_, fs, stderr = checkJSON(t, repo, "--baseline", file, "--schema-cache-dir", cache)
	if len(fs) == 0 {
		t.Fatalf("the new container's problems were not reported; %s", stderr)
	}
	for _, f := range fs {
		if !strings.Contains(f.Message, `"sidecar"`) {
			t.Errorf("reported as new, but recorded in the baseline: %s %s", f.RuleID, f.Message)
		}
	}
}

func TestBaselineErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"version\": 1,\n  \"findings\": [\n    {\"fingerprint\": 3}\n  ]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	unknown := filepath.Join(dir, "unknown.json")
	if err := os.WriteFile(unknown, []byte("{\"version\": 1, \"extra\": true}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		file       string
		wantStderr string
	}{
		{name: "missing file", file: filepath.Join(dir, "nope.json"), wantStderr: "nope.json"},
		{name: "wrong type names file and line", file: bad, wantStderr: "bad.json:4"},
		{name: "unknown field", file: unknown, wantStderr: "unknown field"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, "check", filepath.Join(reposDir, "clean"), "--baseline", tc.file)
			if code != 2 || !strings.Contains(stderr, tc.wantStderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tc.wantStderr)
			}
		})
	}
}

// TestBaselineConfigKey: with baseline: in the configuration file,
// gitops-lint baseline writes the file there, and check - by hand, and
// as the pre-commit hook runs it (check --staged) - reports only what is
// not in it, without --baseline.
func TestBaselineConfigKey(t *testing.T) {
	src := copyTree(t, filepath.Join(reposDir, "demo"))
	if err := os.WriteFile(filepath.Join(src, config.FileName), []byte("baseline: lint/baseline.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(src, "lint"), 0o755); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	if code, _, stderr := runCLI(t, "baseline", src, "--schema-cache-dir", cache); code != 0 {
		t.Fatalf("baseline exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(src, "lint", "baseline.json")); err != nil {
		t.Fatalf("baseline did not write the configured file: %v", err)
	}
	if code, fs, stderr := checkJSON(t, src, "--schema-cache-dir", cache); code != 0 || len(fs) != 0 {
		t.Fatalf("check with the configured baseline: exit %d, findings %v; %s", code, fs, stderr)
	}
	// The hook: a committed baseline, a staged edit that brings a new
	// container; only the new container's problems are reported.
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir, git := gitRepo(t, src)
	deploy := filepath.Join(dir, "base", "deployment.yml")
	edit(t, deploy, "      containers:\n", "      containers:\n        - name: sidecar\n          image: ghcr.io/example/proxy:2.1.0\n")
	git("add", deploy)
	code, fs, stderr := checkJSON(t, slices.Concat(hookCheckArgs[1:], []string{dir, "--schema-cache-dir", cache})...)
	if code == 2 || len(fs) == 0 { // warnings only: exit 0 at the default --fail-on
		t.Fatalf("the staged sidecar: exit %d, findings %v; %s", code, fs, stderr)
	}
	for _, f := range fs {
		if !strings.Contains(f.Message, `"sidecar"`) {
			t.Errorf("reported by the hook, but recorded in the committed baseline: %s %s", f.RuleID, f.Message)
		}
	}
}

func TestBaselineConfigKeyErrors(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "b.json")
	if err := os.WriteFile(outside, []byte(`{"version": 1}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		link       bool // lint/baseline.json is a symlink to a file outside
		wantStderr string
	}{
		{name: "missing file", wantStderr: config.FileName + ":1: baseline: lint/baseline.json does not exist; write it with gitops-lint baseline"},
		{name: "symlink out of the repository", link: true, wantStderr: config.FileName + ":1: baseline: lint/baseline.json resolves outside the repository"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := copyTree(t, filepath.Join(reposDir, "clean"))
			if err := os.WriteFile(filepath.Join(repo, config.FileName), []byte("baseline: lint/baseline.json\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			if tt.link {
				if err := os.Mkdir(filepath.Join(repo, "lint"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(outside, filepath.Join(repo, "lint", "baseline.json")); err != nil {
					t.Fatal(err)
				}
			}
			code, _, stderr := runCLI(t, "check", repo)
			if code != 2 || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.wantStderr)
			}
			if strings.Contains(stderr, "Usage:") {
				t.Errorf("a bad baseline file is not a usage error, yet the usage was printed:\n%s", stderr)
			}
		})
	}
}
