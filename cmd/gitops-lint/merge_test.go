package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/synth"
)

// TestMergedShardsEqualTheWholeCheck checks each test repository whole,
// then as N shards for N = 1, 2, 3 and 7 (2 and 7 under the race
// detector or -short), and merges the shards' JSON
// reports, then their SARIF logs: the merged report is byte for byte the
// whole check's, and merge exits as check did. Each check runs once: it
// writes its JSON report, and its SARIF log is written from the same
// run's report input, as check -f sarif would write it (TestGolden holds
// every format to that).
func TestMergedShardsEqualTheWholeCheck(t *testing.T) {
	schemas := t.TempDir()
	small := raceEnabled || testing.Short()
	argo := filepath.Join(t.TempDir(), "argo")
	apps := 4
	if small {
		apps = 2 // 8 targets and their Applications: 7 shards still split them
	}
	if _, err := synth.Generate(argo, synth.Options{Apps: apps, Layout: synth.Argo}); err != nil {
		t.Fatal(err)
	}
	flux := filepath.Join(t.TempDir(), "flux")
	if _, err := synth.Generate(flux, synth.Options{Apps: 3, Layout: synth.Flux}); err != nil {
		t.Fatal(err)
	}
	repos := []string{argo, flux}
	names := []string{"demo", "gitops", "crds", "suppressions", "components", "flux-substitution", "configured", "quiet", "locations", "schema-errors"}
	shards := []int{1, 2, 3, 7}
	if small {
		// 14 checks per repository at full size, each several times
		// slower under the race detector, and every shard renders every
		// target for the repository-level checks: the repositories with
		// CRDs, Flux objects and suppressions, split in two and in more
		// shards than some have targets, keep it meaningful.
		repos, names, shards = []string{argo}, []string{"gitops", "crds", "suppressions"}, []int{2, 7}
	}
	for _, name := range names {
		repos = append(repos, filepath.Join(reposDir, name))
	}
	for _, repo := range repos {
		t.Run(filepath.Base(repo), func(t *testing.T) {
			checkMergedShards(t, repo, schemas, shards)
		})
	}
}

// shardFormats are the formats merge reads.
var shardFormats = []string{"json", "sarif"}

// checkShardReports runs check once with args and returns its exit code
// and its report in each of shardFormats: the first as check wrote it,
// the others written from the same run's report input.
func checkShardReports(t *testing.T, args ...string) (code int, reports map[string]string) {
	t.Helper()
	var in *report.Input
	capture := func(e *env) {
		e.writeReport = func(w io.Writer, i report.Input, o report.Options) error {
			in = &i
			return report.Write(w, i, o)
		}
	}
	args = append(args, "-f", shardFormats[0], "--no-cache", "--fail-on", "warning")
	code, stdout, stderr := runCLIWith(t, capture, args...)
	if code > 1 || in == nil {
		t.Fatalf("%v: exit %d; %s", args, code, stderr)
	}
	reports = map[string]string{shardFormats[0]: stdout}
	for _, format := range shardFormats[1:] {
		var b bytes.Buffer
		if err := report.Write(&b, *in, report.Options{Format: format}); err != nil {
			t.Fatal(err)
		}
		reports[format] = b.String()
	}
	return code, reports
}

// reportTargets is the number of targets a JSON report or a SARIF log
// says it checked: JSON has a summary, SARIF its run's properties.
func reportTargets(t *testing.T, report string) int {
	t.Helper()
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

// checkMergedShards is TestMergedShardsEqualTheWholeCheck on one
// repository.
func checkMergedShards(t *testing.T, repo, schemas string, shards []int) {
	wholeCode, whole := checkShardReports(t, "check", repo, "--schema-cache-dir", schemas)
	for _, format := range shardFormats {
		if whole[format] == "" || reportTargets(t, whole[format]) == 0 {
			t.Fatalf("check wrote no %s report, or one of no target: %q", format, whole[format])
		}
	}
	all := reportTargets(t, whole[shardFormats[0]])
	for _, n := range shards {
		dir := t.TempDir()
		files := map[string][]string{}
		largest := 0
		for i := 1; i <= n; i++ {
			_, reports := checkShardReports(t, "check", repo, "--shard", fmt.Sprintf("%d/%d", i, n), "--schema-cache-dir", schemas)
			for format, r := range reports {
				out := filepath.Join(dir, fmt.Sprintf("shard-%d.%s", i, format))
				if err := os.WriteFile(out, []byte(r), 0o644); err != nil {
					t.Fatal(err)
				}
				files[format] = append(files[format], out)
				largest = max(largest, reportTargets(t, r))
			}
		}
		if n > 1 && all > 1 && largest >= all {
			t.Errorf("%d shards: one checks all %d targets: nothing was split", n, all)
		}
		for _, format := range shardFormats {
			code, merged, stderr := runCLI(t, append([]string{"merge", "--fail-on", "warning"}, files[format]...)...)
			if code != wholeCode {
				t.Errorf("%d %s shards: merge exit %d, check exit %d; %s", n, format, code, wholeCode, stderr)
			}
			if diff := cmp.Diff(whole[format], merged); diff != "" {
				t.Errorf("%d %s shards: merged report differs (-whole +merged):\n%s", n, format, diff)
			}
		}
	}
}
