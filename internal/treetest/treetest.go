// Package treetest writes the file trees that tests run gitops-lint on.
package treetest

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes files, by slash-separated path relative to root, under
// root, making the directories they need.
func Write(tb testing.TB, root string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// New writes files into a new temporary directory and returns it.
func New(tb testing.TB, files map[string]string) string {
	tb.Helper()
	root := tb.TempDir()
	Write(tb, root, files)
	return root
}
