package render

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// sandbox is a read-only kustomize filesystem confined to the repository
// root through the run's rootfs.FS: absolute paths and '..' escapes
// outside the root are refused, symlinks are resolved before every access
// and every file is read as a bounded, regular file, so kustomize can
// never read a byte from outside, nor hang on a device. It records the
// files it hands out, which is the set of files a render depends on; the
// FS remembers the hash of the bytes it handed out.
type sandbox struct {
	root string // absolute, symlinks resolved
	fs   *rootfs.FS
	disk filesys.FileSystem
	// shared holds what every render of one Renderer finds alike.
	shared *shared

	// override replaces the content of files (by absolute path) without
	// touching the user's copy, e.g. to enable origin annotations.
	override map[string][]byte

	mu    sync.Mutex
	reads map[string]bool
	// virtual are files that exist only in this render, by absolute
	// path: the rendered output of a kustomization's helmCharts.
	virtual map[string][]byte
	// templates maps each virtual file, repository-relative, to the chart
	// template whose output it holds.
	templates map[string]string
	// objects maps "kind/name" of each object Helm rendered to its ID
	// ("file#doc"), "" when two objects share it.
	objects map[string]string
	// values are, by object ID, where its fields' values are written.
	values map[string]map[string]manifest.Origin
	// charts finds the charts of helmCharts entries not in the repository.
	charts *helm.Charts
	// remote are what the charts fetched resolved to.
	remote []helm.Resolution
	// helmErr is the first helmCharts entry that failed to render:
	// kustomize passes on only its text.
	helmErr error
	// refused is the first file refused for its content (an alias bomb):
	// kustomize only passes on the error's text, and the finding needs
	// its position.
	refused *manifest.SyntaxError
}

// shared is what every render of one Renderer finds alike, kept for the
// Renderer's life (one run): where a path resolves to and what a file
// holds. A base or component that hundreds of overlays include is then
// resolved and read once, not once per overlay; kustomize still builds
// each overlay whole, so the output is exactly `kustomize build`'s. The
// repository is taken not to change under a run, as everywhere else
// (rootfs marks a file read twice with different content unstable).
type shared struct {
	cleaned memo.Table[string, cleanedAbs]
	files   memo.Table[string, fileRead]
}

// cleanedAbs is what the disk filesystem's CleanedAbs said of a path.
type cleanedAbs struct {
	dir  filesys.ConfirmedDir
	file string
	err  error
}

// fileRead is what the first read of a file through the run's
// rootfs.FS found: why it could not be read, or why it is refused (an
// alias bomb). The content itself is kept by the FS, not here.
type fileRead struct {
	readErr, refuse error
}

func newSandbox(fsys *rootfs.FS, sh *shared, override map[string][]byte) *sandbox {
	return &sandbox{
		root: fsys.Root(), fs: fsys, disk: filesys.MakeFsOnDisk(), shared: sh, override: override,
		reads: map[string]bool{}, virtual: map[string][]byte{}, templates: map[string]string{}, objects: map[string]string{}, values: map[string]map[string]manifest.Origin{},
	}
}

// check resolves p against the root and refuses anything outside it. It
// returns the clean, unresolved absolute path: kustomize resolves
// relative references from where a file seems to be.
func (s *sandbox) check(p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(s.root, p)
	}
	p = filepath.Clean(p)
	if _, err := s.fs.Resolve(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		// Missing paths are kustomize's to report; existence is checked
		// by the caller through the delegate.
		return "", err
	}
	return p, nil
}

func inside(root, p string) bool { return rootfs.Within(root, p) }

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

// Open reads the whole file through ReadFile, so it is confined, bounded
// and hashed like every other read.
func (s *sandbox) Open(p string) (filesys.File, error) {
	data, err := s.ReadFile(p)
	if err != nil {
		return nil, err
	}
	c, _ := s.check(p)
	if s.isVirtual(c) {
		// Its directory stands in for it: nothing reads a mode or size.
		c = filepath.Dir(c)
	}
	fi, err := os.Stat(c)
	if err != nil {
		return nil, err
	}
	return &memFile{Reader: bytes.NewReader(data), info: fi}, nil
}

// memFile is a file already read: kustomize may read and stat it, never
// write it.
type memFile struct {
	*bytes.Reader
	info fs.FileInfo
}

func (f *memFile) Write([]byte) (int, error)  { return 0, errReadOnly }
func (f *memFile) Close() error               { return nil }
func (f *memFile) Stat() (os.FileInfo, error) { return f.info, nil }

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
	if s.isVirtual(c) {
		return filesys.ConfirmedDir(filepath.Dir(c)), filepath.Base(c), nil
	}
	ca := s.shared.cleaned.Get(c, func() cleanedAbs {
		d, f, err := s.disk.CleanedAbs(c)
		return cleanedAbs{d, f, err}
	})
	d, f, err := ca.dir, ca.file, ca.err
	if err != nil {
		return "", "", err
	}
	// The delegate resolves symlinks itself; re-check what it settled on.
	if !inside(s.root, string(d)) {
		return "", "", fmt.Errorf("%w: %s", rootfs.ErrOutside, s.fs.Rel(string(d)))
	}
	return d, f, nil
}

func (s *sandbox) Exists(p string) bool {
	c, err := s.check(p)
	return err == nil && (s.isVirtual(c) || s.disk.Exists(c))
}

func (s *sandbox) isVirtual(c string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.virtual[c]
	return ok
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
	s.mu.Lock()
	data, ok := s.virtual[c]
	s.mu.Unlock()
	if ok {
		return data, nil
	}
	if data, ok := s.override[c]; ok {
		s.record(c)
		return s.inflate(c, data)
	}
	var first []byte
	fr := s.shared.files.Get(c, func() fileRead {
		data, err := s.fs.ReadFile(c)
		if err != nil {
			return fileRead{readErr: err}
		}
		first = data
		// kustomize decodes what it reads with aliases expanded; refuse
		// a bomb here, before it does.
		return fileRead{refuse: manifest.CheckAliases(s.rel(c), data)}
	})
	if fr.readErr != nil {
		return nil, fr.readErr
	}
	s.record(c)
	if fr.refuse != nil {
		s.refuse(fr.refuse)
		return nil, fr.refuse
	}
	if first == nil {
		// Read before: the FS gives a copy of what it kept, so nothing
		// kustomize does with it reaches another render. A file it did
		// not keep (too large) comes from the disk again and is checked
		// again, in case it changed.
		var err error
		if first, err = s.fs.ReadFile(c); err != nil {
			return nil, err
		}
		if err := manifest.CheckAliases(s.rel(c), first); err != nil {
			s.refuse(err)
			return nil, err
		}
	}
	return s.inflate(c, first)
}

// inflate returns a kustomization file with its helmCharts rendered in
// process (see helm.go), and any other file as it is.
func (s *sandbox) inflate(c string, data []byte) ([]byte, error) {
	switch filepath.Base(c) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
	default:
		return data, nil
	}
	in, ok, err := inflateHelmCharts(s.fs, s.charts, c, data)
	if !ok {
		return data, nil
	}
	if err != nil {
		err = fmt.Errorf("%s: %w", s.rel(c), err)
		s.mu.Lock()
		if s.helmErr == nil {
			s.helmErr = err
		}
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for p, d := range in.files {
		s.virtual[p] = d
	}
	for v, t := range in.templates {
		s.templates[v] = t
	}
	for kn, id := range in.objects {
		if _, dup := s.objects[kn]; dup {
			id = ""
		}
		s.objects[kn] = id
	}
	for id, v := range in.values {
		s.values[id] = v
	}
	for _, r := range in.reads {
		s.reads[filepath.Join(s.root, filepath.FromSlash(r))] = true
	}
	s.remote = append(s.remote, in.remote...)
	return in.kustomization, nil
}

// TemplateOf returns the ID of the Helm object "kind/name" (its name as
// Helm wrote it), or "".
func (s *sandbox) TemplateOf(kindName string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.objects[kindName]
}

// TemplateWithin returns the ID of the one object Helm rendered with this
// kind whose name the given name contains (prefixes and suffixes added),
// or "".
func (s *sandbox) TemplateWithin(kind, name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	found := ""
	for id, t := range s.objects {
		k, n, _ := strings.Cut(id, "/")
		if k != kind || !strings.Contains(name, n) {
			continue
		}
		if found != "" {
			return ""
		}
		found = t
	}
	return found
}

// HelmError returns the first helmCharts entry that failed to render.
func (s *sandbox) HelmError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.helmErr
}

// Template returns the chart template that wrote the Helm object id
// ("file#doc", file one of this render's rendered charts), and where the
// values that wrote its fields are.
func (s *sandbox) Template(id string) (string, map[string]manifest.Origin) {
	s.mu.Lock()
	defer s.mu.Unlock()
	file, _, _ := strings.Cut(id, "#")
	return s.templates[file], s.values[id]
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

// rel names p for a finding: relative to the root when it can be.
func (s *sandbox) rel(p string) string {
	if r, err := filepath.Rel(s.root, p); err == nil {
		return filepath.ToSlash(r)
	}
	return filepath.Base(p)
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
