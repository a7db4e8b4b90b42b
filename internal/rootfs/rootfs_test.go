//go:build unix

package rootfs

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadFileIsConfinedRegularAndBounded plants every kind of hostile
// entry a repository can hold and checks what each read returns; none may
// hang, read outside the root or read past the limit.
func TestReadFileIsConfinedRegularAndBounded(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	outside := filepath.Join(base, "outside.txt")
	write(t, outside, "outside-marker")
	write(t, filepath.Join(root, "ok.yaml"), "a: 1\n")
	write(t, filepath.Join(root, "big.yaml"), strings.Repeat("x", 2048))
	write(t, filepath.Join(root, "sub", "ok.yaml"), "b: 2\n")
	links := map[string]string{
		"up.yaml":     outside,
		"rel-up.yaml": "../outside.txt",
		"zero.yaml":   "/dev/zero",
		"stdin.yaml":  "/dev/stdin",
		"inside.yaml": "ok.yaml",
		"dir-up":      base,
		"dir-in":      "sub",
		"sub/up.yaml": "../../outside.txt",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(root, "fifo.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	fsys, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	fsys.Limit = 1024
	tests := []struct {
		name    string
		want    string
		wantErr error
	}{
		{name: "ok.yaml", want: "a: 1\n"},
		{name: "inside.yaml", want: "a: 1\n"},
		{name: filepath.Join(root, "ok.yaml"), want: "a: 1\n"},
		{name: "up.yaml", wantErr: ErrOutside},
		{name: "rel-up.yaml", wantErr: ErrOutside},
		{name: "zero.yaml", wantErr: ErrOutside},
		{name: "stdin.yaml", wantErr: ErrOutside},
		{name: "dir-up/outside.txt", wantErr: ErrOutside},
		// Directories are resolved once and remembered: the same
		// directory asked for again, through a link or not, stays
		// confined, and a symlinked last element is still followed.
		{name: "sub/ok.yaml", want: "b: 2\n"},
		{name: "dir-in/ok.yaml", want: "b: 2\n"},
		{name: "dir-in/up.yaml", wantErr: ErrOutside},
		{name: "sub/up.yaml", wantErr: ErrOutside},
		{name: "dir-up/outside.txt", wantErr: ErrOutside},
		{name: "missing/x.yaml", wantErr: fs.ErrNotExist},
		{name: "../outside.txt", wantErr: ErrOutside},
		{name: outside, wantErr: ErrOutside},
		{name: "fifo.yaml", wantErr: ErrNotRegular},
		{name: ".", wantErr: ErrNotRegular},
		{name: "big.yaml", wantErr: ErrTooLarge},
		{name: "missing.yaml", wantErr: fs.ErrNotExist},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := fsys.ReadFile(tc.name)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), base) {
					t.Errorf("the error names where things live on this machine: %v", err)
				}
				return
			}
			if err != nil || string(data) != tc.want {
				t.Fatalf("ReadFile = %q, %v; want %q", data, err, tc.want)
			}
		})
	}
}

// TestHashIsWhatWasRead: the hash of a file is that of the bytes first
// read, and a file seen with two contents in one run is Unstable.
func TestHashIsWhatWasRead(t *testing.T) {
	root := t.TempDir()
	p := filepath.Join(root, "a.yaml")
	write(t, p, "v: 1\n")
	fsys, err := New(root)
	if err != nil {
		t.Fatal(err)
	}
	fsys.KeepLimit = 0 // read the disk each time, as for a file too large to keep
	if fsys.Hash("missing.yaml") != "" {
		t.Error("a missing file has a hash")
	}
	if _, err := fsys.ReadFile("a.yaml"); err != nil {
		t.Fatal(err)
	}
	first := fsys.Hash("a.yaml")
	write(t, p, "v: 2\n") // edited after the read
	if got := fsys.Hash("a.yaml"); got != first {
		t.Errorf("Hash after an edit = %s, want the hash of what was read (%s)", got, first)
	}
	if _, err := fsys.ReadFile("a.yaml"); err != nil {
		t.Fatal(err)
	}
	if got := fsys.Hash("a.yaml"); got != Unstable {
		t.Errorf("Hash of a file read with two contents = %s, want %s", got, Unstable)
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReadFileKeepsWhatItRead: a small file is read from disk once per
// FS; the later readers of the run get the same bytes (their own copy)
// without opening it, and an FS that keeps nothing reads the disk again.
func TestReadFileKeepsWhatItRead(t *testing.T) {
	for _, tc := range []struct {
		name      string
		keepLimit int64
		wantAfter string // what a second read gives once the file is gone
		wantErr   bool
	}{
		{name: "kept", keepLimit: DefaultKeepLimit, wantAfter: "v: 1\n"},
		{name: "nothing kept", keepLimit: 0, wantErr: true},
		{name: "over the bound", keepLimit: 3, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, "a.yaml")
			write(t, p, "v: 1\n")
			fsys, err := New(root)
			if err != nil {
				t.Fatal(err)
			}
			fsys.KeepLimit = tc.keepLimit
			first, err := fsys.ReadFile("a.yaml")
			if err != nil {
				t.Fatal(err)
			}
			first[0] = 'x' // a caller's change stays in its copy
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			got, err := fsys.ReadFile("a.yaml")
			if tc.wantErr {
				if err == nil {
					t.Fatalf("second read = %q, want the missing file's error", got)
				}
				return
			}
			if err != nil || string(got) != tc.wantAfter {
				t.Fatalf("second read = %q, %v; want %q", got, err, tc.wantAfter)
			}
		})
	}
}
