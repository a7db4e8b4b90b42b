package report

import (
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

func TestImageCell(t *testing.T) {
	digest := "sha256:" + strings.Repeat("0123456789", 6) + "abcd"
	tests := []struct {
		name string
		refs []gitops.Image
		want string
	}{
		{name: "absent", want: "-"},
		{name: "tag", refs: []gitops.Image{{Tag: "1.2"}}, want: "1.2"},
		{name: "digest shortened", refs: []gitops.Image{{Digest: digest}}, want: "@sha256:012345678901"},
		{name: "tag and digest", refs: []gitops.Image{{Tag: "1.2", Digest: digest}}, want: "1.2@sha256:012345678901"},
		{name: "neither", refs: []gitops.Image{{Ref: "nginx"}}, want: "(no tag)"},
		{name: "several", refs: []gitops.Image{{Tag: "1"}, {Tag: "2"}}, want: "1, 2"},
	}
	for _, tt := range tests {
		if got := imageCell(tt.refs); got != tt.want {
			t.Errorf("%s: imageCell = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestWriteImagesEscapes keeps repository text from breaking a Markdown
// table or reaching a terminal as control characters.
func TestWriteImagesEscapes(t *testing.T) {
	p := &gitops.Promotion{Groups: []gitops.Group{{
		Name:         "apps/*",
		Environments: []gitops.Env{{Name: "a|b", Target: "apps/a|b"}},
		Images:       []gitops.ImageRow{{Name: "x\x1b[31m", Refs: map[string][]gitops.Image{"a|b": {{Tag: "`1`"}}}}},
	}}}
	var md, text strings.Builder
	if err := WriteImages(&md, p, "markdown"); err != nil {
		t.Fatal(err)
	}
	if err := WriteImages(&text, p, "text"); err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{md.String(), text.String()} {
		if strings.Contains(out, "\x1b") {
			t.Errorf("control character in output:\n%q", out)
		}
	}
	for _, want := range []string{`## apps/\*`, "| image | a\\|b | drift |", "\\`1\\`"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, md.String())
		}
	}
	if err := WriteImages(&md, p, "sarif"); err == nil {
		t.Error("unknown format accepted")
	}
}
