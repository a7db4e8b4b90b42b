package report

import (
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/diff"
)

// DiffFormats are the formats of `gitops-lint diff`.
func DiffFormats() []string { return []string{FormatText, "markdown"} }

// DiffMarkdownLimit is the default size cap of the Markdown diff, in
// bytes: GitHub refuses comments over 65,536 characters, and the action
// adds a marker line.
const DiffMarkdownLimit = 60000

// DiffOptions configure WriteDiff.
type DiffOptions struct {
	// Format is one of DiffFormats.
	Format string
	// Color turns on ANSI colors in the text format.
	Color bool
	// Limit caps the Markdown output in bytes (DiffMarkdownLimit when 0):
	// targets that do not fit are left out, with a note saying so.
	Limit int
	// Command is the command line that prints the whole diff, for that
	// note.
	Command string
}

// WriteDiff writes a rendered diff. The values in it are already screened
// for secrets (see package diff); this only lays them out.
func WriteDiff(w io.Writer, res *diff.Result, opts DiffOptions) error {
	var s string
	switch opts.Format {
	case FormatText:
		s = diffText(res, opts.Color)
	case "markdown":
		limit := opts.Limit
		if limit <= 0 {
			limit = DiffMarkdownLimit
		}
		s = diffMarkdown(res, limit, opts.Command)
	default:
		return fmt.Errorf("unknown diff format %q (want one of %v)", opts.Format, DiffFormats())
	}
	_, err := io.WriteString(w, s)
	return err
}

const ansiGreenDiff = "\x1b[32m"

// diffHeadline sums the result up in one sentence.
func diffHeadline(res *diff.Result) string {
	var parts []string
	switch n := len(res.Targets); n {
	case 0:
		parts = append(parts, "no target renders differently")
	case 1:
		parts = append(parts, "1 target renders differently")
	default:
		parts = append(parts, fmt.Sprintf("%d targets render differently", n))
	}
	if res.Unchanged > 0 {
		parts = append(parts, plural(res.Unchanged, "other reads a changed file but renders the same", "others read a changed file but render the same"))
	}
	return strings.Join(parts, ", ") + " (" + plural(len(res.Files), "file", "files") + " changed)"
}

// diffTargetNote says what is special about a target as a whole.
func diffTargetNote(t *diff.Target) string {
	var notes []string
	if t.Environment != "" && t.Environment != path.Base(t.Path) {
		notes = append(notes, "environment "+t.Environment)
	}
	switch t.Change {
	case diff.Added:
		notes = append(notes, "new target")
	case diff.Removed:
		notes = append(notes, "target removed")
	}
	if len(notes) == 0 {
		return ""
	}
	return " (" + strings.Join(notes, ", ") + ")"
}

// diffErrors are a target's render errors, each with the side it is on.
func diffErrors(t *diff.Target) []string {
	var out []string
	if t.BaseError != "" {
		out = append(out, "does not render at the base: "+t.BaseError)
	}
	if t.HeadError != "" {
		out = append(out, "does not render in the working tree: "+t.HeadError)
	}
	return out
}

// diffFieldText is a field change on one line, as the text format and a
// Markdown summary print it; multi-line changes follow on their own lines.
func diffFieldText(f diff.Field) string {
	s := f.Change.Symbol() + " " + f.Path
	switch {
	case f.Secret && f.Change == diff.Changed:
		return s + ": (secret value changed)"
	case f.Secret:
		return s + ": (secret value)"
	case f.Lines != nil:
		return s + ":"
	case f.Change == diff.Added:
		return s + ": " + f.New
	case f.Change == diff.Removed:
		return s + ": " + f.Old
	case f.Change == diff.Reordered:
		return s + ": order " + f.Old + " -> " + f.New
	}
	return s + ": " + f.Old + " -> " + f.New
}

// diffVersion is an image's version for people, as the images view
// writes it: the tag, a digest cut to twelve hex digits, "(no tag)".
func diffVersion(v string) string {
	if v == "" {
		return "(no tag)"
	}
	if tag, digest, ok := strings.Cut(v, "@"); ok {
		if algo, hex, ok := strings.Cut(digest, ":"); ok && len(hex) > 12 {
			digest = algo + ":" + hex[:12]
		}
		return tag + "@" + digest
	}
	return v
}

// diffImageChange says what happened to an image in a target.
func diffImageChange(c diff.ImageChange, arrow string) string {
	switch {
	case c.Old == c.New:
		return diffVersion(c.New) + " (unchanged)"
	case c.Old == "":
		return diffVersion(c.New) + " (new)"
	case c.New == "":
		return diffVersion(c.Old) + " (removed)"
	}
	return diffVersion(c.Old) + " " + arrow + " " + diffVersion(c.New)
}

func diffText(res *diff.Result, color bool) string {
	var b strings.Builder
	p := textPrinter{w: &b, color: color}
	b.WriteString(sanitize("Rendered diff against "+res.Base+": "+diffHeadline(res)) + "\n")
	paintFor := map[diff.Change]string{diff.Added: ansiGreenDiff, diff.Removed: ansiRed, diff.Changed: ansiYellow, diff.Reordered: ansiYellow}
	for i := range res.Targets {
		t := &res.Targets[i]
		b.WriteString("\n" + p.paint(ansiBold, sanitize(t.Path)) + sanitize(diffTargetNote(t)) + "\n")
		for _, e := range diffErrors(t) {
			b.WriteString("  " + p.paint(ansiRed, strings.ReplaceAll(sanitize(e), "\n", "\n    ")) + "\n")
		}
		for _, r := range t.Resources {
			b.WriteString("  " + p.paint(paintFor[r.Change], r.Change.Symbol()+" "+sanitize(r.ID.String())) + "\n")
			for _, f := range r.Fields {
				b.WriteString("      " + p.paint(paintFor[f.Change], sanitize(diffFieldText(f))) + "\n")
				for _, l := range f.Lines {
					c := ansiRed
					if strings.HasPrefix(l, "+") {
						c = ansiGreenDiff
					}
					b.WriteString("          " + p.paint(c, sanitize(l)) + "\n")
				}
			}
		}
	}
	if len(res.Images) > 0 {
		b.WriteString("\n" + p.paint(ansiBold, "Images") + "\n")
		var envW, targetW int
		for _, c := range res.Images {
			envW = max(envW, len(sanitize(c.Environment)))
			targetW = max(targetW, len(sanitize(c.Target)))
		}
		last := ""
		for _, c := range res.Images {
			if c.Image != last {
				b.WriteString("  " + sanitize(c.Image) + "\n")
				last = c.Image
			}
			b.WriteString("    " + pad(sanitize(c.Environment), envW) + "  " + pad(sanitize(c.Target), targetW) + "  " + sanitize(diffImageChange(c, "->")) + "\n")
		}
	}
	return b.String()
}

// diffTargetImages are the image changes of one target, for the summary.
func diffTargetImages(res *diff.Result, target string) []diff.ImageChange {
	return slices.DeleteFunc(slices.Clone(res.Images), func(c diff.ImageChange) bool {
		return c.Target != target || c.Old == c.New
	})
}
