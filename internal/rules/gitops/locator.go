package gitops

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/config"

	"github.com/gitops-lint/gitops-lint/internal/gitx"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// locator answers where a path named by Flux or Argo CD lies. Both resolve
// paths from the root of the git repository, which is the checked
// directory itself unless gitops-lint runs on a subdirectory of a work
// tree.
type locator struct {
	repo *repo.Repo
	// dirs are the directories holding walked files, "." included.
	dirs map[string]bool
	// top is the git work tree's top directory when the checked root lies
	// below it, else "".
	top string
	// prefix is the checked root relative to top, slash-separated.
	prefix string
	// urls are the normalised URLs of this repository.
	urls map[string]bool
}

func newLocator(r *repo.Repo, extraURLs []string) *locator {
	l := &locator{repo: r, dirs: map[string]bool{".": true}, urls: map[string]bool{}}
	for _, f := range r.Files {
		for d := path.Dir(f); d != "." && !l.dirs[d]; d = path.Dir(d) {
			l.dirs[d] = true
		}
	}
	top, gitDir := findGit(r.Root)
	if top != "" && top != r.Root {
		if rel, err := filepath.Rel(top, r.Root); err == nil {
			l.top, l.prefix = top, filepath.ToSlash(rel)
		}
	}
	for _, u := range slices.Concat(remotes(gitDir), extraURLs) {
		if n := normalizeURL(u); n != "" {
			l.urls[n] = true
		}
	}
	return l
}

// isRepo reports whether a repoURL names this repository.
func (l *locator) isRepo(url string) bool { return l.urls[normalizeURL(url)] }

// place says where a path lies.
type place int

const (
	missing place = iota // nowhere in the work tree
	inRepo               // inside the checked directory
	outside              // in the work tree, outside the checked directory: not checked
)

// cleanPath makes a path that Flux or Argo CD resolves from the source
// root repository-relative: "./a/", "/a" and "a" are all "a", and "" is
// ".". Like Flux's secure join, ".." cannot climb above the root.
func cleanPath(p string) string {
	p = strings.TrimPrefix(path.Clean("/"+p), "/")
	if p == "" {
		return "."
	}
	return p
}

// resolve finds a directory: relative to the checked directory, else,
// when that is a subdirectory of a work tree, relative to the work tree's
// top. Only the existence of a path outside the checked directory is
// looked at (never its content), to tell a wrong path from one that this
// run cannot check. file is set when the path names a file.
func (l *locator) resolve(p string) (rel string, where place, file bool) {
	rel = cleanPath(p)
	if l.dirs[rel] {
		return rel, inRepo, false
	}
	if l.isFile(rel) {
		return rel, inRepo, true
	}
	if l.prefix == "" {
		return rel, missing, false
	}
	if rest, ok := l.underPrefix(rel); ok {
		if l.dirs[rest] {
			return rest, inRepo, false
		}
		return rest, missing, l.isFile(rest)
	}
	if _, err := os.Lstat(filepath.Join(l.top, filepath.FromSlash(rel))); err == nil {
		return rel, outside, false
	}
	return rel, missing, false
}

// underPrefix strips the checked directory's path in the work tree.
func (l *locator) underPrefix(rel string) (string, bool) {
	if rel == l.prefix {
		return ".", true
	}
	return strings.CutPrefix(rel, l.prefix+"/")
}

func (l *locator) isFile(rel string) bool {
	_, found := slices.BinarySearch(l.repo.Files, rel)
	return found
}

// glob counts the directories (or files) a glob matches, with `**` for
// any number of directories. A glob that points outside the checked
// directory of a work tree is reported as outside.
func (l *locator) glob(pattern string, files bool) (int, place) {
	pattern = cleanPath(pattern)
	candidates := l.repo.Files
	if !files {
		candidates = make([]string, 0, len(l.dirs))
		for d := range l.dirs {
			candidates = append(candidates, d)
		}
	}
	count := func(p string) int {
		n := 0
		for _, c := range candidates {
			if matchGlob(p, c) {
				n++
			}
		}
		return n
	}
	if n := count(pattern); n > 0 {
		return n, inRepo
	}
	if l.prefix == "" {
		return 0, missing
	}
	if rest, ok := l.underPrefix(pattern); ok {
		if n := count(rest); n > 0 {
			return n, inRepo
		}
		return 0, missing
	}
	// Outside the checked directory only the glob's literal leading
	// directories are looked for, never listed.
	var literal []string
	for _, seg := range strings.Split(pattern, "/") {
		if strings.ContainsAny(seg, `*?[\`) {
			break
		}
		literal = append(literal, seg)
	}
	if len(literal) > 0 {
		if _, err := os.Lstat(filepath.Join(l.top, filepath.FromSlash(strings.Join(literal, "/")))); err != nil {
			return 0, missing
		}
	}
	return 0, outside
}

// matchGlob matches a slash-separated name against a path.Match pattern
// in which a `**` segment matches any number of segments.
func matchGlob(pattern, name string) bool {
	return matchSegments(strings.Split(pattern, "/"), strings.Split(name, "/"))
}

func matchSegments(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(name); i++ {
				if matchSegments(pat[1:], name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, err := path.Match(pat[0], name[0]); err != nil || !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// findGit finds the git work tree around dir: the nearest directory at or
// above it with a .git entry, and the git directory that entry names (a
// linked work tree or submodule has a .git file saying "gitdir: ...").
func findGit(dir string) (top, gitDir string) {
	d, ok := gitx.WorkTreeTop(dir)
	if !ok {
		return "", ""
	}
	dotgit := filepath.Join(d, ".git")
	if fi, err := os.Lstat(dotgit); err == nil && fi.IsDir() {
		return d, dotgit
	}
	data, err := readGitFile(dotgit)
	if err != nil {
		return d, ""
	}
	target, ok := strings.CutPrefix(strings.TrimSpace(string(data)), "gitdir:")
	if !ok {
		return d, ""
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(d, target)
	}
	return d, target
}

// readGitFile reads a small file of git's: a repository can ship its .git
// with config linked to /dev/zero or a FIFO, so only a regular file of at
// most 1 MiB is read. Git's files may live outside the work tree (a
// linked work tree's common directory), which git itself reads too.
func readGitFile(p string) ([]byte, error) {
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, err
	}
	return rootfs.ReadRegular(resolved, 1<<20)
}

// remotes reads the URLs of the remotes from a git directory's
// configuration, without running git and without the network. A linked
// work tree keeps them in the common directory its commondir file names.
func remotes(gitDir string) []string {
	if gitDir == "" {
		return nil
	}
	dir := gitDir
	if data, err := readGitFile(filepath.Join(gitDir, "commondir")); err == nil {
		common := strings.TrimSpace(string(data))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gitDir, common)
		}
		dir = common
	}
	data, err := readGitFile(filepath.Join(dir, "config"))
	if err != nil {
		return nil
	}
	cfg := config.New()
	if err := config.NewDecoder(bytes.NewReader(data)).Decode(cfg); err != nil {
		return nil
	}
	var urls []string
	for _, s := range cfg.Section("remote").Subsections {
		for _, o := range s.Options {
			if o.IsKey("url") || o.IsKey("pushurl") {
				urls = append(urls, o.Value)
			}
		}
	}
	slices.Sort(urls)
	return slices.Compact(urls)
}

// normalizeURL reduces the spellings of one git repository to one key:
// "git@github.com:org/repo.git", "ssh://git@github.com:22/org/repo" and
// "https://github.com/org/repo/" are all "github.com/org/repo". Hosts and
// paths are compared without case, as the big forges do.
func normalizeURL(u string) string {
	u = strings.ToLower(strings.TrimSpace(u))
	if u == "" {
		return ""
	}
	scheme := false
	if i := strings.Index(u, "://"); i >= 0 {
		u, scheme = u[i+3:], true
	}
	host, rest, _ := strings.Cut(u, "/")
	if at := strings.LastIndex(host, "@"); at >= 0 {
		host = host[at+1:]
	}
	if h, p, ok := strings.Cut(host, ":"); ok {
		if scheme && strings.Trim(p, "0123456789") == "" {
			host = h // a port
		} else if !scheme {
			// scp-like syntax: host:org/repo
			host, rest = h, strings.TrimPrefix(p+"/"+rest, "/")
		}
	}
	rest = strings.Trim(rest, "/")
	rest = strings.TrimSuffix(rest, ".git")
	return host + "/" + strings.Trim(rest, "/")
}

// Sources answers which path of this repository an Argo CD source names,
// matching repoURL as argocd-path-missing does, for the renderers of
// Argo CD Helm sources.
type Sources struct{ loc *locator }

// NewSources reads the repository's git remotes once; extraURLs are
// further URLs of this repository (the configuration's gitops.repoURLs).
func NewSources(r *repo.Repo, extraURLs []string) *Sources {
	return &Sources{loc: newLocator(r, extraURLs)}
}

// Path is the repository-relative file or directory that p names in the
// repository at url. It reports false when url is another repository (or
// a template), or p lies outside the checked directory or nowhere.
func (s *Sources) Path(url, p string) (string, bool) {
	if templated(url) || templated(p) || !s.loc.isRepo(url) {
		return "", false
	}
	rel, where, _ := s.loc.resolve(p)
	return rel, where == inRepo
}
