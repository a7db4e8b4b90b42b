package githook

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// newRepo creates a git repository with one commit in a temporary
// directory, isolated from the user's and the system's git configuration
// (a global core.hooksPath would move every hook).
func newRepo(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	t.Setenv("GIT_CONFIG_GLOBAL", os.DevNull)
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	for _, k := range []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"} {
		if v, ok := os.LookupEnv(k); ok {
			os.Unsetenv(k)
			t.Cleanup(func() { os.Setenv(k, v) })
		}
	}
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	git(t, dir, "config", "user.name", "Test")
	git(t, dir, "config", "user.email", "test@example.com")
	git(t, dir, "commit", "-q", "--allow-empty", "-m", "initial")
	return dir
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var checkStaged = []string{"check", "--staged"}

const foreignHook = "#!/bin/sh\necho theirs\n"

func TestInstallAndUninstall(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")

	res, err := Install(ctx, Options{Dir: repo, Args: checkStaged})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != hook || res.Action != "installed" || res.Backup != "" {
		t.Errorf("Install = %+v, want installed at %s", res, hook)
	}
	fi, err := os.Stat(hook)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o111 == 0 {
		t.Errorf("hook mode %v is not executable", fi.Mode())
	}
	content := readFile(t, hook)
	if !strings.HasPrefix(content, "#!/bin/sh\n"+Marker+"\n") || !strings.Contains(content, "exec gitops-lint check --staged;") {
		t.Errorf("hook content:\n%s", content)
	}

	if res, err = Install(ctx, Options{Dir: repo, Args: checkStaged}); err != nil || res.Action != "updated" {
		t.Errorf("second Install = %+v, %v; want updated", res, err)
	}
	if res, err = Uninstall(ctx, repo); err != nil || res.Action != "removed" || res.Backup != "" {
		t.Errorf("Uninstall = %+v, %v; want removed", res, err)
	}
	if _, err := os.Lstat(hook); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("hook still there after Uninstall: %v", err)
	}
	if res, err = Uninstall(ctx, repo); err != nil || res.Action != "absent" {
		t.Errorf("Uninstall without a hook = %+v, %v; want absent", res, err)
	}
}

func TestForeignHookIsNeverClobbered(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")
	backup := hook + backupSuffix
	writeFile(t, hook, foreignHook, 0o755)

	if _, err := Install(ctx, Options{Dir: repo, Args: checkStaged}); !errors.Is(err, ErrForeignHook) {
		t.Fatalf("Install over a foreign hook: err = %v, want ErrForeignHook", err)
	} else if !strings.Contains(err.Error(), "gitops-lint check --staged") || !strings.Contains(err.Error(), "--force") {
		t.Errorf("the error does not say what to do: %v", err)
	}
	if _, err := Uninstall(ctx, repo); !errors.Is(err, ErrForeignHook) {
		t.Errorf("Uninstall of a foreign hook: err = %v, want ErrForeignHook", err)
	}
	if got := readFile(t, hook); got != foreignHook {
		t.Fatalf("the foreign hook changed:\n%s", got)
	}

	res, err := Install(ctx, Options{Dir: repo, Args: checkStaged, Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Backup != backup || readFile(t, backup) != foreignHook {
		t.Errorf("Install --force = %+v; the foreign hook is not at %s", res, backup)
	}
	// A second forced install updates ours and keeps the backup.
	if res, err = Install(ctx, Options{Dir: repo, Args: checkStaged, Force: true}); err != nil || res.Action != "updated" || res.Backup != "" {
		t.Errorf("second Install --force = %+v, %v; want updated, no new backup", res, err)
	}
	if readFile(t, backup) != foreignHook {
		t.Error("the backup changed")
	}

	res, err = Uninstall(ctx, repo)
	if err != nil || res.Backup != backup {
		t.Fatalf("Uninstall = %+v, %v; want the backup restored", res, err)
	}
	if got := readFile(t, hook); got != foreignHook {
		t.Errorf("after Uninstall the hook is:\n%s\nwant the foreign one back", got)
	}
	if _, err := os.Lstat(backup); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup still there: %v", err)
	}
}

func TestForceRefusesToOverwriteABackup(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")
	writeFile(t, hook, foreignHook, 0o755)
	writeFile(t, hook+backupSuffix, "#!/bin/sh\necho older\n", 0o755)
	if _, err := Install(ctx, Options{Dir: repo, Args: checkStaged, Force: true}); !errors.Is(err, ErrForeignHook) {
		t.Fatalf("err = %v, want ErrForeignHook", err)
	}
	if readFile(t, hook) != foreignHook || readFile(t, hook+backupSuffix) != "#!/bin/sh\necho older\n" {
		t.Error("a hook changed")
	}
}

func TestSymlinkedHookIsForeign(t *testing.T) {
	ctx := context.Background()
	repo := newRepo(t)
	shared := filepath.Join(t.TempDir(), "shared-hook")
	writeFile(t, shared, "#!/bin/sh\n"+Marker+"\n", 0o755)
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")
	if err := os.Symlink(shared, hook); err != nil {
		t.Skip(err)
	}
	if _, err := Install(ctx, Options{Dir: repo, Args: checkStaged}); !errors.Is(err, ErrForeignHook) {
		t.Errorf("Install over a symlink: err = %v, want ErrForeignHook", err)
	}
	if _, err := Uninstall(ctx, repo); !errors.Is(err, ErrForeignHook) {
		t.Errorf("Uninstall of a symlink: err = %v, want ErrForeignHook", err)
	}
}

func TestWhereTheHookGoes(t *testing.T) {
	tests := []struct {
		name string
		// setup prepares the repository and returns the directory to
		// install from and the hook path git will run.
		setup      func(t *testing.T, repo string) (dir, hook string)
		wantPrefix string
	}{
		{
			name: "top of the work tree",
			setup: func(t *testing.T, repo string) (string, string) {
				return repo, filepath.Join(repo, ".git", "hooks", "pre-commit")
			},
		},
		{
			name: "subdirectory: the hook checks it",
			setup: func(t *testing.T, repo string) (string, string) {
				dir := filepath.Join(repo, "deploy", "it's here")
				writeFile(t, filepath.Join(dir, "k.yaml"), "", 0o644)
				return dir, filepath.Join(repo, ".git", "hooks", "pre-commit")
			},
			wantPrefix: `'deploy/it'\''s here'`,
		},
		{
			name: "linked worktree: hooks are shared with the main one",
			setup: func(t *testing.T, repo string) (string, string) {
				wt := filepath.Join(t.TempDir(), "wt")
				git(t, repo, "worktree", "add", "-q", wt)
				if _, err := os.Stat(filepath.Join(wt, ".git")); err != nil {
					t.Fatal(err)
				}
				return wt, filepath.Join(repo, ".git", "hooks", "pre-commit")
			},
		},
		{
			name: "relative core.hooksPath, from a subdirectory",
			setup: func(t *testing.T, repo string) (string, string) {
				git(t, repo, "config", "core.hooksPath", ".githooks")
				dir := filepath.Join(repo, "apps")
				writeFile(t, filepath.Join(dir, "k.yaml"), "", 0o644)
				return dir, filepath.Join(repo, ".githooks", "pre-commit")
			},
			wantPrefix: "apps",
		},
		{
			name: "absolute core.hooksPath that does not exist yet",
			setup: func(t *testing.T, repo string) (string, string) {
				hooks := filepath.Join(t.TempDir(), "shared", "hooks")
				git(t, repo, "config", "core.hooksPath", hooks)
				return repo, filepath.Join(hooks, "pre-commit")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := newRepo(t)
			dir, want := tt.setup(t, repo)
			res, err := Install(context.Background(), Options{Dir: dir, Args: checkStaged})
			if err != nil {
				t.Fatal(err)
			}
			if !sameFile(t, res.Path, want) {
				t.Errorf("hook written to %s, want %s", res.Path, want)
			}
			wantExec := "exec gitops-lint check --staged;"
			if tt.wantPrefix != "" {
				wantExec = "exec gitops-lint check --staged " + tt.wantPrefix + ";"
			}
			if content := readFile(t, want); !strings.Contains(content, wantExec) {
				t.Errorf("hook lacks %q:\n%s", wantExec, content)
			}
		})
	}
}

// sameFile compares two paths to one existing file, whatever symlinks
// (macOS's /var) lie on the way.
func sameFile(t *testing.T, a, b string) bool {
	t.Helper()
	fa, err := os.Stat(a)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(fa, fb)
}

func TestNotAWorkTree(t *testing.T) {
	repo := newRepo(t)
	for name, dir := range map[string]string{
		"plain directory": t.TempDir(),
		"inside .git":     filepath.Join(repo, ".git"),
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := Install(context.Background(), Options{Dir: dir, Args: checkStaged}); err == nil || !strings.Contains(err.Error(), "not inside a git working tree") {
				t.Errorf("Install: err = %v, want not inside a git working tree", err)
			}
			if _, err := Uninstall(context.Background(), dir); err == nil {
				t.Error("Uninstall: no error")
			}
		})
	}
}

// TestCommitRunsTheHook commits through the installed hook with a stand-in
// gitops-lint on PATH: the hook must pass its arguments, run from the top
// of the work tree, run a hook it moved aside first, and block the commit
// when gitops-lint fails.
func TestCommitRunsTheHook(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	ctx := context.Background()
	repo := newRepo(t)
	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "log")
	// The stand-in records its arguments and directory, and exits with
	// the code in $FAKE_EXIT.
	writeFile(t, filepath.Join(bin, "gitops-lint"),
		"#!/bin/sh\necho \"gitops-lint $* in $(pwd)\" >> '"+log+"'\nexit ${FAKE_EXIT:-0}\n", 0o755)
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	hook := filepath.Join(repo, ".git", "hooks", "pre-commit")
	writeFile(t, hook, "#!/bin/sh\necho \"previous hook\" >> '"+log+"'\n", 0o755)
	if _, err := Install(ctx, Options{Dir: filepath.Join(repo), Args: checkStaged, Force: true}); err != nil {
		t.Fatal(err)
	}

	writeFile(t, filepath.Join(repo, "a.yaml"), "a: 1\n", 0o644)
	git(t, repo, "add", "a.yaml")
	t.Setenv("FAKE_EXIT", "1")
	if out, err := exec.Command("git", "-C", repo, "commit", "-q", "-m", "blocked").CombinedOutput(); err == nil {
		t.Errorf("the commit went through although gitops-lint failed:\n%s", out)
	}
	t.Setenv("FAKE_EXIT", "0")
	git(t, repo, "commit", "-q", "-m", "passes")

	top := git(t, repo, "rev-parse", "--show-toplevel")
	want := strings.Repeat("previous hook\ngitops-lint check --staged in "+top+"\n", 2)
	if got := readFile(t, log); got != want {
		t.Errorf("hook runs:\n%s\nwant:\n%s", got, want)
	}
}

// TestFallbackBinary commits with a PATH that has git and sh but no
// gitops-lint, as in a graphical git client.
func TestFallbackBinary(t *testing.T) {
	gitPath, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed")
	}
	shPath, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	tests := []struct {
		name       string
		fallback   bool
		wantCommit bool
		wantOutput string
	}{
		{name: "the binary that installed the hook", fallback: true, wantCommit: true},
		{name: "none", wantOutput: "gitops-lint: not found in PATH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			repo := newRepo(t)
			log := filepath.Join(t.TempDir(), "log")
			// A directory name that needs quoting in the script.
			binary := filepath.Join(t.TempDir(), "it's a dir", "gitops-lint")
			writeFile(t, binary, "#!/bin/sh\necho \"$*\" > '"+log+"'\n", 0o755)
			opts := Options{Dir: repo, Args: checkStaged}
			if tt.fallback {
				opts.Fallback = binary
			}
			if _, err := Install(context.Background(), opts); err != nil {
				t.Fatal(err)
			}
			t.Setenv("PATH", filepath.Dir(gitPath)+string(os.PathListSeparator)+filepath.Dir(shPath))
			if _, err := exec.LookPath("gitops-lint"); err == nil {
				t.Skip("gitops-lint is installed beside git")
			}
			out, err := exec.Command(gitPath, "-C", repo, "commit", "-q", "--allow-empty", "-m", "x").CombinedOutput()
			if committed := err == nil; committed != tt.wantCommit {
				t.Errorf("committed = %v, want %v:\n%s", committed, tt.wantCommit, out)
			}
			if !strings.Contains(string(out), tt.wantOutput) {
				t.Errorf("output %q lacks %q", out, tt.wantOutput)
			}
			if tt.fallback && readFile(t, log) != "check --staged\n" {
				t.Errorf("fallback ran with %q", readFile(t, log))
			}
		})
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{in: "--staged", want: "--staged"},
		{in: "deploy/apps", want: "deploy/apps"},
		{in: "", want: "''"},
		{in: "a b", want: "'a b'"},
		{in: "it's", want: `'it'\''s'`},
		{in: "$(rm -rf /)", want: "'$(rm -rf /)'"},
		{in: "`x`;y", want: "'`x`;y'"},
	}
	for _, tt := range tests {
		if got := shellQuote(tt.in); got != tt.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}
