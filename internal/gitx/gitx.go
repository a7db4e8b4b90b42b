// Package gitx reads what a git repository knows (the index, commits, the
// files a change touches) by running the git command line, read-only.
//
// The git CLI rather than a Go implementation: it is on every machine and
// CI image that has the repository, and it is the reference for shallow
// and partial clones, worktrees, sparse checkouts, safe.directory and
// every other setting the user's repository may rely on. Every command is
// run with GIT_OPTIONAL_LOCKS=0 so that not even the index's stat cache is
// written: gitops-lint never writes to the repository.
package gitx

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
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
}

// Open finds the git working tree that contains dir.
func Open(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	out, err := run(ctx, abs, nil, "rev-parse", "--show-toplevel", "--show-prefix", "--is-shallow-repository")
	if err != nil {
		return nil, fmt.Errorf("%s is not inside a git working tree: %w", dir, err)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 3 {
		return nil, fmt.Errorf("unexpected git rev-parse output %q", out)
	}
	return &Repo{Top: lines[0], Prefix: strings.TrimSuffix(lines[1], "/"), Shallow: lines[2] == "true"}, nil
}

// StagedFiles lists the files the index changes against HEAD (added,
// modified, renamed, deleted), relative to the checked directory; files
// outside it are left out.
func (r *Repo) StagedFiles(ctx context.Context) ([]string, error) {
	args := []string{"diff", "--cached", "--name-only", "-z", "--no-renames"}
	if _, err := run(ctx, r.Top, nil, "rev-parse", "--verify", "--quiet", "HEAD"); err != nil {
		// No commit yet: everything in the index is staged.
		args = []string{"ls-files", "--cached", "-z"}
	}
	out, err := run(ctx, r.Top, nil, args...)
	if err != nil {
		return nil, err
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
	if _, err := run(ctx, r.Top, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, &MissingRefError{Ref: ref, Shallow: r.Shallow}
	}
	if _, err := run(ctx, r.Top, nil, "merge-base", ref, "HEAD"); err != nil {
		if r.Shallow {
			return nil, fmt.Errorf("no merge base of %s and HEAD in this shallow clone: deepen it with `git fetch --deepen=100 origin` or `git fetch --unshallow`", ref)
		}
		return nil, fmt.Errorf("%s and HEAD have no common history", ref)
	}
	out, err := run(ctx, r.Top, nil, "diff", "--name-only", "-z", "--no-renames", ref+"...HEAD")
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
	if _, err := run(ctx, r.Top, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return nil, &MissingRefError{Ref: ref, Shallow: r.Shallow}
	}
	tracked, err := run(ctx, r.Top, nil, "diff", "--name-only", "-z", "--no-renames", ref+"^{commit}", "--")
	if err != nil {
		return nil, err
	}
	untracked, err := run(ctx, r.Top, nil, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, err
	}
	return r.relative(append(append(tracked, 0), untracked...)), nil
}

// ExportCommit writes the tree of the checked directory at ref into dst
// (which must exist), from git objects: nothing is checked out. When the
// checked directory did not exist at ref, dst is left empty.
func (r *Repo) ExportCommit(ctx context.Context, ref, dst string) error {
	if _, err := run(ctx, r.Top, nil, "rev-parse", "--verify", "--quiet", ref+"^{commit}"); err != nil {
		return &MissingRefError{Ref: ref, Shallow: r.Shallow}
	}
	treeish := ref
	if r.Prefix != "" {
		treeish = ref + ":" + r.Prefix
		if _, err := run(ctx, r.Top, nil, "rev-parse", "--verify", "--quiet", treeish); err != nil {
			return nil
		}
	}
	out, err := run(ctx, r.Top, nil, "archive", "--format=tar", treeish)
	if err != nil {
		return err
	}
	return untar(bytes.NewReader(out), dst)
}

// untar extracts regular files and directories; symlinks are recreated
// only when they stay inside dst, and nothing may be written outside it.
func untar(rd io.Reader, dst string) error {
	tr := tar.NewReader(rd)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(h.Name)
		if name == "." || strings.HasPrefix(name, "../") || name == ".." || path.IsAbs(name) {
			continue
		}
		target := filepath.Join(dst, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(target, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			_, err = io.Copy(f, tr)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		case tar.TypeSymlink:
			resolved := path.Join(path.Dir(name), h.Linkname)
			if path.IsAbs(h.Linkname) || resolved == ".." || strings.HasPrefix(resolved, "../") {
				continue // the check would refuse to follow it anyway
			}
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			if err := os.Symlink(h.Linkname, target); err != nil {
				return err
			}
		}
	}
}

// relative turns NUL-separated paths relative to the top into paths
// relative to the checked directory, dropping those outside it.
func (r *Repo) relative(out []byte) []string {
	var files []string
	for _, p := range strings.Split(string(out), "\x00") {
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

// run runs git in dir and returns its standard output; the error carries
// git's own message.
func run(ctx context.Context, dir string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_OPTIONAL_LOCKS=0", "GIT_TERMINAL_PROMPT=0", "LC_ALL=C")
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", args[0], msg)
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.Bytes(), nil
}

// GitPath resolves name inside the repository's git directory the way git
// itself does (git rev-parse --git-path), absolute: "hooks" follows
// core.hooksPath, and a linked worktree shares its main worktree's hooks.
func (r *Repo) GitPath(ctx context.Context, name string) (string, error) {
	out, err := run(ctx, r.Top, nil, "rev-parse", "--git-path", name)
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

// IndexFiles lists the files in the index under the checked directory,
// relative to it.
func (r *Repo) IndexFiles(ctx context.Context) ([]string, error) {
	args := []string{"ls-files", "--cached", "-z"}
	if r.Prefix != "" {
		args = append(args, "--", r.Prefix)
	}
	out, err := run(ctx, r.Top, nil, args...)
	if err != nil {
		return nil, err
	}
	return r.relative(out), nil
}

// ExportPaths writes the index content of some files (relative to the
// checked directory; those not in the index are skipped) into dst, at the
// same relative paths: a pre-commit check needs the few files the staged
// change reaches, and writing a whole large index costs seconds.
func (r *Repo) ExportPaths(ctx context.Context, files []string, dst string) error {
	if len(files) == 0 {
		return nil
	}
	var stdin bytes.Buffer
	for _, f := range files {
		if r.Prefix != "" {
			f = r.Prefix + "/" + f
		}
		stdin.WriteString(f)
		stdin.WriteByte(0)
	}
	tmp := dst
	if r.Prefix != "" {
		var err error
		if tmp, err = os.MkdirTemp(dst, ".index-"); err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
	}
	if _, err := run(ctx, r.Top, stdin.Bytes(), "checkout-index", "-z", "--stdin", "--force", "--prefix="+tmp+string(filepath.Separator)); err != nil {
		return err
	}
	if r.Prefix == "" {
		return nil
	}
	return moveTree(filepath.Join(tmp, filepath.FromSlash(r.Prefix)), dst)
}

// moveTree moves the entries of src into dst, merging directories.
func moveTree(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		if e.IsDir() {
			if err := os.MkdirAll(to, 0o755); err != nil {
				return err
			}
			if err := moveTree(from, to); err != nil {
				return err
			}
			continue
		}
		if err := os.Rename(from, to); err != nil {
			return err
		}
	}
	return nil
}

// WorkTreePrefix returns dir relative to the root of the git work tree
// that holds it, slash-separated ("" when dir is that root), and false
// when no enclosing directory has a .git entry. It runs no git command
// and reads no file: it only looks for the .git entry (a directory, or
// the file of a linked work tree or submodule) in dir and each parent,
// which is what CI services resolve annotation paths against.
func WorkTreePrefix(dir string) (string, bool) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	for top := abs; ; {
		if _, err := os.Lstat(filepath.Join(top, ".git")); err == nil {
			rel, err := filepath.Rel(top, abs)
			if err != nil {
				return "", false
			}
			if rel == "." {
				rel = ""
			}
			return filepath.ToSlash(rel), true
		}
		parent := filepath.Dir(top)
		if parent == top {
			return "", false
		}
		top = parent
	}
}
