// Package gittest builds git repositories for tests and benchmarks: made at
// run time in a temporary directory, with no network and none of the
// user's git configuration.
package gittest

import (
	"os"
	"os/exec"
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
