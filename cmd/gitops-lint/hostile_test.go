package main

// The hostile-input test runs every command over every repository under
// testdata/repos/hostile/, each in a child process with a memory ceiling
// and a deadline, and checks the promises gitops-lint makes about bad
// input: it finishes, exits as documented, never prints or stores a byte
// from outside the repository or a planted secret, and (on Linux, with
// strace installed) never opens a path outside the repository.
//
// Case format: one directory per case, testdata/repos/hostile/<case>/:
//
//	repo/      the repository, checked as its own root. Files may hold
//	           secretstest placeholders ({{GITHUB_TOKEN}}, ...): they are
//	           filled with fake credentials, and no fake credential may
//	           then appear in any output.
//	outside/   optional: files beside the repository, copied next to it
//	           (so ../outside/... from repo/ reaches them). Put the marker
//	           string gitops-lint-outside-marker in them: it must never
//	           appear in any output, and no file here may be opened.
//	case.yaml  optional, with these keys (all optional):
//	  about:    what the case attacks.
//	  render:   the target `render` is given, relative to repo/ (default ".").
//	  links:    symlinks made at test time (git cannot carry them
//	            portably, and they must point at this machine's paths):
//	            path in repo/ -> target; {{OUTSIDE}} stands for the copy
//	            of outside/.
//	  generate: big inputs written at test time: a list of
//	            {path, line, count}, line repeated count times.
//	  git:      true makes repo/ a git repository (one commit), then
//	            plants programs in every git setting that runs one
//	            (gittest.PlantPrograms): none may run. `check --staged`
//	            is run too, and `diff` compares with that commit.
//	  exit:     expected exit code per command: check, render, list,
//	            images, diff, staged. A command left out must exit 1 or 2
//	            (findings, or a usage/configuration error).
//
// A case from another area (an alias bomb, a diamond of bases, a looping
// policy, secrets in every output) is added by adding its directory.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/gitx/gittest"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
)

const (
	hostileDir = "../../testdata/repos/hostile"
	// outsideMarker is planted in every file beside a case's repository.
	outsideMarker = "gitops-lint-outside-marker"
	// hostileDeadline is generous: the test proves a run ends, the
	// benchmarks measure how fast.
	hostileDeadline = 120 * time.Second
	// hostileMemory is the address-space ceiling of a run (Go reserves
	// address space well beyond what it touches), and hostileRSS the
	// resident memory a run may reach.
	hostileMemory = 8 << 30
	hostileRSS    = 1 << 30
)

// hostileCase is a case.yaml.
type hostileCase struct {
	About    string            `yaml:"about"`
	Render   string            `yaml:"render"`
	Links    map[string]string `yaml:"links"`
	Generate []struct {
		Path  string `yaml:"path"`
		Line  string `yaml:"line"`
		Count int    `yaml:"count"`
	} `yaml:"generate"`
	Git  bool           `yaml:"git"`
	Exit map[string]int `yaml:"exit"`
}

func TestHostileInput(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every command over every case in a child process")
	}
	if runtime.GOOS == "windows" {
		t.Skip("symlinks, ulimit and process groups")
	}
	entries, err := os.ReadDir(hostileDir)
	if err != nil {
		t.Fatal(err)
	}
	bin := cliBinary(t)
	strace := ""
	if runtime.GOOS == "linux" {
		strace, _ = exec.LookPath("strace")
	}
	if strace == "" {
		t.Log("strace is not installed: opens outside the repository are not traced")
	}
	schemas, err := filepath.EvalSymlinks(t.TempDir()) // shared: schemas are not the repository's
	if err != nil {
		t.Fatal(err)
	}
	fakes := secretstest.NewFakes()
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			hc, root, outside := setUpCase(t, fakes, e.Name())
			// The cases are set up one at a time (fakes is not safe for
			// concurrent use), then run side by side: each command is a
			// process of its own with its own directories, and the shared
			// schema cache is written atomically.
			t.Parallel()
			for _, cmd := range hostileCommands(hc, root, schemas) {
				t.Run(cmd.name, func(t *testing.T) {
					// The Go runtime's soft limit keeps a run's garbage
					// from being what fails the resident-memory check.
					r := runHostile(t, bin, strace, cmd.args, "GOMEMLIMIT=512MiB")
					want, ok := hc.Exit[cmd.name]
					switch {
					case r.timedOut:
						t.Fatalf("%v did not finish within %v", cmd.args, hostileDeadline)
					case ok && r.code != want:
						t.Errorf("exit %d, want %d; stderr:\n%s", r.code, want, clip(r.stderr))
					case !ok && r.code != exitFindings && r.code != exitError:
						t.Errorf("exit %d, want 1 or 2; stderr:\n%s", r.code, clip(r.stderr))
					}
					if r.maxRSS > hostileRSS && !raceEnabled {
						t.Errorf("resident memory reached %d MiB", r.maxRSS>>20)
					}
					leaks := append([]string{outsideMarker}, fakes.Secret...)
					r.checkNoLeak(t, leaks)
					if strace != "" {
						r.checkOpens(t, root, outside, bin, schemas)
					}
				})
			}
		})
	}
}

type hostileCommand struct {
	name string
	args []string
}

// hostileCommands are the commands run over a case. Each gets its own
// output file, cache directory and temporary directory (see runHostile).
func hostileCommands(hc hostileCase, root, schemas string) []hostileCommand {
	target := filepath.Join(root, filepath.FromSlash(hc.Render))
	cmds := []hostileCommand{
		{"check", []string{"check", root, "-f", "json", "-o", "{OUT}", "--schema-cache-dir", schemas, "--cache-dir", "{CACHE}"}},
		{"render", []string{"render", "--root", root, target}},
		{"list", []string{"list", root, "--files"}},
		{"images", []string{"images", root}},
		{"diff", []string{"diff", root, "--base", "HEAD", "-o", "{OUT}", "--schema-cache-dir", schemas}},
	}
	if hc.Git {
		cmds = append(cmds, hostileCommand{"staged", []string{"check", root, "--staged", "--schema-cache-dir", schemas}})
	}
	return cmds
}

// setUpCase copies a case into a temporary directory (repo/ and outside/
// side by side), makes its links and generated files, and returns the
// case, the repository root and the outside directory, both absolute
// with symlinks resolved.
func setUpCase(t testing.TB, fakes *secretstest.Fakes, name string) (hostileCase, string, string) {
	t.Helper()
	src := filepath.Join(hostileDir, name)
	var hc hostileCase
	if data, err := os.ReadFile(filepath.Join(src, "case.yaml")); err == nil {
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&hc); err != nil {
			t.Fatalf("%s/case.yaml: %v", name, err)
		}
	}
	if hc.Render == "" {
		hc.Render = "."
	}
	base, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(base, "repo")
	if err := os.CopyFS(root, os.DirFS(fakes.Materialise(t, filepath.Join(src, "repo")))); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(base, "outside")
	if _, err := os.Stat(filepath.Join(src, "outside")); err == nil {
		if err := os.CopyFS(outside, os.DirFS(filepath.Join(src, "outside"))); err != nil {
			t.Fatal(err)
		}
	} else if err := os.Mkdir(outside, 0o755); err != nil {
		t.Fatal(err)
	}
	// Whatever the case names, something outside carries the marker.
	if err := os.WriteFile(filepath.Join(outside, "marker.txt"), []byte(outsideMarker+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range hc.Links {
		p := filepath.Join(root, filepath.FromSlash(link))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(strings.ReplaceAll(target, "{{OUTSIDE}}", outside), p); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range hc.Generate {
		p := filepath.Join(root, filepath.FromSlash(g.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, bytes.Repeat([]byte(g.Line), g.Count), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if hc.Git {
		r := gittest.Init(t, root)
		r.Commit("base")
		marker := r.PlantPrograms()
		t.Cleanup(func() {
			if data, err := os.ReadFile(marker); err == nil {
				t.Errorf("a command made git run a program the repository configured:\n%s", data)
			}
		})
	}
	// The case itself must not hold what the test looks for.
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		if data, err := os.ReadFile(p); err == nil && bytes.Contains(data, []byte(outsideMarker)) {
			t.Fatalf("%s holds the outside marker: the case is wrong", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return hc, root, outside
}

// cliBinary is this test binary, which runs as gitops-lint with cliEnv
// set (see TestMain): no separate build.
func cliBinary(t testing.TB) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if bin, err = filepath.EvalSymlinks(bin); err != nil {
		t.Fatal(err)
	}
	return bin
}

// hostileRun is what one command left behind.
type hostileRun struct {
	code           int
	timedOut       bool
	stdout, stderr string
	maxRSS         int64
	// dirs the run could write to: its -o file's directory, cache,
	// home and temporary directory.
	dirs  []string
	trace string // strace output file, "" without strace
	work  string // the working directory
}

// runHostile runs the binary with args ({OUT} and {CACHE} replaced) under
// an address-space ceiling (ulimit -v) and a deadline, in a process group
// that is killed whole on timeout, with HOME, XDG_CACHE_HOME and TMPDIR
// of its own, and env added to its environment.
func runHostile(t testing.TB, bin, strace string, args []string, env ...string) hostileRun {
	t.Helper()
	r := hostileRun{work: t.TempDir()}
	out, cache, home, tmp := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	r.dirs = []string{out, cache, home, tmp}
	args = append([]string(nil), args...)
	for i, a := range args {
		args[i] = strings.NewReplacer("{OUT}", filepath.Join(out, "report"), "{CACHE}", cache).Replace(a)
	}
	argv := append([]string{bin}, args...)
	if strace != "" {
		r.trace = filepath.Join(t.TempDir(), "trace")
		// --seccomp-bpf stops the process only at the traced calls, not at
		// every futex and read of the Go runtime: the same trace at a
		// fraction of the cost.
		argv = append([]string{strace, "-f", "--seccomp-bpf", "-qq", "-e", "trace=open,openat,openat2,creat,execve", "-e", "signal=none", "-o", r.trace}, argv...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), hostileDeadline)
	defer cancel()
	script := fmt.Sprintf(`ulimit -v %d && exec "$@"`, hostileMemory>>10)
	if raceEnabled {
		script = `exec "$@"` // the race detector maps terabytes of shadow memory
	}
	cmd := exec.CommandContext(ctx, "/bin/sh", append([]string{"-c", script, "sh"}, argv...)...)
	cmd.Dir = r.work
	cmd.Env = append(os.Environ(), cliEnv+"=1", "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "TMPDIR="+tmp, "NO_COLOR=1", "CI=1")
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader("") // a link to /dev/stdin must not wait for a terminal
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	r.stdout, r.stderr = stdout.String(), stderr.String()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		r.timedOut = true
	case errors.As(err, &exitErr):
		r.code = exitErr.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			r.maxRSS = int64(ru.Maxrss) << 10 //nolint:unconvert // kilobytes on Linux; int32 on 32-bit platforms
		}
	}
	return r
}

// checkNoLeak looks for each value in the run's output and in every file
// it could write.
func (r hostileRun) checkNoLeak(t *testing.T, values []string) {
	t.Helper()
	where := map[string]string{"stdout": r.stdout, "stderr": r.stderr}
	for _, d := range r.dirs {
		_ = filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.Type().IsRegular() {
				if data, err := os.ReadFile(p); err == nil {
					where[p] = string(data)
				}
			}
			return nil
		})
	}
	for name, text := range where {
		for _, v := range values {
			if v != "" && strings.Contains(text, v) {
				if v == outsideMarker {
					t.Errorf("%s holds bytes from outside the repository", name)
				} else {
					t.Errorf("%s holds a planted secret", name)
				}
			}
		}
	}
}

var (
	// traceOpen matches an open in strace -f output: pid, path.
	traceOpen = regexp.MustCompile(`^(\d+)\s+(?:open|openat|openat2|creat)\((?:[A-Z_]+|\d+, )?(?:, )?"((?:[^"\\]|\\.)*)"`)
	// traceExec matches an execve: pid, program.
	traceExec = regexp.MustCompile(`^(\d+)\s+execve\("((?:[^"\\]|\\.)*)"`)
)

// systemPaths are what the Go runtime and the system open for any
// program: nothing of a user's.
var systemPaths = []string{"/proc/", "/sys/", "/dev/null", "/dev/urandom", "/etc/localtime", "/usr/share/zoneinfo/", "/etc/ld.so.", "/lib", "/usr/lib"}

// checkOpens reads the strace output: the gitops-lint process (not the
// git commands it runs, which read git's own files) opens nothing outside
// the repository, its own binary, the directories it was given, and the
// system files any program opens; and nothing at all in outside.
func (r hostileRun) checkOpens(t *testing.T, root, outside, bin, schemas string) {
	t.Helper()
	data, err := os.ReadFile(r.trace)
	if err != nil {
		t.Fatalf("strace wrote nothing: %v", err)
	}
	others := map[string]bool{} // pids that exec another program (git)
	allowed := append([]string{root + "/", bin, r.work, schemas + "/"}, r.dirs...)
	allowed = append(allowed, systemPaths...)
	var bad []string
	opens := 0
	for line := range strings.Lines(string(data)) {
		if m := traceExec.FindStringSubmatch(line); m != nil {
			if m[2] != bin && !strings.HasSuffix(m[2], "/sh") {
				others[m[1]] = true
			}
			continue
		}
		m := traceOpen.FindStringSubmatch(line)
		if m == nil || others[m[1]] {
			continue
		}
		opens++
		p := m[2]
		if !filepath.IsAbs(p) {
			p = filepath.Join(r.work, p)
		}
		p = filepath.Clean(p)
		// strace shows the name asked for; the kernel follows symlinks
		// in it, but not in its last element under O_NOFOLLOW (the open
		// of a link then fails). The case's links are still in place:
		// resolve them as the kernel did.
		if strings.Contains(line, "O_NOFOLLOW") {
			if dir, err := filepath.EvalSymlinks(filepath.Dir(p)); err == nil {
				p = filepath.Join(dir, filepath.Base(p))
			}
		} else if resolved, err := filepath.EvalSymlinks(p); err == nil {
			p = resolved
		}
		if p == outside || strings.HasPrefix(p, outside+"/") {
			bad = append(bad, p)
			continue
		}
		if p == root || slicesHasPrefix(allowed, p) {
			continue
		}
		bad = append(bad, p)
	}
	if len(bad) > 0 {
		t.Errorf("opened outside the repository:\n%s", strings.Join(bad, "\n"))
	}
	if opens == 0 {
		t.Error("strace saw no open at all: the trace is not being read")
	}
}

func slicesHasPrefix(prefixes []string, p string) bool {
	for _, pre := range prefixes {
		if p == pre || strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// clip shortens a long stderr for a failure message.
func clip(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
