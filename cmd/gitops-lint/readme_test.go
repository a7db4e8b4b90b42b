package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestREADMEDemoOutput keeps the output the README shows for `make demo`
// equal to what `gitops-lint check testdata/repos/demo` prints, but for the
// elapsed time. When a change alters the demo's findings, paste the new
// output (go run ./cmd/gitops-lint check testdata/repos/demo) into README.md.
func TestREADMEDemoOutput(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const intro = "`make demo` prints:\n\n```text\n"
	_, block, ok := strings.Cut(string(readme), intro)
	if !ok {
		t.Fatal("README.md has no \"`make demo` prints:\" block")
	}
	block, _, _ = strings.Cut(block, "```")

	code, stdout, stderr := runCLI(t, "check", reposDir+"/demo", "--cache-dir", t.TempDir())
	if code != 1 {
		t.Fatalf("exit code %d, want 1 (the demo has deliberate errors); stderr:\n%s", code, stderr)
	}
	elapsed := regexp.MustCompile(`\(in [0-9.]+(ms|s|µs)\)`)
	want := elapsed.ReplaceAllString(block, "(in TIME)")
	got := elapsed.ReplaceAllString(stdout, "(in TIME)")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README's demo output differs from the command's (-README +command):\n%s", diff)
	}
}
