package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/synth"
)

// TestMergedShardsEqualTheWholeCheck checks each test repository whole,
// then as N shards for N = 1, 2, 3 and 7, and merges the shards' JSON
// reports, then their SARIF logs: the merged report is byte for byte the
// whole check's, and merge exits as check did.
func TestMergedShardsEqualTheWholeCheck(t *testing.T) {
	schemas := t.TempDir()
	argo := filepath.Join(t.TempDir(), "argo")
	if _, err := synth.Generate(argo, synth.Options{Apps: 4, Layout: synth.Argo}); err != nil {
		t.Fatal(err)
	}
	flux := filepath.Join(t.TempDir(), "flux")
	if _, err := synth.Generate(flux, synth.Options{Apps: 3, Layout: synth.Flux}); err != nil {
		t.Fatal(err)
	}
	repos := []string{argo, flux}
	names := []string{"demo", "gitops", "crds", "suppressions", "components", "flux-substitution", "configured", "quiet", "locations", "schema-errors"}
	if raceEnabled || testing.Short() {
		// 14 checks per repository, each several times slower under the
		// race detector: the repositories with CRDs, Flux objects and
		// suppressions keep it meaningful within the test timeout.
		repos, names = []string{argo}, []string{"gitops", "crds", "suppressions"}
	}
	for _, name := range names {
		repos = append(repos, filepath.Join(reposDir, name))
	}
	for _, format := range []string{"json", "sarif"} {
		for _, repo := range repos {
			t.Run(format+"/"+filepath.Base(repo), func(t *testing.T) {
				checkMergedShards(t, repo, format, schemas)
			})
		}
	}
}

// checkMergedShards is TestMergedShardsEqualTheWholeCheck on one
// repository, with reports in one format.
func checkMergedShards(t *testing.T, repo, format, schemas string) {
	common := []string{"-f", format, "--no-cache", "--schema-cache-dir", schemas, "--fail-on", "warning"}
	wholeCode, whole, stderr := runCLI(t, append([]string{"check", repo}, common...)...)
	if wholeCode > 1 {
		t.Fatalf("check: exit %d; %s", wholeCode, stderr)
	}
	targets := func(report string) int {
		// JSON has a summary, SARIF its run's properties.
		var r struct {
			Summary struct{ Targets int }
			Runs    []struct {
				Properties struct{ Targets int }
			}
		}
		if err := json.Unmarshal([]byte(report), &r); err != nil {
			t.Fatal(err)
		}
		if len(r.Runs) > 0 {
			return r.Runs[0].Properties.Targets
		}
		return r.Summary.Targets
	}
	if whole == "" || targets(whole) == 0 {
		t.Fatalf("check wrote no report, or one of no target: %q", whole)
	}
	all := targets(whole)
	for _, n := range []int{1, 2, 3, 7} {
		dir := t.TempDir()
		var files []string
		largest := 0
		for i := 1; i <= n; i++ {
			out := filepath.Join(dir, fmt.Sprintf("shard-%d.%s", i, format))
			code, _, stderr := runCLI(t, append([]string{"check", repo, "--shard", fmt.Sprintf("%d/%d", i, n), "-o", out}, common...)...)
			if code > 1 {
				t.Fatalf("shard %d/%d: exit %d; %s", i, n, code, stderr)
			}
			files = append(files, out)
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			largest = max(largest, targets(string(data)))
		}
		if n > 1 && all > 1 && largest >= all {
			t.Errorf("%d shards: one checks all %d targets: nothing was split", n, all)
		}
		code, merged, stderr := runCLI(t, append([]string{"merge", "--fail-on", "warning"}, files...)...)
		if code != wholeCode {
			t.Errorf("%d shards: merge exit %d, check exit %d; %s", n, code, wholeCode, stderr)
		}
		if diff := cmp.Diff(whole, merged); diff != "" {
			t.Errorf("%d shards: merged report differs (-whole +merged):\n%s", n, diff)
		}
	}
}
