package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/gitx/gittest"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// gitRepo makes a git repository of a copy of a test repository, with
// one commit, for the --staged and --changed-since tests.
func gitRepo(t *testing.T, src string) (dir string, git func(args ...string)) {
	t.Helper()
	r := gittest.Init(t, copyTree(t, src))
	r.Commit("init")
	return r.Dir, func(args ...string) { r.Git(args...) }
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStagedChecksTheIndex stages one problem, fixed in the working tree
// but not staged, and leaves another unstaged: the staged one is reported
// and the unstaged one is not.
func TestStagedChecksTheIndex(t *testing.T) {
	dir, git := gitRepo(t, filepath.Join(reposDir, "locations"))
	cache := t.TempDir()

	code, fs, stderr := checkJSON(t, dir, "--staged", "--schema-cache-dir", cache)
	if code != 0 || len(fs) != 0 {
		t.Fatalf("nothing staged: exit %d, findings %v; %s", code, fs, stderr)
	}

	patch := filepath.Join(dir, "overlays", "prod", "resources.yaml")
	edit(t, patch, "memory: 256Mi", "memory: [256Mi]") // staged: a schema error
	git("add", patch)
	edit(t, patch, "memory: [256Mi]", "memory: 256Mi") // fixed, but not staged
	base := filepath.Join(dir, "base", "deployment.yaml")
	edit(t, base, "replicas: 1", "replicas: one") // unstaged: must not show

	code, fs, stderr = checkJSON(t, dir, "--staged", "--schema-cache-dir", cache, "--no-builtin-policies")
	if code != 1 {
		t.Fatalf("exit %d, want 1; %s", code, stderr)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.RuleID+": "+f.Message)
	}
	joined := strings.Join(got, "\n")
	if !strings.Contains(joined, "resources.limits.memory") {
		t.Errorf("the staged schema error is missing:\n%s", joined)
	}
	if strings.Contains(joined, "replicas") {
		t.Errorf("the unstaged edit was checked:\n%s", joined)
	}

	// The index's kustomization names a committed file that the working
	// tree's kustomization does not name and the working tree no longer
	// has: it is taken from the index all the same.
	extra := filepath.Join(dir, "overlays", "dev", "extra.yaml")
	if err := os.WriteFile(extra, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  n: [1]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", extra)
	git("commit", "-qm", "an unused manifest", "--", extra)
	kust := filepath.Join(dir, "overlays", "dev", "kustomization.yaml")
	edit(t, kust, "  - ../../base\n", "  - ../../base\n  - extra.yaml\n")
	git("add", kust)
	edit(t, kust, "  - extra.yaml\n", "")
	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
	_, fs, stderr = checkJSON(t, dir, "--staged", "--schema-cache-dir", cache, "--no-builtin-policies")
	found := false
	for _, f := range fs {
		found = found || (f.RuleID == "schema-invalid" && strings.Contains(f.Message, "data.n"))
	}
	if !found {
		t.Errorf("the staged file that only the index names was not checked: %v; %s", fs, stderr)
	}
}

// TestStagedWithPoliciesOfTheConfigurationFile: the configuration file
// names a directory of policies that the staged change does not touch;
// the pre-commit check loads it from the index all the same (it used to
// stop with exit 2: the export lacked the directory the file names).
func TestStagedWithPoliciesOfTheConfigurationFile(t *testing.T) {
	dir, git := gitRepo(t, filepath.Join(reposDir, "clean"))
	treetest.Write(t, dir, map[string]string{
		".gitops-lint.yaml": "policies:\n  paths: [team-policies]\n",
		"team-policies/no-deployments.rego": `package main

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	msg := "the team deploys no Deployments"
}
`,
	})
	git("add", "-A")
	git("commit", "-qm", "team policies")
	deployment := filepath.Join(dir, "base", "deployment.yaml")
	edit(t, deployment, "kind: Deployment\n", "kind: Deployment\n# staged\n")
	git("add", deployment)
	code, fs, stderr := checkJSON(t, dir, "--staged", "--schema-cache-dir", t.TempDir(), "--no-builtin-policies")
	if code != 1 {
		t.Fatalf("exit %d, want 1; %s", code, stderr)
	}
	if !slices.ContainsFunc(fs, func(f jsonFinding) bool { return f.Message == "the team deploys no Deployments" }) {
		t.Errorf("the team's policy did not run on the staged change: %v", fs)
	}
}

func TestChangedSinceMissingRef(t *testing.T) {
	dir, _ := gitRepo(t, filepath.Join(reposDir, "clean"))
	code, _, stderr := runCLI(t, "check", dir, "--changed-since", "origin/main")
	if code != 2 || !strings.Contains(stderr, "git fetch") {
		t.Errorf("exit %d, stderr %q; want 2 and how to fetch the ref", code, stderr)
	}
	code, _, stderr = runCLI(t, "check", dir, "--changed-since", "main")
	if code != 0 {
		t.Errorf("no change since main: exit %d; %s", code, stderr)
	}
	code, _, stderr = runCLI(t, "check", dir, "--staged", "--changed-since", "main")
	if code != 2 {
		t.Errorf("--staged with --changed-since: exit %d; %s", code, stderr)
	}
}

// TestChangedSinceSelectsTargets commits a change on a branch and checks
// how many targets --changed-since checks: a base reaches both overlays,
// one overlay's patch or generator .env only that overlay.
func TestChangedSinceSelectsTargets(t *testing.T) {
	tests := []struct {
		name, file, old, new string
		targets              int
	}{
		{name: "a base", file: "base/deployment.yaml", old: "replicas: 1", new: "replicas: 2", targets: 2},
		{name: "an overlay's patch", file: "overlays/prod/resources.yaml", old: "256Mi", new: "512Mi", targets: 1},
		{name: "a generator's .env", file: "overlays/prod/config.env", old: "WORKERS=4", new: "WORKERS=8", targets: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, git := gitRepo(t, filepath.Join(reposDir, "locations"))
			git("checkout", "-q", "-b", "change")
			edit(t, filepath.Join(dir, filepath.FromSlash(tc.file)), tc.old, tc.new)
			git("commit", "-qam", "change")
			code, stdout, stderr := runCLI(t, "check", dir, "--changed-since", "main", "-f", "json", "--no-cache")
			if code == 2 {
				t.Fatalf("exit 2: %s", stderr)
			}
			var out struct {
				Summary struct{ Targets int } `json:"summary"`
			}
			if err := json.Unmarshal([]byte(stdout), &out); err != nil {
				t.Fatal(err)
			}
			if out.Summary.Targets != tc.targets {
				t.Errorf("%d targets checked, want %d", out.Summary.Targets, tc.targets)
			}
		})
	}
}
