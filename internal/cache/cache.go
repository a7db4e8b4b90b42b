// Package cache keeps each target's check results on disk between runs,
// so that a target none of whose inputs changed is never rendered again.
//
// An entry holds a target's findings and the list of files its render
// read, each with the hash of its content; it never holds rendered
// manifests, so no secret value is written outside the repository (the
// findings' messages are redacted where they are made). An entry is found
// by the target's path and a key that covers everything else a result
// depends on (tool version, configuration, policies, schemas, options),
// and it is valid only while every file it lists still hashes the same.
//
// Entries are written to a temporary file and renamed into place, so
// concurrent runs never see half an entry; an entry that does not decode
// is treated as absent. The directory is kept under a size bound by
// removing the least recently used entries.
//
// The cache only ever deletes files it wrote. The directory the user names
// (--cache-dir) may hold anything else: entries live in its subdirectory
// named OwnedDir, which the cache creates with a CACHEDIR.TAG marker and
// refuses to use when the marker is missing; pruning walks only that
// subdirectory, never follows a symlink, and removes only regular files
// whose names match the entry pattern. A cache directory that is the
// repository or contains it is refused outright (CheckDir).
//
// Entries are read like repository files: regular files only, bounded in
// size, and an entry whose recorded inputs leave the repository is
// refused, never hashed.
package cache

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// formatVersion changes when the entry layout does: older entries then
// stop decoding into a valid entry and are ignored.
const formatVersion = 2

// OwnedDir is the subdirectory of the cache directory that holds the
// entries, the only place the cache writes or deletes.
const OwnedDir = "gitops-lint-results"

// markerFile and marker identify OwnedDir as ours; the signature line is
// the Cache Directory Tagging Specification's, so backup tools skip it.
const (
	markerFile = "CACHEDIR.TAG"
	marker     = "Signature: 8a477f597d28d172789f06886806bc55\n# gitops-lint result cache: every file here may be deleted.\n"
)

// maxEntryBytes bounds an entry read back: findings of one target are
// kilobytes, and a planted entry must not cost gigabytes.
const maxEntryBytes = 16 << 20

// entryName and tempName are the names of the files the cache writes,
// relative to OwnedDir: pruning deletes nothing else.
var (
	entryName = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{32}\.json$`)
	tempName  = regexp.MustCompile(`^[0-9a-f]{2}/\.tmp-[0-9]+$`)
	shardName = regexp.MustCompile(`^[0-9a-f]{2}$`)
)

// Cache is a directory of entries. A nil *Cache caches nothing.
type Cache struct {
	dir string // OwnedDir inside the directory the user named
	// Remote, when set, is asked for the entries the directory lacks and
	// given every entry written (see Remote).
	Remote *Remote
	// MaxBytes bounds the directory's size; Prune removes the least
	// recently used entries beyond it.
	MaxBytes int64
}

// DefaultDir is the user cache directory's gitops-lint.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "gitops-lint"), nil
}

// CheckDir refuses a cache directory that is the repository root or
// contains it: the cache would then hold, and prune, the repository's own
// files' neighbours. Either may not exist yet.
func CheckDir(dir, root string) error {
	d, err := resolveExisting(dir)
	if err != nil {
		return err
	}
	r, err := resolveExisting(root)
	if err != nil {
		return err
	}
	if rootfs.Within(d, r) {
		return fmt.Errorf("cache directory %s is the repository or contains it; name a directory of its own", dir)
	}
	return nil
}

// resolveExisting makes p absolute and resolves the symlinks of its
// longest existing prefix.
func resolveExisting(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for d := abs; ; d = filepath.Dir(d) {
		if r, err := filepath.EvalSymlinks(d); err == nil {
			slices.Reverse(rest)
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if filepath.Dir(d) == d {
			return abs, nil
		}
		rest = append(rest, filepath.Base(d))
	}
}

// Open returns the cache in dir's OwnedDir, creating both. It refuses a
// dir that is or contains root (see CheckDir), and an OwnedDir that is a
// symlink or lacks the marker: that directory is not one the cache made.
func Open(dir, root string) (*Cache, error) {
	if err := CheckDir(dir, root); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	owned := filepath.Join(dir, OwnedDir)
	if _, err := os.Lstat(owned); errors.Is(err, fs.ErrNotExist) {
		if err := create(dir, owned); err != nil {
			return nil, err
		}
	}
	if fi, err := os.Lstat(owned); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s is not a directory gitops-lint made", owned)
	}
	if data, err := rootfs.ReadRegular(filepath.Join(owned, markerFile), 1<<10); err != nil || !bytes.Equal(data, []byte(marker)) {
		return nil, fmt.Errorf("%s has no gitops-lint %s: not using it", owned, markerFile)
	}
	return &Cache{dir: owned, MaxBytes: 256 << 20}, nil
}

// create makes owned with its marker in one rename, so that a concurrent
// run never sees the directory without it.
func create(dir, owned string) error {
	tmp, err := os.MkdirTemp(dir, "."+OwnedDir+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone after a successful rename; ours alone otherwise
	if err := os.WriteFile(filepath.Join(tmp, markerFile), []byte(marker), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, owned); err != nil {
		if _, lerr := os.Lstat(owned); lerr == nil {
			return nil // another run made it first
		}
		return err
	}
	return nil
}

// Input is one file a target read and the hash of its content ("" when
// the file did not exist: creating it must invalidate the entry too).
type Input struct {
	File string `json:"file"`
	Hash string `json:"hash"`
}

// Entry is a target's cached result. Result is opaque to the cache.
type Entry struct {
	Version int     `json:"version"`
	Key     string  `json:"key"`
	Target  string  `json:"target"`
	Inputs  []Input `json:"inputs"`
	// Sum is the hash of Key, Target, Inputs and Result: an entry a disk
	// or a bucket damaged in a way JSON still decodes is not trusted.
	Sum    string          `json:"sum"`
	Result json.RawMessage `json:"result"`
}

// sum is the hash an intact entry records in Sum.
func (e *Entry) sum() string {
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%s\x00%s\x00", e.Version, e.Key, e.Target)
	for _, in := range e.Inputs {
		fmt.Fprintf(h, "%s\x00%s\x00", in.File, in.Hash)
	}
	h.Write(e.Result)
	return hex.EncodeToString(h.Sum(nil))
}

// name is the entry's name relative to OwnedDir (slash-separated), which
// is also its object name in the bucket.
func name(key, target string) string {
	h := sha256.Sum256([]byte(key + "\x00" + target))
	n := hex.EncodeToString(h[:16]) + ".json"
	return n[:2] + "/" + n
}

func (c *Cache) path(key, target string) string {
	return filepath.Join(c.dir, filepath.FromSlash(name(key, target)))
}

// remoteName is the entry's object name in the bucket: under the format
// version, so that releases with other layouts share a bucket.
func remoteName(key, target string) string {
	return fmt.Sprintf("%s/v%d/%s", OwnedDir, formatVersion, name(key, target))
}

// Get returns the entry of the target under key when every input still
// hashes as recorded; hash returns a file's current hash ("" when absent).
func (c *Cache) Get(key, target string, hash func(file string) string) (json.RawMessage, bool) {
	if c == nil {
		return nil, false
	}
	p := c.path(key, target)
	if data, err := rootfs.ReadRegular(p, maxEntryBytes); err == nil {
		if result, ok := check(data, key, target, hash); ok {
			now := time.Now()
			_ = os.Chtimes(p, now, now) // most recently used, for Prune
			return result, true
		}
	}
	if c.Remote == nil {
		return nil, false
	}
	data := c.Remote.read(remoteName(key, target))
	result, ok := check(data, key, target, hash)
	if ok {
		_ = c.writeLocal(p, data) // the next run on this machine needs no bucket
	}
	return result, ok
}

// check decodes an entry and returns its result when it is intact, is the
// entry of key and target, and every input still hashes as recorded.
func check(data []byte, key, target string, hash func(file string) string) (json.RawMessage, bool) {
	var e Entry
	if len(data) == 0 || json.Unmarshal(data, &e) != nil || e.Version != formatVersion || e.Key != key || e.Target != target || len(e.Result) == 0 || e.Sum != e.sum() {
		return nil, false // corrupt or foreign: never trusted
	}
	for _, in := range e.Inputs {
		if !LocalPath(in.File) {
			return nil, false // planted: an input outside the repository is never read
		}
	}
	for _, in := range e.Inputs {
		if hash(in.File) != in.Hash || in.Hash == rootfs.Unstable {
			return nil, false
		}
	}
	return e.Result, true
}

// Put stores the target's result with its inputs. Errors are returned for
// the caller to ignore: a cache that cannot be written only makes the
// next run slower.
func (c *Cache) Put(key, target string, inputs []Input, result any) error {
	if c == nil {
		return nil
	}
	raw, err := json.Marshal(result)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if !LocalPath(in.File) {
			return fmt.Errorf("input %q is not a repository path", in.File)
		}
		if in.Hash == rootfs.Unstable {
			return nil // changed while it was read: nothing to trust later
		}
	}
	inputs = slices.Clone(inputs)
	slices.SortFunc(inputs, func(a, b Input) int { return strings.Compare(a.File, b.File) })
	e := Entry{Version: formatVersion, Key: key, Target: target, Inputs: inputs, Result: raw}
	e.Sum = e.sum()
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if c.Remote != nil {
		c.Remote.write(remoteName(key, target), data)
	}
	return c.writeLocal(c.path(key, target), data)
}

// writeLocal writes an entry to a temporary file and renames it into
// place, so that a concurrent run never reads half an entry.
func (c *Cache) writeLocal(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}

// Prune removes the least recently used entries until the directory is
// within MaxBytes. Entries another run removes meanwhile are skipped. It
// walks OwnedDir only, follows no symlink, and considers only regular
// files named like an entry or a temporary file the cache writes: a file
// it did not write is never counted or removed.
func (c *Cache) Prune() error {
	if c == nil || c.MaxBytes <= 0 {
		return nil
	}
	type file struct {
		path string
		size int64
		used time.Time
	}
	var files []file
	var total int64
	stale := time.Now().Add(-time.Hour) // a temporary file older than this lost its run
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, rerr := filepath.Rel(c.dir, p)
		if rerr != nil {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && !shardName.MatchString(rel) {
				return filepath.SkipDir
			}
			return nil
		}
		// WalkDir reports a symlink as one and never follows it.
		if !d.Type().IsRegular() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return nil
		}
		switch {
		case entryName.MatchString(rel):
		case tempName.MatchString(rel) && info.ModTime().Before(stale):
		default:
			return nil
		}
		files = append(files, file{path: p, size: info.Size(), used: info.ModTime()})
		total += info.Size()
		return nil
	})
	if err != nil || total <= c.MaxBytes {
		return err
	}
	slices.SortFunc(files, func(a, b file) int { return a.used.Compare(b.used) })
	for _, f := range files {
		if total <= c.MaxBytes {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
	return nil
}

// LocalPath reports whether file is a clean, slash-separated path inside
// the repository: not absolute, no "..", no backslash or NUL.
func LocalPath(file string) bool {
	return file != "" && path.Clean(file) == file && filepath.IsLocal(file) && !path.IsAbs(file) &&
		!strings.ContainsAny(file, "\\\x00") && file != "." && !strings.HasPrefix(file, "../")
}

// Key hashes the parts of a result's context into a cache key.
func Key(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}
