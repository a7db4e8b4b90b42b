package secrets

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// corpusDir holds real public GitOps repositories (see
// ../shared/corpus/SOURCES.md); the tests that use it skip when it is absent.
const corpusDir = "../../../../shared/corpus"

func corpusEntries(t testing.TB) []string {
	t.Helper()
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("corpus not present: %v", err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() {
			dirs = append(dirs, filepath.Join(corpusDir, e.Name()))
		}
	}
	return dirs
}

// TestCorpus runs the file scan, every kustomization and every source
// object over each corpus entry. It logs the findings per entry and rule
// (go test -v -run TestCorpus) and fails on any finding in a SOPS-encrypted
// file or a SealedSecret, the safe patterns the corpus holds.
func TestCorpus(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("corpus scan skipped in -short mode and under the race detector")
	}
	for _, dir := range corpusEntries(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rp, all := scanTree(t, dir)
			safe := map[string]bool{}
			for _, file := range rp.Files {
				for _, r := range sourceResources(t, rp.Root, file) {
					if r.Object["sops"] != nil || isSealedSecret(r.ID) {
						safe[file] = true
					}
				}
			}
			counts := map[string]int{}
			for _, f := range all {
				counts[f.RuleID]++
				if safe[f.Location.File] {
					t.Errorf("finding in a SOPS-encrypted file or SealedSecret: %s %s: %s", f.RuleID, f.Location, f.Message)
				}
				if testing.Verbose() {
					t.Logf("%s %s %s", f.RuleID, f.Location, f.Message)
				}
			}
			var parts []string
			for _, id := range slices.Sorted(maps.Keys(counts)) {
				parts = append(parts, fmt.Sprintf("%s=%d", id, counts[id]))
			}
			t.Logf("%d files, %d safe files, %d findings: %s", len(rp.Files), len(safe), len(all), strings.Join(parts, " "))
		})
	}
}
