// Command gitops-lint checks GitOps manifests repositories: it renders
// every kustomize overlay in process, validates every resource offline and
// reports findings that point at the line to edit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
)

// version is stamped by the Makefile's ldflags; it is the only copy.
var version = "dev"

func main() {
	ctx, interrupted := cancelOnSignal(os.Exit)
	stderr := os.Stderr
	// kustomize writes deprecation warnings straight to os.Stderr and vars
	// warnings to the standard logger, once per target that reads a
	// kustomization: hundreds of repeated lines in a large repository, and
	// in the middle of a progress bar. Our own diagnostics go to the real
	// stderr captured above; runtime panics still reach file descriptor 2.
	if devNull, err := os.Open(os.DevNull); err == nil {
		os.Stderr = devNull
	}
	log.SetOutput(io.Discard)
	tuneGC(os.Getenv)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, stderr)
	if c := interrupted(); c != 0 {
		code = c
	}
	os.Exit(code)
}

// graceTime is how long a run may take to wind down after the first
// signal: renders are abandoned at once and reports are written whole or
// not at all, so this only bounds a step that does not watch the context.
const graceTime = 1500 * time.Millisecond

// cancelOnSignal cancels the returned context on the first SIGINT or
// SIGTERM, so that the run stops scheduling work and returns. A second
// signal, or a run still going after graceTime, ends the process through
// exit. The returned function gives the exit code the signal calls for
// (130 for SIGINT, 143 for SIGTERM, as a shell reports them), or 0 when
// none came.
func cancelOnSignal(exit func(int)) (context.Context, func() int) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	var code atomic.Int32
	go func() {
		s := <-sigs
		c := signalExitCode(s)
		code.Store(int32(c))
		cancel(fmt.Errorf("interrupted by %v", s))
		select {
		case <-sigs:
		case <-time.After(graceTime):
		}
		exit(c)
	}()
	return ctx, func() int { return int(code.Load()) }
}

// signalExitCode is 128 plus the signal number.
func signalExitCode(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 128 + int(syscall.SIGINT)
}

// tuneGC trades memory for speed in large runs unless the user chose
// GOGC or GOMEMLIMIT. A run starts collecting as often as Go does by
// default: a short run (a pre-commit check, a small repository) allocates
// a few hundred MiB at most, and letting its heap grow to five times what
// is live only makes the kernel hand out and zero pages the run touches
// once (on the pre-commit check of the 800-target repository, about a
// quarter of its system time). Once a run has allocated largeRun, it is
// rendering many targets: kustomize's short-lived YAML trees dominate
// while the live heap stays comparatively small (60 MiB for most of an
// 800-target run), so collecting four times less often cuts a third of
// the wall time; the soft limit makes the collector work harder again
// before memory gets large. It leaves room for the live heap of a large
// run (several hundred MiB at 10,000 targets): with a limit near the live
// heap the collector runs without pause; under a 768 MiB limit such a
// run was still going after ten minutes, a third of its CPU spent
// collecting.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		afterCollection(collectLessOnceLarge)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(1280 << 20)
	}
}

// largeRun is how much a run allocates before it collects less often: a
// pre-commit check of the 800-target repository allocates about 160 MiB,
// a check of all of it about 4.7 GiB.
const largeRun = 256 << 20

// collectLessOnceLarge sets GOGC=400 once the run has allocated largeRun
// bytes, and reports whether to keep watching.
func collectLessOnceLarge(allocated uint64) bool {
	if allocated < largeRun {
		return true
	}
	debug.SetGCPercent(400)
	return false
}

// afterCollection calls f with the bytes allocated so far after each
// garbage collection, from the finalizer goroutine, for as long as f
// returns true. A finalizer is how the runtime tells a program that a
// collection ran; the object it is set on has a pointer so that it is
// allocated alone, never batched with others that would keep it alive.
func afterCollection(f func(allocated uint64) bool) {
	type sentinel struct{ _ *byte }
	allocs := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			metrics.Read(allocs)
			if f(allocs[0].Value.Uint64()) {
				arm()
			}
		})
	}
	arm()
}

// Exit codes.
const (
	exitClean    = 0
	exitFindings = 1
	exitError    = 2
)

// exitCodeError carries an exit code through cobra without printing.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// run executes the command line and returns the process exit code. It is
// what tests call, in process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runEnv(ctx, args, &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv})
}

// runEnv is run with the process's side given whole.
func runEnv(ctx context.Context, args []string, e *env) int {
	stderr := e.stderr
	cmd := newRootCommand(e)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	var ec *exitCodeError
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &ec):
		return ec.code
	case ctx.Err() != nil:
		// Cancelled (main turns a signal into its own exit code): say
		// why once, not as the error of whatever step was running.
		fmt.Fprintf(stderr, "gitops-lint: %v\n", context.Cause(ctx))
		return exitError
	default:
		// An error may quote the repository (a value of the configuration
		// file, a git message), and runs before the secret values of the
		// repository are known: gitleaks' own rules screen it.
		fmt.Fprintf(stderr, "gitops-lint: %s\n", secrets.Scrub(context.WithoutCancel(ctx), err.Error()))
		return exitError
	}
}
