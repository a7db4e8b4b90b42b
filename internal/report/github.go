package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// writeGitHub writes one GitHub Actions workflow command per active
// finding, which the runner turns into an annotation on the file and line
// (in the pull request's diff when the line is part of it), then the text
// report's summary line for the log. Suppressed findings are left out: an
// annotation cannot be marked as dismissed.
//
// The format is GitHub's "::error file=F,line=L,col=C,title=T::message"
// (https://docs.github.com/actions/reference/workflow-commands-for-github-actions);
// paths are relative to the git work tree root (Input.WorkTreePrefix),
// which is what GitHub resolves them from.
func writeGitHub(w io.Writer, in Input) error {
	var b strings.Builder
	for _, f := range in.Findings {
		if !f.Active() {
			continue
		}
		b.WriteString("::" + githubLevel(f.Severity) + " ")
		if f.Location.File != "" {
			b.WriteString("file=" + githubProperty(f.Location.File) + ",")
			if f.Location.Line > 0 {
				b.WriteString("line=" + strconv.Itoa(f.Location.Line) + ",")
				if f.Location.Col > 0 {
					b.WriteString("col=" + strconv.Itoa(f.Location.Col) + ",")
				}
			}
		}
		b.WriteString("title=" + githubProperty(f.RuleID))
		b.WriteString("::" + githubData(describe(f)) + "\n")
	}
	if in.FluxSource != "" {
		b.WriteString(githubData(in.FluxSource) + "\n")
	}
	b.WriteString(summary(in) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func githubLevel(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "error"
	case rules.Warning:
		return "warning"
	default:
		return "notice"
	}
}

// githubData escapes a command's message as the runner unescapes it
// (actions/toolkit's escapeData): %, CR and LF, so that the command stays
// on one line and no text from the linted repository can start a second
// workflow command. Other control characters are made visible first: the
// log viewer interprets ANSI escapes.
func githubData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(sanitize(s))
}

// githubProperty escapes a property value (escapeProperty): as githubData,
// plus the ',' and ':' that separate properties and end the list.
func githubProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(sanitize(s))
}
