package report

import (
	"fmt"
	"html"
	"path"
	"strconv"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/diff"
)

// diffNoteReserve is kept free under the limit for the closing note.
const diffNoteReserve = 400

// diffMarkdown writes the diff for a pull request comment: a summary
// table, the promotion view, then one collapsed section per target with
// a fenced diff, within limit bytes. Everything taken from the repository
// is in code spans or fences, so that it cannot inject Markdown or HTML.
func diffMarkdown(res *diff.Result, limit int, command string) string {
	var b strings.Builder
	b.WriteString("### Rendered diff against " + diffSpan(res.Base) + "\n\n")
	b.WriteString(sanitize(diffUpperFirst(diffHeadline(res))) + ".\n")
	budget := limit - diffNoteReserve
	shown, cut := 0, false
	if len(res.Targets) > 0 {
		b.WriteString("\n| target | added | removed | changed | images |\n|---|--:|--:|--:|---|\n")
		for i := range res.Targets {
			row := diffSummaryRow(res, &res.Targets[i])
			if b.Len()+len(row) > budget {
				cut = true
				break
			}
			b.WriteString(row)
		}
	}
	if len(res.Images) > 0 && !cut {
		cut = !diffWriteWithin(&b, diffImagesMarkdown(res), budget)
	}
	for i := range res.Targets {
		if cut {
			break
		}
		section := diffSectionMarkdown(&res.Targets[i])
		if diffWriteWithin(&b, section, budget) {
			shown++
			continue
		}
		cut = true
		// The first target that does not fit is shown in part, when
		// its opening and a few lines fit.
		if part, ok := diffPartialSection(&res.Targets[i], budget-b.Len()); ok {
			b.WriteString(part)
		}
	}
	if cut {
		fmt.Fprintf(&b, "\n*Cut short to fit in a comment: %d of %d targets shown in full.", shown, len(res.Targets))
		if command != "" {
			b.WriteString(" Run " + diffSpan(command) + " for the whole diff.")
		}
		b.WriteString("*\n")
	}
	return b.String()
}

// diffWriteWithin writes s when it fits in budget.
func diffWriteWithin(b *strings.Builder, s string, budget int) bool {
	if b.Len()+len(s) > budget {
		return false
	}
	b.WriteString(s)
	return true
}

func diffUpperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func diffSummaryRow(res *diff.Result, t *diff.Target) string {
	cell := diffSpan(t.Path)
	if note := diffTargetNote(t); note != "" {
		cell += " " + diffCell(strings.TrimSpace(note))
	}
	var images []string
	for _, c := range diffTargetImages(res, t.Path) {
		images = append(images, diffSpan(path.Base(c.Image))+" "+diffCell(diffImageChange(c, "→")))
	}
	counts := []string{strconv.Itoa(t.Count(diff.Added)), strconv.Itoa(t.Count(diff.Removed)), strconv.Itoa(t.Count(diff.Changed))}
	if t.BaseError != "" || t.HeadError != "" {
		counts = []string{"", "", ""}
		side := "working tree"
		if t.HeadError == "" {
			side = "base"
		}
		images = append([]string{"**does not render** (" + side + ")"}, images...)
	}
	return "| " + cell + " | " + strings.Join(counts, " | ") + " | " + strings.Join(images, "<br>") + " |\n"
}

func diffImagesMarkdown(res *diff.Result) string {
	var b strings.Builder
	b.WriteString("\n#### Images\n\n| image | environment | target | tag |\n|---|---|---|---|\n")
	last := ""
	for _, c := range res.Images {
		image := ""
		if c.Image != last {
			image, last = diffSpan(c.Image), c.Image
		}
		tag := diffCell(diffImageChange(c, "→"))
		if c.Old != c.New && c.New != "" {
			tag = "**" + tag + "**"
		}
		b.WriteString("| " + image + " | " + diffCell(c.Environment) + " | " + diffSpan(c.Target) + " | " + tag + " |\n")
	}
	return b.String()
}

// diffSectionLines are the lines of a target's fenced diff: resources
// added and removed as diff lines, a changed one as a hunk header with
// its fields as removed and added lines.
func diffSectionLines(t *diff.Target) []string {
	var lines []string
	for _, e := range diffErrors(t) {
		lines = append(lines, "! "+strings.ReplaceAll(e, "\n", "\n!   "))
	}
	for _, r := range t.Resources {
		if r.Change != diff.Changed {
			lines = append(lines, r.Change.Symbol()+" "+r.ID.String())
			continue
		}
		lines = append(lines, "@@ "+r.ID.String()+" @@")
		for _, f := range r.Fields {
			switch {
			case f.Secret:
				lines = append(lines, "!   "+strings.TrimPrefix(diffFieldText(f), f.Change.Symbol()+" "))
			case f.Lines != nil:
				lines = append(lines, "    "+f.Path+":")
				for _, l := range f.Lines {
					if strings.HasPrefix(l, "-") || strings.HasPrefix(l, "+") {
						lines = append(lines, l[:1]+"       "+l[1:])
					} else {
						lines = append(lines, "        "+l)
					}
				}
			case f.Change == diff.Added:
				lines = append(lines, "+   "+f.Path+": "+f.New)
			case f.Change == diff.Removed:
				lines = append(lines, "-   "+f.Path+": "+f.Old)
			case f.Change == diff.Reordered:
				lines = append(lines, "-   "+f.Path+": order "+f.Old, "+   "+f.Path+": order "+f.New)
			default:
				lines = append(lines, "-   "+f.Path+": "+f.Old, "+   "+f.Path+": "+f.New)
			}
		}
	}
	for i, l := range lines {
		lines[i] = sanitize(l)
	}
	return lines
}

// diffSummaryLine is the <summary> of a target's section.
func diffSummaryLine(t *diff.Target) string {
	var parts []string
	for _, c := range []diff.Change{diff.Added, diff.Removed, diff.Changed} {
		if n := t.Count(c); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, c))
		}
	}
	if len(diffErrors(t)) > 0 {
		parts = append(parts, "does not render")
	}
	return "<summary><code>" + html.EscapeString(sanitize(t.Path)) + "</code>" + html.EscapeString(sanitize(diffTargetNote(t))) +
		": " + strings.Join(parts, ", ") + "</summary>"
}

func diffSectionMarkdown(t *diff.Target) string {
	lines := diffSectionLines(t)
	fence := diffFence(lines)
	return "\n<details><summary>" + strings.TrimPrefix(diffSummaryLine(t), "<summary>") + "\n\n" + fence + "diff\n" +
		strings.Join(lines, "\n") + "\n" + fence + "\n\n</details>\n"
}

// diffPartialSection is a target's section cut to fit in room bytes,
// and false when not even its opening and one line fit.
func diffPartialSection(t *diff.Target, room int) (string, bool) {
	lines := diffSectionLines(t)
	fence := diffFence(lines)
	open := "\n<details><summary>" + strings.TrimPrefix(diffSummaryLine(t), "<summary>") + "\n\n" + fence + "diff\n"
	const more = "… cut short\n"
	closing := fence + "\n\n</details>\n"
	room -= len(open) + len(more) + len(closing)
	var body strings.Builder
	for _, l := range lines {
		if body.Len()+len(l)+1 > room {
			break
		}
		body.WriteString(l + "\n")
	}
	if body.Len() == 0 {
		return "", false
	}
	return open + body.String() + more + closing, true
}

// diffFence is a code fence longer than any run of backticks in lines.
func diffFence(lines []string) string {
	n := 3
	for _, l := range lines {
		n = max(n, diffLongestRun(l, '`')+1)
	}
	return strings.Repeat("`", n)
}

func diffLongestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			best = max(best, cur)
		} else {
			cur = 0
		}
	}
	return best
}

// diffSpan is s as an inline code span that a table cell can hold: its
// delimiters are longer than any backtick run in s, and pipes are escaped
// (GitHub splits table cells on them even inside code).
func diffSpan(s string) string {
	s = strings.ReplaceAll(sanitize(s), "\n", " ")
	ticks := strings.Repeat("`", diffLongestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return ticks + strings.ReplaceAll(s, "|", `\|`) + ticks
}

// diffCell is plain text for a table cell, with Markdown and HTML
// characters escaped.
func diffCell(s string) string {
	s = strings.ReplaceAll(sanitize(s), "\n", " ")
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_[]|<>&~", r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
