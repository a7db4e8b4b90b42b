package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// ImagesFormats are the formats of WriteImages.
func ImagesFormats() []string { return []string{FormatText, "markdown", FormatJSON} }

// WriteImages writes the promotion view: per application, a row per image
// and a column per environment, drift marked.
func WriteImages(w io.Writer, p *gitops.Promotion, format string) error {
	switch format {
	case FormatText, "":
		return writeImagesText(w, p)
	case "markdown":
		return writeImagesMarkdown(w, p)
	case FormatJSON:
		return encodeJSON(w, struct {
			SchemaVersion int `json:"schemaVersion"`
			*gitops.Promotion
		}{1, p})
	}
	return fmt.Errorf("unknown format %q (valid: %s)", format, strings.Join(ImagesFormats(), ", "))
}

// imageCell shows what one environment runs of an image: tags, short
// digests, "(no tag)" for an image without either, "-" for none.
func imageCell(refs []gitops.Image) string {
	if len(refs) == 0 {
		return "-"
	}
	parts := make([]string, len(refs))
	for i, r := range refs {
		s := r.Tag
		if r.Digest != "" {
			s += "@" + shortDigest(r.Digest)
		}
		if s == "" {
			s = "(no tag)"
		}
		parts[i] = s
	}
	return strings.Join(parts, ", ")
}

// shortDigest keeps the algorithm and twelve hex digits, as docker does.
func shortDigest(d string) string {
	if alg, hex, ok := strings.Cut(d, ":"); ok && len(hex) > 12 {
		return alg + ":" + hex[:12]
	}
	return d
}

// imageTable is a group as rows of cells: a header, then one row per
// image; the last cell says drift.
func imageTable(g gitops.Group) [][]string {
	header := []string{"IMAGE"}
	for _, e := range g.Environments {
		header = append(header, e.Name)
	}
	rows := [][]string{append(header, "")}
	for _, img := range g.Images {
		row := []string{img.Name}
		for _, e := range g.Environments {
			row = append(row, imageCell(img.Refs[e.Name]))
		}
		drift := ""
		if img.Drift {
			drift = "drift"
		}
		rows = append(rows, append(row, drift))
	}
	return rows
}

func writeImagesText(w io.Writer, p *gitops.Promotion) error {
	var b strings.Builder
	images, drifting := 0, 0
	for _, g := range p.Groups {
		b.WriteString(sanitize(g.Name) + "\n")
		rows := imageTable(g)
		widths := make([]int, len(rows[0]))
		for _, row := range rows {
			for i, cell := range row {
				widths[i] = max(widths[i], utf8.RuneCountInString(sanitize(cell)))
			}
		}
		for _, row := range rows {
			line := " "
			for i, cell := range row {
				line += " " + pad(sanitize(cell), widths[i]) + " "
			}
			b.WriteString(strings.TrimRight(line, " ") + "\n")
		}
		b.WriteString("\n")
		for _, img := range g.Images {
			images++
			if img.Drift {
				drifting++
			}
		}
	}
	if len(p.NotRendered) > 0 {
		b.WriteString("not rendered (see gitops-lint check): " + sanitize(strings.Join(p.NotRendered, ", ")) + "\n")
	}
	b.WriteString(plural(len(p.Groups), "application", "applications") + ", " + plural(images, "image", "images") + ", " + strconv.Itoa(drifting) + " drifting\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeImagesMarkdown(w io.Writer, p *gitops.Promotion) error {
	var b strings.Builder
	b.WriteString("# Images per environment\n")
	for _, g := range p.Groups {
		fmt.Fprintf(&b, "\n## %s\n\n", mdText(g.Name))
		var targets []string
		for _, e := range g.Environments {
			targets = append(targets, mdText(e.Name)+": "+mdCode(e.Target))
		}
		b.WriteString("Targets: " + strings.Join(targets, ", ") + "\n\n")
		rows := imageTable(g)
		rows[0][0], rows[0][len(rows[0])-1] = "image", "drift"
		for i, row := range rows {
			cells := make([]string, len(row))
			for j, cell := range row {
				switch {
				case i == 0 || cell == "" || cell == "-":
					cells[j] = mdText(cell)
				case j == len(row)-1:
					cells[j] = "**" + cell + "**"
				default:
					cells[j] = mdCode(cell)
				}
			}
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
			if i == 0 {
				b.WriteString(strings.Repeat("|---", len(row)) + "|\n")
			}
		}
	}
	if len(p.NotRendered) > 0 {
		var ts []string
		for _, t := range p.NotRendered {
			ts = append(ts, mdCode(t))
		}
		b.WriteString("\nNot rendered (see `gitops-lint check`): " + strings.Join(ts, ", ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdText makes repository text safe in a Markdown table cell.
func mdText(s string) string {
	return mdCell(strings.NewReplacer("*", `\*`, "_", `\_`, "`", `\`+"`", "<", "&lt;").Replace(sanitize(s)))
}

// mdCode shows a value as code, unless a backtick in it would end the span.
func mdCode(s string) string {
	if strings.Contains(s, "`") {
		return mdText(s)
	}
	return "`" + mdCell(sanitize(s)) + "`"
}
