// Package gittest builds git repositories for tests and benchmarks: made at
// run time in a temporary directory, with no network and none of the
// user's git configuration.
package gittest

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
)

// Repo is a git working tree under test.
type Repo struct {
	tb  testing.TB
	Dir string
}

// Init runs git init in dir (a new temporary directory when empty) on
// branch main. Without git the test is skipped.
func Init(tb testing.TB, dir string) *Repo {
	tb.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		tb.Skip("git is not installed")
	}
	if dir == "" {
		dir = tb.TempDir()
	}
	r := &Repo{tb: tb, Dir: dir}
	r.Git("init", "-q", "-b", "main")
	return r
}

// Git runs git in the working tree and returns its output; a failure
// fails the test.
func (r *Repo) Git(args ...string) string {
	r.tb.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL="+os.DevNull, "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		r.tb.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Commit stages everything and commits it.
func (r *Repo) Commit(msg string) {
	r.tb.Helper()
	r.Git("add", "-A")
	r.Git("commit", "-qm", msg)
}

// PlantPrograms configures the repository the way a hostile one shipped
// with its .git would: every git setting that runs a program names a
// script that appends a line to the file it returns (and passes its input
// through, as a filter would). The settings go to .git/config and
// .gitattributes (left unstaged), so git sees them on every later command;
// run nothing through r.Git after this that the test counts on not
// running a program. Skipped where there is no /bin/sh.
func (r *Repo) PlantPrograms() (marker string) {
	r.tb.Helper()
	if runtime.GOOS == "windows" {
		r.tb.Skip("the planted programs are shell scripts")
	}
	marker = filepath.Join(r.tb.TempDir(), "ran")
	script := filepath.Join(r.tb.TempDir(), "evil.sh")
	body := "#!/bin/sh\necho \"$0 $*\" >> " + marker + "\ncat\n"
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		r.tb.Fatal(err)
	}
	for _, kv := range [][2]string{
		{"core.fsmonitor", script},
		{"core.hooksPath", filepath.Dir(script)},
		{"core.pager", script},
		{"core.askPass", script},
		{"core.sshCommand", script},
		{"diff.external", script},
		{"diff.evil.textconv", script},
		{"diff.evil.command", script},
		{"filter.evil.clean", script},
		{"filter.evil.smudge", script},
		{"filter.evil.required", "true"},
		{"filter.proc.process", script},
		{"credential.helper", script},
		{"gpg.program", script},
		{"protocol.allow", "always"},
	} {
		r.Git("config", kv[0], kv[1])
	}
	// Every hook git has, too.
	for _, hook := range []string{"pre-commit", "post-checkout", "post-index-change", "reference-transaction"} {
		if err := os.Symlink(script, filepath.Join(filepath.Dir(script), hook)); err != nil {
			r.tb.Fatal(err)
		}
	}
	attrs := filepath.Join(r.Dir, ".gitattributes")
	if err := os.WriteFile(attrs, []byte("* filter=evil diff=evil export-subst\n*.proc filter=proc\n"), 0o644); err != nil {
		r.tb.Fatal(err)
	}
	return marker
}
