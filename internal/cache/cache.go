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
package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// formatVersion changes when the entry layout does: older entries then
// stop decoding into a valid entry and are ignored.
const formatVersion = 1

// Cache is a directory of entries. A nil *Cache caches nothing.
type Cache struct {
	dir string
	// MaxBytes bounds the directory's size; Prune removes the least
	// recently used entries beyond it.
	MaxBytes int64
}

// DefaultDir is the user cache directory's gitops-lint/results.
func DefaultDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(base, "gitops-lint", "results"), nil
}

// Open returns the cache in dir, creating it.
func Open(dir string) (*Cache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return &Cache{dir: dir, MaxBytes: 256 << 20}, nil
}

// Input is one file a target read and the hash of its content ("" when
// the file did not exist: creating it must invalidate the entry too).
type Input struct {
	File string `json:"file"`
	Hash string `json:"hash"`
}

// Entry is a target's cached result. Result is opaque to the cache.
type Entry struct {
	Version int             `json:"version"`
	Key     string          `json:"key"`
	Target  string          `json:"target"`
	Inputs  []Input         `json:"inputs"`
	Result  json.RawMessage `json:"result"`
}

func (c *Cache) path(key, target string) string {
	h := sha256.Sum256([]byte(key + "\x00" + target))
	name := hex.EncodeToString(h[:16]) + ".json"
	return filepath.Join(c.dir, name[:2], name)
}

// Get returns the entry of the target under key when every input still
// hashes as recorded; hash returns a file's current hash ("" when absent).
func (c *Cache) Get(key, target string, hash func(file string) string) (json.RawMessage, bool) {
	if c == nil {
		return nil, false
	}
	p := c.path(key, target)
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	var e Entry
	if json.Unmarshal(data, &e) != nil || e.Version != formatVersion || e.Key != key || e.Target != target || len(e.Result) == 0 {
		return nil, false // corrupt or foreign: never trusted
	}
	for _, in := range e.Inputs {
		if hash(in.File) != in.Hash {
			return nil, false
		}
	}
	now := time.Now()
	_ = os.Chtimes(p, now, now) // most recently used, for Prune
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
	inputs = slices.Clone(inputs)
	slices.SortFunc(inputs, func(a, b Input) int { return strings.Compare(a.File, b.File) })
	data, err := json.Marshal(Entry{Version: formatVersion, Key: key, Target: target, Inputs: inputs, Result: raw})
	if err != nil {
		return err
	}
	p := c.path(key, target)
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
// within MaxBytes. Entries another run removes meanwhile are skipped.
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
	err := filepath.WalkDir(c.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		info, err := d.Info()
		if err != nil {
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

// Hasher hashes repository files once per run, however many entries list
// them. It is safe for concurrent use.
type Hasher struct {
	root string
	mu   sync.Mutex
	seen map[string]string
}

// NewHasher hashes files under root.
func NewHasher(root string) *Hasher {
	return &Hasher{root: root, seen: map[string]string{}}
}

// Hash returns the hex SHA-256 of a repository file's content, "" when it
// cannot be read (absent).
func (h *Hasher) Hash(file string) string {
	h.mu.Lock()
	v, ok := h.seen[file]
	h.mu.Unlock()
	if ok {
		return v
	}
	v = ""
	abs := filepath.Join(h.root, filepath.FromSlash(file))
	if fi, err := os.Stat(abs); err == nil && fi.Size() > manifest.MaxFileSize {
		// No reader of the run opens it; only its size (over the limit
		// or not) can change a result.
		v = fmt.Sprintf("too-large:%d", fi.Size())
	} else if data, err := os.ReadFile(abs); err == nil {
		sum := sha256.Sum256(data)
		v = hex.EncodeToString(sum[:])
	}
	h.mu.Lock()
	h.seen[file] = v
	h.mu.Unlock()
	return v
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
