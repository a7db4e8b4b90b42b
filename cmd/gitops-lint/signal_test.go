package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/synth"
)

// TestSignalStopsRun runs the CLI (the test binary acting as it, see
// TestMain) on the 800-target synthetic
// repository, sends SIGTERM or SIGINT mid-run and checks that it exits
// with the signal's code and leaves no report, whole or partial, behind.
// The deadline is generous: the two-second target is measured, not
// asserted (see the README's figures).
func TestSignalStopsRun(t *testing.T) {
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("writes a large repository; POSIX signals")
	}
	dir := t.TempDir()
	repo := filepath.Join(dir, "repo")
	if _, err := synth.Generate(repo, synth.Options{Apps: 200, Layout: synth.Argo}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		signal   syscall.Signal
		wantCode int
	}{
		{name: "SIGTERM", signal: syscall.SIGTERM, wantCode: 143},
		{name: "SIGINT", signal: syscall.SIGINT, wantCode: 130},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outDir := t.TempDir()
			report := filepath.Join(outDir, "report.sarif")
			schemas := filepath.Join(t.TempDir(), "schemas")
			cmd := exec.Command(os.Args[0], "check", repo, "--no-cache", "--schema-cache-dir", schemas, "-f", "sarif", "-o", report)
			cmd.Env = append(os.Environ(), cliEnv+"=1")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Mid-run: the run has set up its signal handling and made
			// its schema cache (a loaded machine may take seconds to get
			// there, and a signal before it kills the process the
			// default way), and renders are under way.
			if !waitFor(schemas, 60*time.Second) {
				_ = cmd.Process.Kill()
				t.Fatal("the run made no schema cache within 60 s")
			}
			if err := cmd.Process.Signal(tt.signal); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatal("the run did not stop within 60 s of the signal")
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tt.wantCode {
				t.Fatalf("exit: %v, want code %d", err, tt.wantCode)
			}
			entries, err := os.ReadDir(outDir)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				t.Errorf("left %s behind", e.Name())
			}
		})
	}
}

// waitFor polls until path exists, for at most d.
func waitFor(path string, d time.Duration) bool {
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
	}
	return false
}
