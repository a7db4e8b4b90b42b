package suppress

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

func TestScanFile(t *testing.T) {
	type covered struct {
		Rules    []string
		Reason   string
		Line     int
		From, To int
	}
	tests := []struct {
		name string
		data string
		want []covered
	}{
		{
			name: "trailing comment covers its line",
			data: "a: 1\nb: 2 # gitops-lint:ignore rule-a the reason\n",
			want: []covered{{Rules: []string{"rule-a"}, Reason: "the reason", Line: 2, From: 2, To: 2}},
		},
		{
			name: "comment alone covers the next content line",
			data: "a: 1\n  # gitops-lint:ignore rule-a,rule-b why\n\n  # more words\nb: 2\n",
			want: []covered{{Rules: []string{"rule-a", "rule-b"}, Reason: "why", Line: 2, From: 5, To: 5}},
		},
		{
			name: "document head covers the document",
			data: "# gitops-lint:ignore rule-a why\napiVersion: v1\nkind: X\n---\nkind: Y\n",
			want: []covered{{Rules: []string{"rule-a"}, Reason: "why", Line: 1, From: 1, To: 3}},
		},
		{
			name: "head of the second document",
			data: "kind: X\n---\n# gitops-lint:ignore rule-a why\nkind: Y\nspec: {}\n",
			want: []covered{{Rules: []string{"rule-a"}, Reason: "why", Line: 3, From: 3, To: 5}},
		},
		{
			name: "no reason",
			data: "a: 1 # gitops-lint:ignore rule-a\n",
			want: []covered{{Rules: []string{"rule-a"}, Line: 1, From: 1, To: 1}},
		},
		{
			name: "marker inside a value is not a comment",
			data: "url: http://x/#gitops-lint:ignore-me\nb: 'text gitops-lint:ignore rule-a'\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []covered
			for _, d := range ScanFile("f.yaml", []byte(tc.data)) {
				got = append(got, covered{Rules: d.Rules, Reason: d.Reason, Line: d.At.Line, From: d.From, To: d.To})
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestApply(t *testing.T) {
	at := func(line int) manifest.Origin { return manifest.Origin{File: "f.yaml", Line: line} }
	web := manifest.ResID{Kind: "Deployment", Name: "web"}
	findings := []rules.Finding{
		{RuleID: "rule-a", Location: at(3)},
		{RuleID: "rule-b", Location: at(3)},
		{RuleID: "rule-c", Location: at(9), Resource: web, Targets: []string{"prod"}},
		{RuleID: "rule-c", Location: at(9), Resource: web, Targets: []string{"dev"}},
	}
	directives := []Directive{
		{Rules: []string{"rule-a"}, Reason: "why", At: at(2), File: "f.yaml", From: 3, To: 3},
		{Rules: []string{"rule-x"}, Reason: "stale", At: at(5), File: "f.yaml", From: 6, To: 6},
		{Rules: []string{"rule-c"}, At: at(8), Resource: web, Target: "prod"},
	}
	extra := Apply(findings, directives)
	var suppressed []bool
	for _, f := range findings {
		suppressed = append(suppressed, !f.Active())
	}
	if diff := cmp.Diff([]bool{true, false, true, false}, suppressed); diff != "" {
		t.Errorf("suppressed (-want +got):\n%s", diff)
	}
	var got []string
	for _, f := range extra {
		got = append(got, f.RuleID+" "+f.Location.String())
	}
	want := []string{rules.SuppressionUnused + " f.yaml:5", rules.SuppressionMissingReason + " f.yaml:8"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("raised (-want +got):\n%s", diff)
	}
}
