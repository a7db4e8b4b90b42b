package repo

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addSeeds adds every file under dir that match accepts to the corpus.
func addSeeds(f *testing.F, dir string, match func(name string) bool) {
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !match(d.Name()) {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
		return nil
	})
}

// FuzzParseKustomization feeds kustomization files to the scanner that
// finds their references and edits: it must never panic, and every
// reference it finds must have a position in the file.
func FuzzParseKustomization(f *testing.F) {
	addSeeds(f, filepath.Join("..", "..", "testdata", "repos"), func(n string) bool { return n == "kustomization.yaml" })
	f.Add([]byte("resources: [a, b]\npatches:\n- path: p.yaml\n  target: {kind: Deployment}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k := &Kustomization{Dir: "app", File: "app/kustomization.yaml"}
		if err := parseKustomization(k, data); err != nil {
			return
		}
		for _, r := range k.Refs {
			if r.Pos.Line < 1 {
				t.Errorf("reference %q without a line", r.Value)
			}
		}
	})
}

// FuzzParseEnv feeds env files to the parser: it must never panic, keep
// lines increasing, and return values that are in the file.
func FuzzParseEnv(f *testing.F) {
	addSeeds(f, filepath.Join("..", ".."), func(n string) bool { return strings.HasSuffix(n, ".env") })
	f.Add([]byte("\xef\xbb\xbfA=1\n# c\n  B\nC==x\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		for _, v := range ParseEnv(data) {
			if v.Line <= last {
				t.Fatalf("line %d after %d", v.Line, last)
			}
			last = v.Line
			if !strings.Contains(string(data), v.Key) || !strings.Contains(string(data), v.Value) {
				t.Fatalf("entry %q=%q is not in the file", v.Key, v.Value)
			}
		}
	})
}
