package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// ErrOutsideRoot is returned for any access that would leave the repository.
var ErrOutsideRoot = errors.New("path is outside the repository")

// sandbox is a read-only kustomize filesystem confined to the repository
// root: it refuses absolute paths and '..' escapes outside the root and
// resolves symlinks before every access, so kustomize can never read a
// byte from outside. It records the files it hands out, which is the set
// of files a render depends on.
type sandbox struct {
	root string // absolute, symlinks resolved
	disk filesys.FileSystem

	// override replaces the content of files (by absolute path) without
	// touching the user's copy, e.g. to enable origin annotations.
	override map[string][]byte

	mu    sync.Mutex
	reads map[string]bool
	// refused is the first file refused for its content (an alias bomb):
	// kustomize only passes on the error's text, and the finding needs
	// its position.
	refused *manifest.SyntaxError
}

func newSandbox(root string, override map[string][]byte) *sandbox {
	return &sandbox{root: root, disk: filesys.MakeFsOnDisk(), override: override, reads: map[string]bool{}}
}

// check resolves p against the root and refuses anything outside it.
func (s *sandbox) check(p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.root, p)
	}
	p = filepath.Clean(p)
	if !inside(s.root, p) {
		return "", fmt.Errorf("%w: %s", ErrOutsideRoot, s.rel(p))
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		// Missing paths are kustomize's to report; existence is checked
		// by the caller through the delegate.
		if errors.Is(err, fs.ErrNotExist) {
			return p, nil
		}
		return "", err
	}
	if !inside(s.root, resolved) {
		return "", fmt.Errorf("%w: %s is a symlink to a path outside it", ErrOutsideRoot, s.rel(p))
	}
	return p, nil
}

// rel names p relative to the root so that errors never print where the
// repository lives on this machine, or the absolute path of anything outside.
func (s *sandbox) rel(p string) string {
	if r, err := filepath.Rel(s.root, p); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.Base(p)
}

func inside(root, p string) bool {
	return p == root || strings.HasPrefix(p, root+string(filepath.Separator))
}

func (s *sandbox) record(p string) {
	s.mu.Lock()
	s.reads[p] = true
	s.mu.Unlock()
}

// Reads returns the absolute paths of the files read so far.
func (s *sandbox) Reads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.reads))
	for p := range s.reads {
		out = append(out, p)
	}
	return out
}

var errReadOnly = errors.New("gitops-lint renders read-only")

func (s *sandbox) Create(string) (filesys.File, error) { return nil, errReadOnly }
func (s *sandbox) Mkdir(string) error                  { return errReadOnly }
func (s *sandbox) MkdirAll(string) error               { return errReadOnly }
func (s *sandbox) RemoveAll(string) error              { return errReadOnly }
func (s *sandbox) WriteFile(string, []byte) error      { return errReadOnly }

func (s *sandbox) Open(p string) (filesys.File, error) {
	c, err := s.check(p)
	if err != nil {
		return nil, err
	}
	s.record(c)
	return s.disk.Open(c)
}

func (s *sandbox) IsDir(p string) bool {
	c, err := s.check(p)
	return err == nil && s.disk.IsDir(c)
}

func (s *sandbox) ReadDir(p string) ([]string, error) {
	c, err := s.check(p)
	if err != nil {
		return nil, err
	}
	return s.disk.ReadDir(c)
}

func (s *sandbox) CleanedAbs(p string) (filesys.ConfirmedDir, string, error) {
	c, err := s.check(p)
	if err != nil {
		return "", "", err
	}
	d, f, err := s.disk.CleanedAbs(c)
	if err != nil {
		return "", "", err
	}
	// The delegate resolves symlinks itself; re-check what it settled on.
	if !inside(s.root, string(d)) {
		return "", "", fmt.Errorf("%w: %s", ErrOutsideRoot, s.rel(string(d)))
	}
	return d, f, nil
}

func (s *sandbox) Exists(p string) bool {
	c, err := s.check(p)
	return err == nil && s.disk.Exists(c)
}

func (s *sandbox) Glob(pattern string) ([]string, error) {
	c, err := s.check(pattern)
	if err != nil {
		return nil, err
	}
	matches, err := s.disk.Glob(c)
	if err != nil {
		return nil, err
	}
	out := matches[:0]
	for _, m := range matches {
		if _, err := s.check(m); err == nil {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *sandbox) ReadFile(p string) ([]byte, error) {
	c, err := s.check(p)
	if err != nil {
		return nil, err
	}
	if data, ok := s.override[c]; ok {
		s.record(c)
		return data, nil
	}
	fi, err := os.Stat(c)
	if err == nil && !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", c)
	}
	if err == nil && fi.Size() > manifest.MaxFileSize {
		// Discovery reported it (file-too-large); kustomize's error names
		// the entry that reads it.
		return nil, fmt.Errorf("%s is %.1f MiB, over the %d MiB gitops-lint reads", s.rel(c), float64(fi.Size())/(1<<20), manifest.MaxFileSize>>20)
	}
	s.record(c)
	data, err := s.disk.ReadFile(c)
	if err != nil {
		return nil, err
	}
	// kustomize decodes what it reads with aliases expanded; refuse a
	// bomb here, before it does.
	if err := manifest.CheckAliases(s.rel(c), data); err != nil {
		s.refuse(err)
		return nil, err
	}
	return data, nil
}

func (s *sandbox) refuse(err error) {
	var se *manifest.SyntaxError
	if !errors.As(err, &se) {
		return
	}
	s.mu.Lock()
	if s.refused == nil {
		s.refused = se
	}
	s.mu.Unlock()
}

// Refused returns the first file refused for its content, or nil.
func (s *sandbox) Refused() *manifest.SyntaxError {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refused
}

func (s *sandbox) Walk(p string, fn filepath.WalkFunc) error {
	c, err := s.check(p)
	if err != nil {
		return err
	}
	return s.disk.Walk(c, func(path string, info fs.FileInfo, err error) error {
		if _, cerr := s.check(path); cerr != nil {
			return nil
		}
		return fn(path, info, err)
	})
}
