package report

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// ANSI SGR sequences, written directly: four codes do not justify a
// dependency.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// noFile heads the group of findings that have no file, which should not
// happen but must not vanish from the output either.
const noFile = "(no file)"

// writeText writes findings grouped by file, files sorted, findings in input
// order within a file, then one summary line.
func writeText(w io.Writer, in Input, color bool) error {
	// The report is built in memory and written once, so that a failing
	// writer yields one error and never half a line.
	var b strings.Builder
	p := textPrinter{w: &b, color: color}

	groups := map[string][]rules.Finding{}
	for _, f := range in.Findings {
		if f.Active() { // suppressed ones are counted in the summary
			groups[f.Location.File] = append(groups[f.Location.File], f)
		}
	}
	files := make([]string, 0, len(groups))
	for file := range groups {
		files = append(files, file)
	}
	slices.Sort(files)

	for _, file := range files {
		p.group(file, groups[file])
		b.WriteString("\n")
	}
	if in.FluxSource != "" {
		b.WriteString(sanitize(in.FluxSource) + "\n")
	}
	b.WriteString(summary(in) + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

type textPrinter struct {
	w     *strings.Builder
	color bool
}

func (p textPrinter) paint(code, s string) string {
	if !p.color {
		return s
	}
	return code + s + ansiReset
}

// group writes one file's header and its findings, padding positions and
// rule IDs to the widest in the file so the messages line up.
func (p textPrinter) group(file string, fs []rules.Finding) {
	header := file
	if header == "" {
		header = noFile
	}
	p.w.WriteString(p.paint(ansiBold, sanitize(header)) + "\n")

	var posWidth, ruleWidth int
	for _, f := range fs {
		posWidth = max(posWidth, len(position(f.Location)))
		ruleWidth = max(ruleWidth, utf8.RuneCountInString(sanitize(f.RuleID)))
	}
	sevWidth := len(rules.Warning.String())

	for _, f := range fs {
		p.w.WriteString("  " + pad(position(f.Location), posWidth) + "  ")
		// Pad outside the paint: escape codes have no width on screen.
		sev := f.Severity.String()
		p.w.WriteString(p.paint(severityColor(f.Severity), sev) + pad("", sevWidth-len(sev)) + "  ")
		p.w.WriteString(pad(sanitize(f.RuleID), ruleWidth) + "  ")
		// A multi-line message (kustomize's errors often are) continues
		// indented so the next finding still starts at the margin.
		p.w.WriteString(strings.ReplaceAll(sanitize(f.Message), "\n", "\n    "))
		if !f.Resource.IsZero() {
			p.w.WriteString("  (" + sanitize(f.Resource.String()) + ")")
		}
		if len(f.Targets) > 1 {
			p.w.WriteString("  in " + sanitize(strings.Join(f.Targets, ", ")))
		}
		p.w.WriteString("\n")
		for _, r := range f.Related {
			p.w.WriteString("    see " + sanitize(r.String()) + "\n")
		}
	}
}

func severityColor(s rules.Severity) string {
	switch s {
	case rules.Error:
		return ansiRed
	case rules.Warning:
		return ansiYellow
	default:
		return ansiCyan
	}
}

// position renders LINE:COL, LINE when the column is unknown and "-" when
// the line is, so the column keeps a value to align on.
func position(o manifest.Origin) string {
	switch {
	case o.Line <= 0:
		return "-"
	case o.Col <= 0:
		return strconv.Itoa(o.Line)
	default:
		return strconv.Itoa(o.Line) + ":" + strconv.Itoa(o.Col)
	}
}

func pad(s string, width int) string {
	if n := utf8.RuneCountInString(s); n < width {
		return s + strings.Repeat(" ", width-n)
	}
	return s
}

// sanitize makes control characters visible. Messages quote file names and
// file contents from the repository being linted, and those must not be able
// to move the cursor or recolor the user's terminal.
func sanitize(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if isControl(r) {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// isControl reports the runes a terminal may act on, keeping the newline
// (handled by the layout) and the tab.
func isControl(r rune) bool {
	return (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r < 0xa0)
}

// summary is the last line of the text report, e.g.
// "3 targets, 14 resources: 2 errors, 2 warnings, 1 info (in 1.23s)".
func summary(in Input) string {
	var b strings.Builder
	b.WriteString(plural(in.Targets, "target", "targets") +
		" (" + strconv.Itoa(in.PartlyRendered) + " partly rendered, " + strconv.Itoa(in.NotRendered) + " not rendered), " +
		plural(in.Resources, "resource", "resources") + ": ")
	if len(in.Findings) == rules.Suppressed(in.Findings) {
		b.WriteString("no findings")
	} else {
		c := rules.Counts(in.Findings)
		b.WriteString(plural(c[rules.Error], "error", "errors") + ", " +
			plural(c[rules.Warning], "warning", "warnings") + ", " +
			plural(c[rules.Info], "info", "infos"))
	}
	if in.Suppressed > 0 {
		b.WriteString(", " + strconv.Itoa(in.Suppressed) + " suppressed")
	}
	if in.Baselined > 0 {
		b.WriteString(", " + strconv.Itoa(in.Baselined) + " in baseline")
	}
	if in.Duration > 0 {
		b.WriteString(" (in " + duration(in.Duration) + ")")
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// duration rounds for a person: two decimals of seconds from one second up,
// whole milliseconds below.
func duration(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2fs", d.Seconds())
	case d >= time.Millisecond:
		return d.Round(time.Millisecond).String()
	default:
		return "<1ms"
	}
}
