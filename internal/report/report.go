// Package report turns the result of a run into output for people (text)
// and for machines (json, sarif, and the github and gitlab CI formats). It only presents: findings, rules and
// counts arrive fully formed from the engine, so nothing here decides what
// is a problem.
package report

import (
	"fmt"
	"io"
	"path"
	"strings"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Input is everything a reporter needs; the CLI fills it from the engine's
// result.
type Input struct {
	// Tool names the program in machine-readable formats.
	Tool Tool
	// Rules is the catalogue of rules that ran, in the order the reporters
	// list them (SARIF's rule table, JSON's "rules"). The machine formats
	// describe only the rules that have findings (see resultRules): the
	// whole catalogue is documented once, in docs/rules.md.
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
	// PartlyRendered counts the targets rendered without some remote
	// entries, NotRendered those not rendered at all; every format that
	// has a summary shows both, so that a gap never looks clean.
	PartlyRendered, NotRendered int
	// FluxSource says which Flux GitRepository the Flux checks took for
	// the repository, and how it was found; empty without Flux.
	FluxSource string
	// Duration is the wall time of the run; 0 leaves it out, which keeps
	// golden files stable.
	Duration time.Duration
	// WorkTreePrefix is the checked directory relative to the root of its
	// git work tree, slash-separated ("" at the root or outside git). The
	// formats read by a CI service (sarif, github, gitlab) put it before
	// every path, because the service resolves paths from the work tree
	// root whatever directory was checked; text and json stay relative to
	// the checked directory, as the person who ran the check sees it.
	WorkTreePrefix string
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
		return writeSARIF(w, fromWorkTree(in))
	case FormatGitHub:
		return writeGitHub(w, fromWorkTree(in))
	case FormatGitLab:
		return writeGitLab(w, fromWorkTree(in))
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

// fromWorkTree returns in with every location relative to the git work
// tree root instead of the checked directory. The findings are copied:
// the caller's stay as they are.
func fromWorkTree(in Input) Input {
	if in.WorkTreePrefix == "" {
		return in
	}
	rebase := func(o manifest.Origin) manifest.Origin {
		if o.File != "" {
			o.File = path.Join(in.WorkTreePrefix, o.File)
		}
		return o
	}
	fs := make([]rules.Finding, len(in.Findings))
	for i, f := range in.Findings {
		f.Location = rebase(f.Location)
		if len(f.Related) > 0 {
			related := make([]manifest.Origin, len(f.Related))
			for j, r := range f.Related {
				related[j] = rebase(r)
			}
			f.Related = related
		}
		if f.Suppression != nil {
			s := *f.Suppression
			s.Location = rebase(s.Location)
			f.Suppression = &s
		}
		fs[i] = f
	}
	in.Findings = fs
	return in
}

// resultRules are the rules of in.Rules that have at least one finding
// (suppressed ones included), in catalogue order. SARIF's usual practice:
// a log describes the rules its results need, so that a report, and every
// golden file, does not change each time the catalogue gains a rule.
func resultRules(in Input) []*rules.Rule {
	used := make(map[string]bool, len(in.Findings))
	for _, f := range in.Findings {
		used[f.RuleID] = true
	}
	var out []*rules.Rule
	for _, r := range in.Rules {
		if used[r.ID] {
			out = append(out, r)
		}
	}
	return out
}
