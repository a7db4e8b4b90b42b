// Package githook installs and removes the plain git pre-commit hook that
// runs gitops-lint, for repositories that do not use the pre-commit
// framework. It never overwrites or removes a hook that it did not write:
// hooks are recognised by a marker line.
package githook

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/gitx"
)

// Marker is the line that identifies a hook written by this package. It
// must never change: it is how an older gitops-lint's hook is recognised.
const Marker = "# gitops-lint: pre-commit hook"

// backupSuffix names where Install --force moves a hook it did not write;
// the installed hook runs it first, and Uninstall puts it back.
const backupSuffix = ".before-gitops-lint"

// Options say where and what to install.
type Options struct {
	// Dir is a directory inside the git work tree; the hook checks it
	// (relative to the top of the work tree, where git runs hooks).
	Dir string
	// Args are what the hook passes to gitops-lint, before the directory:
	// {"check", "--staged"}.
	Args []string
	// Fallback is the gitops-lint binary the hook runs when none is in
	// PATH (graphical git clients often have a short PATH); empty for none.
	Fallback string
	// Force moves a hook that gitops-lint did not write aside (keeping it
	// and running it first) instead of refusing.
	Force bool
}

// Result says what Install or Uninstall did.
type Result struct {
	// Path is the hook file.
	Path string
	// Action is what happened to it: "installed", "updated", "removed" or
	// "absent" (Uninstall found nothing to remove).
	Action string
	// Backup is the other hook that Install moved aside or Uninstall put
	// back, if any.
	Backup string
}

// ErrForeignHook is returned when a pre-commit hook exists that
// gitops-lint did not write.
var ErrForeignHook = errors.New("a pre-commit hook that gitops-lint did not write is installed")

// Install writes the pre-commit hook, or rewrites one written by an
// earlier Install. A hook written by someone else is left alone
// (ErrForeignHook) unless opts.Force is set.
func Install(ctx context.Context, opts Options) (Result, error) {
	loc, err := locate(ctx, opts.Dir)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: loc.hook, Action: "installed"}
	switch state, err := inspect(loc.hook); {
	case err != nil:
		return Result{}, err
	case state == ours:
		res.Action = "updated"
	case state == foreign && !opts.Force:
		return Result{}, fmt.Errorf("%s: %w; add `%s` to it yourself, or run hook install --force to move it to %s, where the new hook runs it first",
			loc.hook, ErrForeignHook, command(opts.Args, loc.prefix), filepath.Base(loc.hook)+backupSuffix)
	case state == foreign:
		backup := loc.hook + backupSuffix
		if _, err := os.Lstat(backup); err == nil {
			return Result{}, fmt.Errorf("%s: %w, and %s already exists; move one of them away first", loc.hook, ErrForeignHook, backup)
		}
		if err := os.Rename(loc.hook, backup); err != nil {
			return Result{}, err
		}
		res.Backup = backup
	}
	if err := os.MkdirAll(loc.dir, 0o755); err != nil {
		return Result{}, err
	}
	if err := writeExecutable(loc.hook, script(opts.Args, loc.prefix, opts.Fallback)); err != nil {
		return Result{}, err
	}
	return res, nil
}

// Uninstall removes the hook written by Install and puts back the hook
// that Install --force moved aside. A hook written by someone else is an
// error (ErrForeignHook); no hook at all is not.
func Uninstall(ctx context.Context, dir string) (Result, error) {
	loc, err := locate(ctx, dir)
	if err != nil {
		return Result{}, err
	}
	res := Result{Path: loc.hook, Action: "removed"}
	switch state, err := inspect(loc.hook); {
	case err != nil:
		return Result{}, err
	case state == absent:
		res.Action = "absent"
		return res, nil
	case state == foreign:
		return Result{}, fmt.Errorf("%s: %w; not removing it", loc.hook, ErrForeignHook)
	}
	if err := os.Remove(loc.hook); err != nil {
		return Result{}, err
	}
	backup := loc.hook + backupSuffix
	if _, err := os.Lstat(backup); err == nil {
		if err := os.Rename(backup, loc.hook); err != nil {
			return Result{}, err
		}
		res.Backup = backup
	}
	return res, nil
}

// location is where a repository's pre-commit hook lives.
type location struct {
	dir    string // the hooks directory
	hook   string // the pre-commit file in it
	prefix string // Options.Dir relative to the top of the work tree, "" at the top
}

// locate asks git where the hooks are, so that worktrees (whose .git is a
// file), submodules, $GIT_DIR and core.hooksPath are all handled the way
// git itself handles them. Inside .git or a bare repository there is no
// work tree, so no commit to run a hook for: that is an error.
func locate(ctx context.Context, dir string) (location, error) {
	if dir == "" {
		dir = "."
	}
	repo, err := gitx.Open(ctx, dir)
	if err != nil {
		return location{}, err
	}
	hooks, err := repo.GitPath(ctx, "hooks")
	if err != nil {
		return location{}, err
	}
	return location{dir: hooks, hook: filepath.Join(hooks, "pre-commit"), prefix: repo.Prefix}, nil
}

type hookState int

const (
	absent hookState = iota
	ours
	foreign
)

// inspect tells whether a hook exists and who wrote it. Anything but a
// regular file carrying the marker line (a symlink to a shared hook, a
// directory) belongs to someone else.
func inspect(path string) (hookState, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return absent, nil
	case err != nil:
		return 0, err
	case !fi.Mode().IsRegular():
		return foreign, nil
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(content)) {
		if strings.TrimRight(line, "\r\n") == Marker {
			return ours, nil
		}
	}
	return foreign, nil
}

// command is the gitops-lint command line the hook runs, as a person
// would type it.
func command(args []string, prefix string) string {
	words := append([]string{"gitops-lint"}, args...)
	if prefix != "" {
		words = append(words, prefix)
	}
	return strings.Join(words, " ")
}

// script is the hook. git runs it from the top of the work tree, so the
// checked directory is relative to that. It runs a hook moved aside by
// --force first, then gitops-lint from PATH or, failing that, the binary
// that installed it.
func script(args []string, prefix, fallback string) string {
	quoted := make([]string, 0, len(args)+1)
	for _, a := range args {
		quoted = append(quoted, shellQuote(a))
	}
	if prefix != "" {
		quoted = append(quoted, shellQuote(prefix))
	}
	argv := strings.Join(quoted, " ")
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString(Marker + "\n")
	b.WriteString("# Written by `gitops-lint hook install`; `gitops-lint hook uninstall` removes it.\n")
	b.WriteString("# `git commit --no-verify` skips it once.\n")
	b.WriteString(`previous="$0` + backupSuffix + `"` + "\n")
	b.WriteString(`if [ -x "$previous" ]; then "$previous" "$@" || exit $?; fi` + "\n")
	b.WriteString("if command -v gitops-lint >/dev/null 2>&1; then exec gitops-lint " + argv + "; fi\n")
	if fallback != "" {
		b.WriteString("fallback=" + shellQuote(fallback) + "\n")
		b.WriteString(`if [ -x "$fallback" ]; then exec "$fallback" ` + argv + "; fi\n")
	}
	b.WriteString(`echo "gitops-lint: not found in PATH; install it (go install github.com/gitops-lint/gitops-lint/cmd/gitops-lint@latest) or commit with --no-verify" >&2` + "\n")
	b.WriteString("exit 1\n")
	return b.String()
}

// shellQuote quotes s for sh: single quotes keep everything literal, and a
// single quote itself is closed, escaped and reopened.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:@+") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// writeExecutable replaces path with content in one rename, so that a
// commit starting meanwhile sees the old hook or the new one, never half.
func writeExecutable(path, content string) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".pre-commit-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o755); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
