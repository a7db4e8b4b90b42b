package rootfs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// TreeFile is one file of a path a user named, read confined.
type TreeFile struct {
	// Name is the path as the user would write it: the given path joined
	// with Rel.
	Name string
	// Rel is slash-separated and relative to the given path, "" for a
	// file given itself.
	Rel  string
	Data []byte
}

// ReadTree reads the file p, or the files under the directory p whose
// names keep accepts (directories whose names start with a dot are
// skipped), the way every other file of a run is read: regular files only,
// bounded, and confined. A path inside the repository root is confined to
// the repository; any other path, which only the command line can name
// (the configuration file cannot point outside), to itself. A symlink
// that leaves that confinement is an error naming the link: a committed
// link in a policy data or CRD directory must not put a file from
// elsewhere on this machine into the run, and from there into findings.
// Policies, policy data and CRD paths are read with it.
func ReadTree(root, p string, keep func(name string) bool) ([]TreeFile, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return nil, err
	}
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	fsys, err := confinement(root, resolved)
	if err != nil {
		return nil, err
	}
	info, err := fsys.Stat(resolved)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		data, err := fsys.ReadFile(resolved)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		return []TreeFile{{Name: filepath.ToSlash(p), Data: data}}, nil
	}
	var out []TreeFile
	err = filepath.WalkDir(resolved, func(f string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(resolved, f)
		rel = filepath.ToSlash(rel)
		name := path.Join(filepath.ToSlash(p), rel)
		if d.IsDir() {
			if f != resolved && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			return nil
		}
		if !keep(d.Name()) {
			return nil
		}
		data, err := fsys.ReadFile(f)
		switch {
		case errors.Is(err, ErrOutside):
			return fmt.Errorf("%s: symlink resolves outside %s; it is not read", name, describeConfinement(root, resolved, fsys))
		case errors.Is(err, ErrNotRegular) && d.Type()&fs.ModeSymlink != 0 && isDir(fsys, f):
			return nil // a link to a directory: not followed, as before
		case err != nil:
			return fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, TreeFile{Name: name, Rel: rel, Data: data})
		return nil
	})
	return out, err
}

// confinement is the filesystem a policy or data path is read through.
func confinement(root, resolved string) (*FS, error) {
	if root != "" {
		if r, err := New(root); err == nil && Within(r.Root(), resolved) {
			return r, nil
		}
	}
	if info, err := os.Stat(resolved); err == nil && !info.IsDir() {
		return New(filepath.Dir(resolved)) // a file given itself: its directory
	}
	return New(resolved)
}

func describeConfinement(root, resolved string, fsys *FS) string {
	if root != "" && fsys.Root() != resolved {
		return "the repository"
	}
	return "the directory given"
}

func isDir(fsys *FS, f string) bool {
	info, err := fsys.Stat(f)
	return err == nil && info.IsDir()
}
