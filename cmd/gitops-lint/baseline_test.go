package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
