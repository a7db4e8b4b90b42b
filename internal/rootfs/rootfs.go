// Package rootfs is the one way gitops-lint reads a file: confined to the
// repository root, regular files only, bounded in size, and remembering
// the hash of every byte it handed out.
//
// The contract, for every file the tool opens itself (kustomizations,
// manifests, .gitignore, .gitleaks.toml, .sops.yaml, policies, CRDs, the
// configuration file) and for every file kustomize reads through the
// render sandbox:
//
//   - a name is resolved against the root, symlinks included, and anything
//     that lands outside the root is refused before it is opened, with an
//     error that wraps ErrOutside and names the link, never its target;
//   - the file is opened without following a symlink (the resolved path has
//     none) and without blocking, and anything but a regular file (a
//     device, a FIFO, a socket: /dev/zero, /dev/stdin) is refused with
//     ErrNotRegular before a byte is read;
//   - at most Limit bytes are read; a larger file is refused with
//     ErrTooLarge;
//   - the SHA-256 of the bytes read is remembered, so the result cache
//     records what a render actually saw, not what the file holds later.
package rootfs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// DefaultLimit bounds a single read: manifest.MaxFileSize, the size over
// which no reader of the run opens a file (discovery reports it once).
// Manifests, kustomizations and settings files are kilobytes; a file this
// large is an attack or a mistake, and reading it whole would cost
// gigabytes of memory.
const DefaultLimit = manifest.MaxFileSize

// Errors a read wraps, for errors.Is.
var (
	// ErrOutside says a path, or the symlink it goes through, leaves the root.
	ErrOutside = errors.New("path is outside the repository")
	// ErrNotRegular says the path is a device, FIFO, socket or directory.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge says the file is over the read limit.
	ErrTooLarge = errors.New("file is over the size limit")
)

// Unstable is the hash of a file whose content changed between two reads
// of one run: it never equals a file's hash, so nothing cached from that
// run is trusted later.
const Unstable = "unstable"

// FS reads files under one root. The zero value is not usable; call New.
// It is safe for concurrent use.
type FS struct {
	root string // absolute, symlinks resolved
	// Limit bounds every read, in bytes.
	Limit int64
	// KeepLimit bounds, in bytes, what the FS keeps in memory of the
	// files it read (see ReadFile); 0 keeps nothing.
	KeepLimit int64

	mu     sync.Mutex
	hashes map[string]string // repository-relative name → hash of what was read
	dirs   map[string]string // absolute directory → its resolved path, under the root
	// kept holds what small files held when first read, so that the
	// run's other readers of a file (hashing for the cache, the
	// credential scan, the suppression scan, discovery's generator
	// checks) neither resolve nor open it again; keptBytes bounds it.
	kept      map[string][]byte
	keptBytes int64
}

// Bounds of what an FS keeps of the files it read: manifests and the
// inputs of generators are kilobytes, and a run over the largest
// repositories must stay well under its memory budget.
const (
	keepFileMax = 1 << 20
	// DefaultKeepLimit is New's KeepLimit.
	DefaultKeepLimit = 64 << 20
)

// New returns the filesystem of the directory root.
func New(root string) (*FS, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if abs, err = filepath.EvalSymlinks(abs); err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("repository root %s is not a directory", root)
	}
	return &FS{root: abs, Limit: DefaultLimit, KeepLimit: DefaultKeepLimit, hashes: map[string]string{}, dirs: map[string]string{}, kept: map[string][]byte{}}, nil
}

// Root is the absolute root with symlinks resolved.
func (f *FS) Root() string { return f.root }

// Rel names an absolute path under the root relative to it, slash
// separated; anything else by its base name, so that no error ever prints
// where something outside the repository lives.
func (f *FS) Rel(abs string) string {
	if Within(f.root, abs) {
		r, _ := filepath.Rel(f.root, abs)
		return filepath.ToSlash(r)
	}
	return filepath.Base(abs)
}

// abs turns a name (repository-relative and slash-separated, or absolute)
// into a clean absolute path, refusing one that leaves the root lexically.
func (f *FS) abs(name string) (string, error) {
	p := name
	if !filepath.IsAbs(p) {
		p = filepath.Join(f.root, filepath.FromSlash(name))
	}
	p = filepath.Clean(p)
	if !Within(f.root, p) {
		return "", &fs.PathError{Op: "open", Path: f.displayName(name), Err: ErrOutside}
	}
	return p, nil
}

// displayName is what an error calls a name given by a caller: relative
// names as given, absolute ones relative to the root or by base name.
func (f *FS) displayName(name string) string {
	if filepath.IsAbs(name) {
		return f.Rel(filepath.Clean(name))
	}
	return filepath.ToSlash(name)
}

// Resolve returns the absolute path, symlinks resolved, that name stands
// for. A path that leaves the root, directly or through a symlink, is
// refused with ErrOutside; a path that does not exist is returned
// unresolved with an error wrapping fs.ErrNotExist.
//
// Renders ask for the same directories thousands of times, so the
// directory part is resolved once per FS and only the last element is
// looked at on each call; a last element that is itself a symlink takes
// the full resolution.
func (f *FS) Resolve(name string) (string, error) {
	p, err := f.abs(name)
	if err != nil {
		return "", err
	}
	if p == f.root {
		return p, nil
	}
	dir, base := filepath.Split(p)
	rdir, ok := f.resolvedDir(dir)
	if !ok {
		return f.resolveFull(p)
	}
	candidate := filepath.Join(rdir, base)
	fi, err := os.Lstat(candidate)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return p, &fs.PathError{Op: "open", Path: f.Rel(p), Err: fs.ErrNotExist}
	case err != nil || fi.Mode()&fs.ModeSymlink != 0:
		return f.resolveFull(p)
	}
	return candidate, nil
}

// resolvedDir returns a directory's symlink-free path when it exists
// under the root, remembering it; false sends the caller to the full
// resolution, which reports why.
func (f *FS) resolvedDir(dir string) (string, bool) {
	dir = filepath.Clean(dir)
	f.mu.Lock()
	r, ok := f.dirs[dir]
	f.mu.Unlock()
	if ok {
		return r, true
	}
	// The parent is resolved (and remembered) first, so that each
	// directory costs one lstat however deep it lies, not one per
	// element of its path.
	if dir == f.root {
		return dir, true
	}
	if !Within(f.root, dir) {
		return "", false
	}
	parent, ok := f.resolvedDir(filepath.Dir(dir))
	if !ok {
		return "", false
	}
	r = filepath.Join(parent, filepath.Base(dir))
	fi, err := os.Lstat(r)
	switch {
	case err != nil:
		return "", false
	case fi.Mode()&fs.ModeSymlink != 0:
		if r, err = filepath.EvalSymlinks(r); err != nil || !Within(f.root, r) {
			return "", false
		}
	case !fi.IsDir():
		return "", false
	}
	f.mu.Lock()
	f.dirs[dir] = r
	f.mu.Unlock()
	return r, true
}

// resolveFull resolves every element of p, for the paths the per-directory
// shortcut does not settle: a missing or escaping directory, a symlinked
// last element.
func (f *FS) resolveFull(p string) (string, error) {
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return p, &fs.PathError{Op: "open", Path: f.Rel(p), Err: fs.ErrNotExist}
		}
		return "", &fs.PathError{Op: "open", Path: f.Rel(p), Err: errors.Unwrap(err)}
	}
	if !Within(f.root, resolved) {
		return "", &fs.PathError{Op: "open", Path: f.Rel(p), Err: fmt.Errorf("%w: it is a symlink to a path outside it", ErrOutside)}
	}
	return resolved, nil
}

// Stat returns the file information of what name resolves to, confined
// like Resolve.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	p, err := f.Resolve(name)
	if err != nil {
		return nil, err
	}
	return os.Stat(p)
}

// ReadDir lists a directory confined like Resolve; entries are not
// resolved (a symlink entry is reported as one).
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := f.Resolve(name)
	if err != nil {
		return nil, err
	}
	return os.ReadDir(p)
}

// ReadFile reads a regular file under the root, at most Limit bytes, and
// remembers the hash of what it read. A small file read before in this
// run is answered from memory, as it was then: every reader of a run sees
// one content, the one its hash stands for.
func (f *FS) ReadFile(name string) ([]byte, error) {
	p, err := f.abs(name)
	if err != nil {
		return nil, err
	}
	rel := f.Rel(p)
	f.mu.Lock()
	data, ok := f.kept[rel]
	f.mu.Unlock()
	if ok {
		return bytes.Clone(data), nil // the caller may change its copy
	}
	data, err = f.read(name, p)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			pe.Path = rel // the name the caller knows, never a resolved target
		}
		return nil, err
	}
	sum := sha256.Sum256(data)
	f.remember(rel, hex.EncodeToString(sum[:]), data)
	return data, nil
}

// read reads what name, at the clean absolute path p, resolves to.
// Renders read thousands of files in directories already resolved: such
// a file is opened in its directory's resolved path at once, without
// following a symlink, which spares the look at it that Resolve takes
// first. Whatever that open refuses (a symlink, a missing file, a FIFO)
// goes through Resolve, which says why as it always did.
func (f *FS) read(name, p string) ([]byte, error) {
	if p != f.root {
		dir, base := filepath.Split(p)
		if rdir, ok := f.resolvedDir(dir); ok {
			if data, err := ReadRegular(filepath.Join(rdir, base), f.Limit); err == nil {
				return data, nil
			}
		}
	}
	resolved, err := f.Resolve(name)
	if err != nil {
		return nil, err
	}
	return ReadRegular(resolved, f.Limit)
}

func (f *FS) remember(rel, hash string, data []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if old, ok := f.hashes[rel]; ok && old != hash {
		hash = Unstable
	}
	f.hashes[rel] = hash
	if n := int64(len(data)); hash != Unstable && n <= keepFileMax && f.keptBytes+n <= f.KeepLimit {
		f.kept[rel] = bytes.Clone(data)
		f.keptBytes += n
	}
}

// Hash returns the hex SHA-256 of the content of a repository-relative
// file as this run first read it, reading it now if it was not read yet;
// "" when it cannot be read, and Unstable when two reads saw different
// content.
func (f *FS) Hash(rel string) string {
	f.mu.Lock()
	h, ok := f.hashes[rel]
	f.mu.Unlock()
	if ok {
		return h
	}
	if _, err := f.ReadFile(rel); err != nil {
		f.mu.Lock()
		defer f.mu.Unlock()
		if h, ok := f.hashes[rel]; ok {
			return h
		}
		f.hashes[rel] = ""
		return ""
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hashes[rel]
}

// ReadRegular reads the file at path, which must not be a symlink
// (resolve it first), when it is a regular file of at most limit bytes.
// It never blocks on a FIFO or a device: they are refused before any read.
func ReadRegular(path string, limit int64) ([]byte, error) {
	fh, err := openNoFollow(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	regular, size, err := fh.stat()
	if err != nil {
		return nil, err
	}
	name := filepath.Base(path)
	if !regular {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	if size > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w: %d MiB over %d MiB", ErrTooLarge, size>>20, limit>>20)}
	}
	// The size can grow between stat and the read: bound the read itself.
	// Room for the size read at once, and for the empty read after it
	// that finds the end (bytes.MinRead): a run reads thousands of small
	// files, and growing a buffer from nothing for each showed in
	// profiles.
	var b bytes.Buffer
	b.Grow(int(size) + bytes.MinRead)
	if _, err := b.ReadFrom(io.LimitReader(fh, limit+1)); err != nil {
		return nil, err
	}
	data := b.Bytes()
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fmt.Errorf("%w of %d MiB", ErrTooLarge, limit>>20)}
	}
	return data, nil
}

// file is a file opened by openNoFollow.
type file interface {
	io.ReadCloser
	// stat says whether the file is a regular one, and its size.
	stat() (regular bool, size int64, err error)
}

// Within reports whether the clean absolute path p is root or below it.
func Within(root, p string) bool {
	if p == root {
		return true
	}
	if strings.HasSuffix(root, string(filepath.Separator)) {
		return strings.HasPrefix(p, root)
	}
	return strings.HasPrefix(p, root+string(filepath.Separator))
}
