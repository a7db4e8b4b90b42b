// Package suppress reads the suppressions a repository writes next to
// what they silence, and applies them to findings:
//
//   - an inline comment "# gitops-lint:ignore RULE-ID[,RULE-ID] reason" on
//     the line of a finding, or alone on the line above it; in the head of
//     a YAML document (before its first key) it covers the whole document;
//   - the annotation gitops-lint.io/ignore: "RULE-ID[,RULE-ID] reason" on a
//     resource, covering every finding about that resource in the targets
//     that render it with the annotation.
//
// A suppressed finding stays in the result, marked, so reports can count
// it and SARIF can carry it as suppressed; it never fails the run. A
// suppression without a reason, and one that silences nothing, are
// findings themselves.
package suppress

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Marker starts an inline suppression comment.
const Marker = "gitops-lint:ignore"

// Annotation is the resource annotation that suppresses findings.
const Annotation = "gitops-lint.io/ignore"

// Directive is one suppression.
type Directive struct {
	// Rules are the rule IDs it silences.
	Rules []string
	// Reason is the justification written after the rule IDs.
	Reason string
	// At is where it is written: the comment, or the annotation's line.
	At manifest.Origin
	// File, From and To are the lines an inline comment covers.
	File     string
	From, To int
	// Resource and Target are the resource and target an annotation covers.
	Resource manifest.ResID
	Target   string
}

func (d *Directive) covers(f *rules.Finding) bool {
	if !slices.Contains(d.Rules, f.RuleID) {
		return false
	}
	if d.Target != "" {
		return f.Resource == d.Resource && slices.Contains(f.Targets, d.Target)
	}
	return f.Location.File == d.File && f.Location.Line >= d.From && f.Location.Line <= d.To
}

// parse reads the text after the marker: rule IDs separated by commas,
// then the reason.
func parse(text string) (ids []string, reason string) {
	text = strings.TrimSpace(text)
	list, reason, _ := strings.Cut(text, " ")
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids, strings.TrimSpace(reason)
}

// comment finds a suppression comment on a line: the marker right after a
// "#" that starts the line or follows white space (so that a "#" inside a
// URL or a quoted value is not one).
var comment = regexp.MustCompile(`(?:^|\s)#\s*` + regexp.QuoteMeta(Marker) + `(?:\s+(.*))?$`)

// ScanFile returns the inline suppressions of a file. A comment alone on
// its line covers the next line with content, or, in the head of a YAML
// document, the whole document; a comment after content covers its line.
func ScanFile(file string, data []byte) []Directive {
	if !bytes.Contains(data, []byte(Marker)) {
		return nil
	}
	var lines []string
	s := bufio.NewScanner(bytes.NewReader(data))
	s.Buffer(nil, len(data)+1)
	for s.Scan() {
		lines = append(lines, s.Text())
	}
	var out []Directive
	inHead := true // no content yet in the current document
	var pending []int
	for i, line := range lines {
		n := i + 1
		trimmed := strings.TrimSpace(line)
		if trimmed == "---" || strings.HasPrefix(trimmed, "--- ") {
			inHead, pending = true, nil
			continue
		}
		m := comment.FindStringSubmatchIndex(line)
		if m == nil {
			if trimmed != "" && !strings.HasPrefix(trimmed, "#") {
				inHead = false
				for _, j := range pending {
					out[j].From, out[j].To = n, n
				}
				pending = nil
			}
			continue
		}
		ids, reason := parse(submatch(line, m, 1))
		d := Directive{Rules: ids, Reason: reason, At: manifest.Origin{File: file, Line: n, Col: strings.Index(line, "#") + 1}, File: file}
		before := strings.TrimSpace(line[:m[0]])
		switch {
		case before != "" && !strings.HasPrefix(before, "#"):
			d.From, d.To = n, n
			inHead = false
		case inHead:
			d.From, d.To = n, documentEnd(lines, i)
		default:
			pending = append(pending, len(out))
			d.From, d.To = n, n // until the next content line is known
		}
		out = append(out, d)
	}
	return out
}

func submatch(s string, m []int, i int) string {
	if m[2*i] < 0 {
		return ""
	}
	return s[m[2*i]:m[2*i+1]]
}

// documentEnd is the last line of the YAML document that line i is in.
func documentEnd(lines []string, i int) int {
	for j := i + 1; j < len(lines); j++ {
		if t := strings.TrimSpace(lines[j]); t == "---" || strings.HasPrefix(t, "--- ") {
			return j
		}
	}
	return len(lines)
}

// FromResource reads the suppression annotation of a rendered resource.
func FromResource(r *manifest.Resource) (Directive, bool) {
	md, _ := r.Object["metadata"].(map[string]any)
	ann, _ := md["annotations"].(map[string]any)
	v, ok := ann[Annotation].(string)
	if !ok {
		return Directive{}, false
	}
	ids, reason := parse(v)
	return Directive{
		Rules: ids, Reason: reason,
		At:       origin.Field(r, "/metadata/annotations/"+strings.ReplaceAll(Annotation, "/", "~1")),
		Resource: r.SourceID, Target: r.Target,
	}, true
}

// Apply marks the findings that the directives cover as suppressed and
// returns the findings the directives raise themselves: one without a
// reason (a warning) and one that covers no finding (an info). A rule ID
// that the directive's own findings carry is never suppressed by it.
func Apply(fs []rules.Finding, ds []Directive) []rules.Finding {
	used := make([]bool, len(ds))
	for i := range fs {
		f := &fs[i]
		if f.RuleID == rules.SuppressionUnused || f.RuleID == rules.SuppressionMissingReason {
			continue
		}
		for j := range ds {
			if ds[j].covers(f) {
				used[j] = true
				if f.Suppression == nil {
					f.Suppression = &rules.Suppression{Kind: "inSource", Justification: ds[j].Reason, Location: ds[j].At}
				}
			}
		}
	}
	// An annotation is one directive per target that renders it: it is
	// used when it is used in any of them.
	usedAt := map[manifest.Origin]bool{}
	for j, d := range ds {
		usedAt[d.At] = usedAt[d.At] || used[j]
	}
	var out []rules.Finding
	reported := map[manifest.Origin]bool{}
	for _, d := range ds {
		if reported[d.At] {
			continue
		}
		reported[d.At] = true
		what := "suppression"
		if d.Target != "" {
			what = Annotation + " annotation"
		}
		if d.Reason == "" {
			out = append(out, rules.Finding{
				RuleID: rules.SuppressionMissingReason, Location: d.At, Resource: d.Resource,
				Message: fmt.Sprintf("%s of %s gives no reason: write why after the rule IDs", what, strings.Join(d.Rules, ",")),
			})
		}
		if !usedAt[d.At] {
			msg := fmt.Sprintf("%s of %s matches no finding: remove it", what, strings.Join(d.Rules, ","))
			if len(d.Rules) == 0 {
				msg = what + " names no rule ID"
			}
			out = append(out, rules.Finding{RuleID: rules.SuppressionUnused, Location: d.At, Resource: d.Resource, Message: msg})
		}
	}
	return out
}
