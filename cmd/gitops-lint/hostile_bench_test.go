package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
)

// BenchmarkHostile times `check` over every hostile case as a whole
// process, as a user runs it (no GOMEMLIMIT, no strace), and reports its
// peak resident memory: the acceptance is at most 10 s and 512 MiB per
// case on a 2-core machine, which a timed test could not promise on a
// busy one.
func BenchmarkHostile(b *testing.B) {
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		b.Fatal(err)
	}
	bin := cliBinary(b)
	schemas, err := filepath.EvalSymlinks(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	fakes := secretstest.NewFakes()
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		b.Run(e.Name(), func(b *testing.B) {
			hc, root, _ := setUpCase(b, fakes, e.Name())
			check := hostileCommands(hc, root, schemas)[0].args
			var peak int64
			for b.Loop() {
				r := runHostile(b, bin, "", check)
				if r.timedOut || r.code != exitFindings && r.code != exitError && r.code != 0 {
					b.Fatalf("check exited %d (timed out: %v): %s", r.code, r.timedOut, clip(r.stderr))
				}
				peak = max(peak, r.maxRSS)
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-RSS-MiB")
		})
	}
}
