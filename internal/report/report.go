// Package report turns the result of a run into output for people (text)
// and for machines (json, sarif, and the github and gitlab CI formats). It only presents: findings, rules and
// counts arrive fully formed from the engine, so nothing here decides what
// is a problem.
package report

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Input is everything a reporter needs; the CLI fills it from the engine's
// result.
type Input struct {
	// Tool names the program in machine-readable formats.
	Tool Tool
	// Rules is the catalogue of rules that ran, in the order the reporters
	// list them (SARIF's rule table, JSON's "rules").
	Rules []*rules.Rule
	// Findings are already merged and sorted (rules.Merge); reporters keep
	// their order.
	Findings []rules.Finding
	// Suppressed counts the findings that suppressions silenced; text,
	// github and gitlab do not list them, JSON and SARIF carry them marked.
	Suppressed int
	// Baselined counts the findings left out because a baseline records them.
	Baselined int
	// Targets is the number of targets checked.
	Targets int
	// Resources is the number of resources checked.
	Resources int
	// Duration is the wall time of the run; 0 leaves it out, which keeps
	// golden files stable.
	Duration time.Duration
}

// Tool identifies the program that produced a report.
type Tool struct {
	Name           string
	Version        string
	InformationURI string
}

// Options choose how Write renders its Input.
type Options struct {
	// Format is one of Formats(); empty means "text" so that the zero
	// Options are usable.
	Format string
	// Color turns on ANSI colors in the text format; the CLI decides it
	// (a terminal, and NO_COLOR unset). Other formats ignore it.
	Color bool
}

// The names of the formats, as users type them after --format.
const (
	FormatText  = "text"
	FormatJSON  = "json"
	FormatSARIF = "sarif"
	// FormatGitHub is GitHub Actions' workflow commands: one annotation
	// per active finding.
	FormatGitHub = "github"
	// FormatGitLab is GitLab's Code Quality report.
	FormatGitLab = "gitlab"
)

// Formats lists the valid values of Options.Format, for flag help and
// validation.
func Formats() []string {
	return []string{FormatText, FormatJSON, FormatSARIF, FormatGitHub, FormatGitLab}
}

// Write renders in to w in the format opts.Format names. An unknown format
// is an error that lists the valid ones.
func Write(w io.Writer, in Input, opts Options) error {
	switch opts.Format {
	case FormatText, "":
		return writeText(w, in, opts.Color)
	case FormatJSON:
		return writeJSON(w, in)
	case FormatSARIF:
		return writeSARIF(w, in)
	case FormatGitHub:
		return writeGitHub(w, in)
	case FormatGitLab:
		return writeGitLab(w, in)
	default:
		return fmt.Errorf("unknown format %q (valid: %s)", opts.Format, strings.Join(Formats(), ", "))
	}
}

// describe is a finding's message with what a CI annotation cannot show
// elsewhere: the resource, the targets it shows up in when there are
// several, and the related locations, one per line.
func describe(f rules.Finding) string {
	var b strings.Builder
	b.WriteString(f.Message)
	if !f.Resource.IsZero() {
		b.WriteString(" (" + f.Resource.String() + ")")
	}
	if len(f.Targets) > 1 {
		b.WriteString(" in " + strings.Join(f.Targets, ", "))
	}
	for _, r := range f.Related {
		b.WriteString("\nsee " + r.String())
	}
	return b.String()
}
