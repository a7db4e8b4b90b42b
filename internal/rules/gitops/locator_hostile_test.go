//go:build unix

package gitops

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestGitFilesAreReadBounded: a repository shipped with a .git whose
// files are links to /dev/zero or FIFOs must neither hang nor exhaust
// memory when the remotes are looked up; it simply has none.
func TestGitFilesAreReadBounded(t *testing.T) {
	tests := []struct {
		name  string
		plant func(t *testing.T, gitDir string)
	}{
		{name: "config is /dev/zero", plant: func(t *testing.T, gitDir string) {
			if err := os.Symlink("/dev/zero", filepath.Join(gitDir, "config")); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "config is a FIFO", plant: func(t *testing.T, gitDir string) {
			if err := syscall.Mkfifo(filepath.Join(gitDir, "config"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "commondir is /dev/stdin", plant: func(t *testing.T, gitDir string) {
			if err := os.Symlink("/dev/stdin", filepath.Join(gitDir, "commondir")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			top := t.TempDir()
			gitDir := filepath.Join(top, ".git")
			if err := os.Mkdir(gitDir, 0o755); err != nil {
				t.Fatal(err)
			}
			tc.plant(t, gitDir)
			gotTop, gotDir := findGit(filepath.Join(top))
			if gotTop != top || gotDir != gitDir {
				t.Fatalf("findGit = %s, %s", gotTop, gotDir)
			}
			if urls := remotes(gotDir); len(urls) != 0 {
				t.Errorf("remotes = %v, want none", urls)
			}
		})
	}
}
