package secrets

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/synth"
)

// benchJobs is the parallelism the performance targets are stated for,
// as in the engine's benchmarks.
const benchJobs = 2

// BenchmarkScanFiles measures the file scan, the part of the secret scan
// that grows with the repository: on the synthetic repository the engine
// benchmarks use, and on the shared corpus when it is present. It reports
// MB/s of scanned text.
func BenchmarkScanFiles(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "flux")
	if _, err := synth.Generate(dir, synth.Options{Apps: 200, Layout: synth.Flux}); err != nil {
		b.Fatal(err)
	}
	b.Run("synthetic-200", func(b *testing.B) { benchScan(b, dir, false) })
	// The same scan with gitleaks' detector used as is, without the fast
	// path: what the fast path saves.
	b.Run("synthetic-200-plain-gitleaks", func(b *testing.B) { benchScan(b, dir, true) })
	b.Run("corpus", func(b *testing.B) {
		dirs := corpusEntries(b)
		var scanners []*Scanner
		var files [][]string
		for _, d := range dirs {
			s, rp := newScanner(b, d)
			scanners, files = append(scanners, s), append(files, rp.Files)
		}
		b.ResetTimer()
		for b.Loop() {
			for i, s := range scanners {
				s.ScanFiles(context.Background(), files[i], benchJobs)
			}
		}
	})
}

func benchScan(b *testing.B, dir string, plain bool) {
	s, rp := newScanner(b, dir)
	if plain {
		cfg, _, err := loadGitleaksConfig(rp.FS)
		if err != nil {
			b.Fatal(err)
		}
		s.detector = detect.NewDetector(cfg)
		s.detector.MaxDecodeDepth = decodeDepth
		s.fast, s.allowPaths = nil, nil
	}
	var size int64
	for _, f := range rp.Files {
		size += fileSize(filepath.Join(rp.Root, f))
	}
	b.SetBytes(size)
	b.ResetTimer()
	for b.Loop() {
		if fs := s.ScanFiles(context.Background(), rp.Files, benchJobs); len(fs) != 0 {
			b.Fatalf("synthetic repository has findings: %+v", fs[0])
		}
	}
}

func newScanner(b testing.TB, dir string) (*Scanner, *repo.Repo) {
	rp, err := repo.Discover(dir, repo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(rp, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s, rp
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}
