package suppress

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// FuzzScanFile feeds files to the suppression-comment scanner: it must
// never panic, and every directive it finds is on a line of the file.
func FuzzScanFile(f *testing.F) {
	_ = filepath.WalkDir(filepath.Join("..", "..", "testdata", "repos"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(Marker)) {
			f.Add(data)
		}
		return nil
	})
	f.Add([]byte("a: 1 # " + Marker + " host-network -- reason\n# " + Marker + "-next-line rule\nb: 2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, d := range ScanFile("f.yaml", data) {
			if d.At.Line < 1 || d.At.Line > lines+1 {
				t.Fatalf("directive at line %d of a file of %d lines", d.At.Line, lines)
			}
		}
	})
}
