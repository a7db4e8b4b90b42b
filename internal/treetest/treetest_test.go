package treetest

import (
	"os"
	"path/filepath"
	"testing"
)

func TestNewWritesEveryFile(t *testing.T) {
	files := map[string]string{"a.yaml": "a: 1\n", "deep/er/b.yaml": "b: 2\n", "empty": ""}
	root := New(t, files)
	for name, want := range files {
		got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(name)))
		if err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", name, got, err, want)
		}
	}
}
