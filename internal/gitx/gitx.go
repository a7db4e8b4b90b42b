// Package gitx reads what a git repository knows (the index, commits, the
// files a change touches) by running the git command line, read-only.
//
// The git CLI rather than a Go implementation: it is on every machine and
// CI image that has the repository, and it is the reference for shallow
// and partial clones, worktrees, sparse checkouts, safe.directory and
// every other setting the user's repository may rely on. Every command is
// run with GIT_OPTIONAL_LOCKS=0 so that not even the index's stat cache is
// written: gitops-lint never writes to the repository.
//
// A repository can arrive with its own .git (a fixture, a tarball, a clone
// of a clone), and git honours settings there that run programs:
// core.fsmonitor, hooks, filter drivers (clean, smudge, process), external
// diff and textconv drivers, pagers, credential helpers, transports. One
// function, command, builds every git command line, and it neutralises all
// of them (see there): gitops-lint never makes git run a program. Content
// is exported from git objects with ls-tree / ls-files and cat-file, which
// apply no filter, no export-subst and no attribute at all.
package gitx

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Repo is a git working tree, seen from a directory inside it.
type Repo struct {
	// Top is the working tree's root, absolute.
	Top string
	// Prefix is the directory gitops-lint checks, relative to Top and
	// slash-separated ("" for the root itself).
	Prefix  string
	Shallow bool

	// drivers are the -c settings that empty the repository's filter
	// drivers, which only their names (read from its config) can reach.
	drivers []string
}

// Open finds the git working tree that contains dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	// Both git commands at once: a pre-commit check waits on them. The
	// configuration is the same from anywhere in the working tree.
	var (
		drivers    []string
		driversErr error
		read       = make(chan struct{})
	)
	go func() {
		defer close(read)
		drivers, driversErr = filterDrivers(ctx, abs)
	}()
	out, err := run(ctx, abs, nil, nil, "rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository")
	<-read
	if err != nil {
		return nil, fmt.Errorf("%s is not inside a git working tree: %w", dir, err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 3 {
		return nil, fmt.Errorf("unexpected git rev-parse output %q", out)
	}
	if driversErr != nil {
		return nil, driversErr
	}
	return &Repo{Top: lines[0], Prefix: strings.TrimSuffix(lines[1], "/"), Shallow: lines[2] == "true", drivers: drivers}, nil
}

// filterDrivers returns the -c settings that disable every filter driver
// the repository's configuration defines. A driver runs its clean filter
// when git hashes a working tree file (git diff against the work tree) and
// its smudge filter when git writes one; git skips a driver whose commands
// are empty and that is not required. Reading the configuration runs
// nothing.
func filterDrivers(ctx context.Context, dir string) ([]string, error) {
	out, err := run(ctx, dir, nil, nil, "config", "--includes", "--null", "--name-only", "--get-regexp", `^filter\.`)
	if err != nil && len(out) > 0 {
		return nil, err
	}
	// git config exits 1 when nothing matches; out is then empty.
	seen := map[string]bool{}
	var settings []string
	for _, name := range strings.Split(string(out), "\x00") {
		name = strings.TrimSpace(name)
		i := strings.LastIndexByte(name, '.')
		if i <= len("filter.") {
			continue
		}
		driver := name[:i] // filter.<subsection>
		if seen[driver] {
			continue
		}
		seen[driver] = true
		if strings.ContainsAny(driver, "=\n\x00") {
			// -c cannot name it, so it cannot be emptied: refuse the
			// repository rather than let git run it.
			return nil, fmt.Errorf("git config defines a filter driver %q that gitops-lint cannot disable", driver)
		}
		for _, key := range []string{"clean", "smudge", "process"} {
			settings = append(settings, "-c", driver+"."+key+"=")
		}
		settings = append(settings, "-c", driver+".required=false")
	}
	return settings, nil
}

// StagedFiles lists the files the index changes against HEAD (added,
// modified, renamed, deleted), relative to the checked directory; files
// outside it are left out.
func (r *Repo) StagedFiles(ctx context.Context) ([]string, error) {
	out, err := r.run(ctx, nil, "diff", "--cached", "--name-only", "-z", "--no-renames")
	if err != nil {
		if _, headErr := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", "HEAD"); headErr == nil {
			return nil, err
		}
		// No commit yet, and a git that does not compare the index with
		// the empty tree then: everything in the index is staged.
		if out, err = r.run(ctx, nil, "ls-files", "--cached", "-z"); err != nil {
			return nil, err
		}
	}
	return r.relative(out), nil
}

// MissingRefError says that a ref to compare with is not in the clone.
type MissingRefError struct {
	Ref     string
	Shallow bool
}

func (e *MissingRefError) Error() string {
	msg := fmt.Sprintf("git ref %q is not in this clone", e.Ref)
	branch := strings.TrimPrefix(e.Ref, "origin/")
	if e.Shallow {
		return msg + fmt.Sprintf("; this is a shallow clone: fetch it with `git fetch --depth=100 origin %s:refs/remotes/origin/%s` (or check out with fetch-depth: 0)", branch, branch)
	}
	return msg + fmt.Sprintf("; fetch it with `git fetch origin %s:refs/remotes/origin/%s`", branch, branch)
}

// ChangedSince lists the files that differ between the merge base of ref
// and HEAD, and HEAD (git diff ref...HEAD), relative to the checked
// directory.
func (r *Repo) ChangedSince(ctx context.Context, ref string) ([]string, error) {
	if _, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, &MissingRefError{Ref: ref, Shallow: r.Shallow}
	}
	if _, err := r.run(ctx, nil, "merge-base", ref, "HEAD"); err != nil {
		if r.Shallow {
			return nil, fmt.Errorf("no merge base of %s and HEAD in this shallow clone: deepen it with `git fetch --deepen=100 origin` or `git fetch --unshallow`", ref)
		}
		return nil, fmt.Errorf("%s and HEAD have no common history", ref)
	}
	out, err := r.run(ctx, nil, "diff", "--name-only", "-z", "--no-renames", ref+"...HEAD")
	if err != nil {
		return nil, err
	}
	return r.relative(out), nil
}

// ChangedInWorkTree lists the files that differ between ref and the
// working tree as it is on disk: tracked files modified, added or deleted
// since ref (staged or not), and untracked files that .gitignore does not
// exclude, relative to the checked directory. Unlike ChangedSince it
// compares with ref itself, not with a merge base: it answers "what would
// change if this working tree replaced ref".
func (r *Repo) ChangedInWorkTree(ctx context.Context, ref string) ([]string, error) {
	if _, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, &MissingRefError{Ref: ref, Shallow: r.Shallow}
	}
	tracked, err := r.run(ctx, nil, "diff", "--name-only", "-z", "--no-renames", ref+"^{commit}", "--")
	if err != nil {
		return nil, err
	}
	untracked, err := r.run(ctx, nil, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, err
	}
	return r.relative(append(append(tracked, 0), untracked...)), nil
}

// ExportCommit writes the tree of the checked directory at ref into dst
// (which must exist), from git objects: nothing is checked out. When the
// checked directory did not exist at ref, dst is left empty.
func (r *Repo) ExportCommit(ctx context.Context, ref, dst string) error {
	if _, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return &MissingRefError{Ref: ref, Shallow: r.Shallow}
	}
	treeish := ref
	if r.Prefix != "" {
		treeish = ref + ":" + r.Prefix
		if _, err := r.run(ctx, nil, "rev-parse", "--verify", "--quiet", treeish); err != nil {
			return nil
		}
	}
	out, err := r.run(ctx, nil, "ls-tree", "-r", "-z", "--full-tree", treeish)
	if err != nil {
		return err
	}
	return r.writeBlobs(ctx, parseEntries(out, func(meta string) (mode, oid string) {
		f := strings.Fields(meta) // <mode> SP <type> SP <object>
		if len(f) != 3 {
			return "", ""
		}
		return f[0], f[2]
	}), dst)
}

// entry is a file git holds: its path relative to dst, mode and blob.
type entry struct{ path, mode, oid string }

// parseEntries reads the NUL-terminated "<meta> TAB <path>" records of
// ls-tree; meta gives the mode and object id.
func parseEntries(out []byte, meta func(string) (mode, oid string)) []entry {
	var es []entry
	for _, rec := range strings.Split(string(out), "\x00") {
		m, p, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		mode, oid := meta(m)
		if oid == "" {
			continue
		}
		es = append(es, entry{path: p, mode: mode, oid: oid})
	}
	return es
}

// writeBlobs writes entries' blobs into dst as they are stored: git
// cat-file applies no filter driver, no export-subst, no attribute.
// Regular files only, and symlinks when they stay inside dst; submodules
// are skipped, and nothing is written outside dst.
func (r *Repo) writeBlobs(ctx context.Context, es []entry, dst string) error {
	es = slices.DeleteFunc(es, func(e entry) bool {
		name := path.Clean(e.path)
		return e.path != name || !filepath.IsLocal(name) || strings.Contains(name, "\\") ||
			(e.mode != "100644" && e.mode != "100755" && e.mode != "120000")
	})
	if len(es) == 0 {
		return nil
	}
	var stdin bytes.Buffer
	for _, e := range es {
		stdin.WriteString(e.oid + "\n")
	}
	out, err := r.run(ctx, stdin.Bytes(), "cat-file", "--batch")
	if err != nil {
		return err
	}
	for _, e := range es {
		// <oid> SP blob SP <size> LF <content> LF
		header, rest, ok := bytes.Cut(out, []byte("\n"))
		f := strings.Fields(string(header))
		if !ok || len(f) != 3 || f[1] != "blob" {
			return fmt.Errorf("git cat-file: unexpected output %q", header)
		}
		size, err := strconv.Atoi(f[2])
		if err != nil || size < 0 || size+1 > len(rest) {
			return fmt.Errorf("git cat-file: unexpected output %q", header)
		}
		content := rest[:size]
		out = rest[size+1:]
		target := filepath.Join(dst, filepath.FromSlash(e.path))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if e.mode == "120000" {
			link := string(content)
			resolved := path.Join(path.Dir(e.path), link)
			if path.IsAbs(link) || resolved == ".." || strings.HasPrefix(resolved, "../") {
				continue // the check would refuse to follow it anyway
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
			continue
		}
		if err := os.WriteFile(target, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// relative turns NUL-separated paths relative to the top into paths
// relative to the checked directory, dropping those outside it.
func (r *Repo) relative(out []byte) []string {
	return r.relativePaths(strings.Split(string(out), "\x00"))
}

// relativePaths keeps the paths under the checked directory, relative to
// it, sorted and each once.
func (r *Repo) relativePaths(paths []string) []string {
	var files []string
	for _, p := range paths {
		if p == "" {
			continue
		}
		if r.Prefix != "" {
			rest, ok := strings.CutPrefix(p, r.Prefix+"/")
			if !ok {
				continue
			}
			p = rest
		}
		files = append(files, p)
	}
	slices.Sort(files)
	return slices.Compact(files)
}

// neutral are the settings every git command runs with, whatever the
// repository's or the user's configuration says: each one stops git from
// running a program the repository could choose. -c wins over every
// configuration file.
var neutral = []string{
	"--no-pager",
	"-c", "core.fsmonitor=false", // a program git runs to list changed files
	"-c", "core.pager=cat",
	"-c", "credential.helper=", // the empty value clears the helper list
	"-c", "core.askPass=",
	"-c", "protocol.allow=never", // no transport at all: gitops-lint never fetches
	"-c", "protocol.file.allow=never",
	"-c", "protocol.ext.allow=never",
	"-c", "protocol.ssh.allow=never",
	"-c", "protocol.git.allow=never",
	"-c", "protocol.http.allow=never",
	"-c", "protocol.https.allow=never",
}

// unsafeEnv are environment variables that name programs for git to run;
// they are dropped from the environment git inherits.
var unsafeEnv = []string{
	"GIT_EXTERNAL_DIFF", "GIT_PAGER", "PAGER", "GIT_ASKPASS", "SSH_ASKPASS",
	"GIT_SSH", "GIT_SSH_COMMAND", "GIT_EDITOR", "EDITOR", "VISUAL",
	"GIT_ALLOW_PROTOCOL", "GIT_PROTOCOL_FROM_USER", "GIT_CONFIG_NOSYSTEM",
}

// command builds a git command line; it is the only place that does.
// Besides the neutral settings and the repository's emptied filter
// drivers (drivers), git diff never runs an external diff or a textconv
// driver, the system configuration is not read, and transports configured
// by the user are refused.
func command(ctx context.Context, dir string, drivers []string, args ...string) *exec.Cmd {
	full := slices.Concat(neutral, drivers)
	if len(args) == 0 || args[0] != "rev-parse" {
		// No hook of any command. rev-parse runs none, and its --git-path
		// hooks must name the user's hooks directory: hook install
		// writes there.
		full = append(full, "-c", "core.hooksPath="+os.DevNull)
	}
	if len(args) > 0 && args[0] == "diff" {
		full = append(full, "diff", "--no-ext-diff", "--no-textconv")
		full = append(full, args[1:]...)
	} else {
		full = append(full, args...)
	}
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Dir = dir
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		name, _, _ := strings.Cut(kv, "=")
		return slices.Contains(unsafeEnv, name)
	})
	cmd.Env = append(env,
		"GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_ATTR_NOSYSTEM=1", "GIT_PROTOCOL_FROM_USER=0",
	)
	return cmd
}

// run runs git in dir and returns its standard output; the error carries
// git's own message.
func run(ctx context.Context, dir string, drivers []string, stdin []byte, args ...string) ([]byte, error) {
	cmd := command(ctx, dir, drivers, args...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return stdout.Bytes(), fmt.Errorf("git %s: %s", args[0], msg)
		}
		return stdout.Bytes(), fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.Bytes(), nil
}

// run runs git in the working tree's top directory.
func (r *Repo) run(ctx context.Context, stdin []byte, args ...string) ([]byte, error) {
	return run(ctx, r.Top, r.drivers, stdin, args...)
}

// GitPath resolves name inside the repository's git directory the way git
// itself does (git rev-parse --git-path), absolute: "hooks" follows
// core.hooksPath, and a linked worktree shares its main worktree's hooks.
func (r *Repo) GitPath(ctx context.Context, name string) (string, error) {
	out, err := r.run(ctx, nil, "rev-parse", "--git-path", name)
	if err != nil {
		return "", err
	}
	p := strings.TrimRight(string(out), "\n")
	if !filepath.IsAbs(p) {
		// git prints it relative to the directory it ran in.
		p = filepath.Join(r.Top, p)
	}
	return p, nil
}

// Index is what the git index holds under the checked directory, as one
// ls-files read it: a pre-commit check looks at it several times.
type Index struct {
	// Files are its paths relative to the checked directory, sorted.
	Files []string
	// staged are its entries at stage 0 by path relative to the checked
	// directory: an unmerged path has no one content to export.
	staged map[string]entry
}

// Has reports whether the index holds file (relative to the checked
// directory).
func (x *Index) Has(file string) bool {
	_, found := slices.BinarySearch(x.Files, file)
	return found
}

// At lists what the index holds at p (relative to the checked directory):
// the file p, or the files under the directory p.
func (x *Index) At(p string) []string {
	if x.Has(p) {
		return []string{p}
	}
	prefix := strings.TrimSuffix(p, "/") + "/"
	i, _ := slices.BinarySearch(x.Files, prefix)
	j := i
	for j < len(x.Files) && strings.HasPrefix(x.Files[j], prefix) {
		j++
	}
	return x.Files[i:j]
}

// ReadIndex reads the index's entries under the checked directory.
func (r *Repo) ReadIndex(ctx context.Context) (*Index, error) {
	args := []string{"ls-files", "--stage", "-z"}
	if r.Prefix != "" {
		args = append(args, "--", r.Prefix)
	}
	out, err := r.run(ctx, nil, args...)
	if err != nil {
		return nil, err
	}
	x := &Index{staged: map[string]entry{}}
	var all []string
	for _, rec := range strings.Split(string(out), "\x00") {
		meta, p, ok := strings.Cut(rec, "\t")
		if !ok {
			continue
		}
		all = append(all, p)
		f := strings.Fields(meta) // <mode> SP <object> SP <stage>
		if len(f) != 3 || f[2] != "0" {
			continue // an unmerged path has no one content
		}
		rel := strings.TrimPrefix(p, r.Prefix+"/")
		x.staged[rel] = entry{path: rel, mode: f[0], oid: f[1]}
	}
	x.Files = r.relativePaths(all)
	return x, nil
}

// ExportPaths writes the index content of some files (relative to the
// checked directory; those not in the index are skipped) into dst, at the
// same relative paths: a pre-commit check needs the few files the staged
// change reaches, and writing a whole large index costs seconds.
func (r *Repo) ExportPaths(ctx context.Context, x *Index, files []string, dst string) error {
	var es []entry
	for _, f := range files {
		if e, ok := x.staged[f]; ok {
			es = append(es, e)
		}
	}
	if len(es) == 0 {
		return nil
	}
	return r.writeBlobs(ctx, es, dst)
}

// WorkTreePrefix returns dir relative to the root of the git work tree
// that holds it, slash-separated ("" when dir is that root), and false
// when no enclosing directory has a .git entry. It runs no git command
// and reads no file (see WorkTreeTop), which is what CI services resolve
// annotation paths against.
func WorkTreePrefix(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	top, ok := WorkTreeTop(abs)
	if !ok {
		return "", false
	}
	rel, err := filepath.Rel(top, abs)
	if err != nil {
		return "", false
	}
	if rel == "." {
		rel = ""
	}
	return filepath.ToSlash(rel), true
}

// WorkTreeTop returns the nearest of dir and its parents that has a .git
// entry (a directory, or the file of a linked work tree or submodule),
// and false when none has. It only looks: no git command, no file read.
func WorkTreeTop(dir string) (string, bool) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}
