package main

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/apis"
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

// TestREADMEVersions keeps the accepted Kubernetes versions the README
// states equal to what the flag help and the init template say, which
// kubernetesVersions derives from the API table: the sentence itself in
// the flag table, and the same range wherever a range of minors is given.
func TestREADMEVersions(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	e := &env{apiIndex: apis.Load}
	sentence, _ := kubernetesVersions(e)
	if !strings.Contains(string(readme), "the release to check against: "+sentence+" |") {
		t.Errorf("the README's --kubernetes-version row does not say %q", sentence)
	}
	bounds := regexp.MustCompile(`from (1\.\d+) to (1\.\d+)`).FindStringSubmatch(sentence)
	if bounds == nil {
		t.Fatalf("%q states no range", sentence)
	}
	oldest, newest := bounds[1], bounds[2]
	ranges := regexp.MustCompile("minor from `?(1\\.\\d+)`? to `?(1\\.\\d+)`?|minor since `?(1\\.\\d+)`?").FindAllStringSubmatch(string(readme), -1)
	if len(ranges) < 3 {
		t.Fatalf("found %d statements of the version range in the README, want the overview, the flag table and the configuration example", len(ranges))
	}
	for _, m := range ranges {
		if from := m[1] + m[3]; from != oldest || (m[2] != "" && m[2] != newest) {
			t.Errorf("README says %q; the API table accepts %s to %s", m[0], oldest, newest)
		}
	}
	for _, text := range []string{string(initTemplate(e)), newCheckCommand(e).Flags().Lookup("kubernetes-version").Usage} {
		if !strings.Contains(text, sentence) {
			t.Errorf("%q does not state the accepted versions as %q", text, sentence)
		}
	}
}
