// Command gitops-lint checks GitOps manifests repositories: it renders
// every kustomize overlay in process, validates every resource offline and
// reports findings that point at the line to edit.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is stamped by the Makefile's ldflags; it is the only copy.
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
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
	cmd := newRootCommand(&env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv})
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	var ec *exitCodeError
	switch {
	case err == nil:
		return exitClean
	case errors.As(err, &ec):
		return ec.code
	default:
		fmt.Fprintf(stderr, "gitops-lint: %v\n", err)
		return exitError
	}
}
