package secrets

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/gitops-lint/gitops-lint/internal/synth"
)

// raceEnabled is set under the race detector (race_test.go).
var raceEnabled bool

// TestFastPathMatchesGitleaks compares the scanner's use of gitleaks (the
// generic rule over masked text, path allowlists tested once) with a
// plain gitleaks detector over every fixture, a synthetic repository and,
// unless -short or -race, the corpus: the findings must be the same.
func TestFastPathMatchesGitleaks(t *testing.T) {
	f := newFakes()
	roots := map[string]string{}
	for _, fixture := range []string{"stringdata", "base64-token", "sops", "sealed", "external", "pem-configmap", "generator", "gitleaks-config", "gitleaks-replace"} {
		roots[fixture] = materialise(t, f, fixture)
	}
	synthetic := filepath.Join(t.TempDir(), "synthetic")
	if _, err := synth.Generate(synthetic, synth.Options{Apps: 10, Layout: synth.Flux}); err != nil {
		t.Fatal(err)
	}
	roots["synthetic"] = synthetic
	if !testing.Short() && !raceEnabled {
		if entries, err := os.ReadDir(corpusDir); err == nil {
			for _, e := range entries {
				if e.IsDir() {
					roots["corpus/"+e.Name()] = filepath.Join(corpusDir, e.Name())
				}
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(roots)) {
		root := roots[name]
		s, rp := newScanner(t, root)
		cfg, _, err := loadGitleaksConfig(rp.FS)
		if err != nil {
			t.Fatal(err)
		}
		plain := detect.NewDetector(cfg)
		plain.MaxDecodeDepth = decodeDepth
		compared := 0
		for _, file := range rp.Files {
			data, err := os.ReadFile(filepath.Join(rp.Root, file))
			if err != nil || len(data) > MaxFileSize || isBinary(data) {
				continue
			}
			text := string(data)
			want := findingKeys(plain.DetectContext(context.Background(), detect.Fragment{Raw: text, FilePath: file, StartLine: 1}))
			got := findingKeys(s.find(context.Background(), file, text))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s: %s (-gitleaks +scanner):\n%s", name, file, diff)
			}
			compared++
		}
		// A configuration that replaces the generic rule takes the plain path.
		if (s.fast == nil) != (name == "gitleaks-replace") {
			t.Errorf("%s: fast path in use: %v", name, s.fast != nil)
		}
		t.Logf("%s: %d files compared", name, compared)
	}
}

// findingKeys identifies findings by rule and position, and by hashes of
// what they matched so that a difference is seen without being printed.
func findingKeys(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s %d:%d-%d:%d secret %x match %x", f.RuleID, f.StartLine, f.StartColumn, f.EndLine, f.EndColumn,
			sha256.Sum256([]byte(f.Secret)), sha256.Sum256([]byte(f.Match))))
	}
	slices.Sort(out)
	return out
}
