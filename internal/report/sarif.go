package report

import (
	"io"
	"net/url"
	"strings"
	"unicode"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// srcRoot is the uriBaseId that code-scanning services (GitHub, Azure
// DevOps) resolve to the checkout, which makes repository-relative paths
// resolvable without knowing where the run happened.
const srcRoot = "%SRCROOT%"

// fingerprintKey names our fingerprint in partialFingerprints; the version
// suffix lets a future algorithm live beside this one.
const fingerprintKey = "gitopsLint/v1"

// writeSARIF writes a SARIF 2.1.0 log with one run. The library's
// constructors are used throughout because they set the "absent" sentinels
// (-1 for indexes and offsets) that the zero values would turn into real
// positions.
func writeSARIF(w io.Writer, in Input) error {
	var descriptors []*sarif.ReportingDescriptor
	for _, r := range resultRules(in) {
		descriptors = append(descriptors, sarifRule(r))
	}
	return writeSARIFLog(w, in, descriptors)
}

// writeSARIFLog writes the log of in with the rule descriptors given, in
// their order: those of in.Rules for a check, those the shards' logs
// carry for a merge (which has no rules.Rule values, only their
// descriptions).
func writeSARIFLog(w io.Writer, in Input, descriptors []*sarif.ReportingDescriptor) error {
	driver := sarif.NewToolComponent().WithName(in.Tool.Name)
	if in.Tool.Version != "" {
		driver.WithVersion(in.Tool.Version)
	}
	if in.Tool.InformationURI != "" {
		driver.WithInformationURI(in.Tool.InformationURI)
	}

	ruleIndex := map[string]int{}
	for _, d := range descriptors {
		ruleIndex[*d.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, d)
	}
	// A finding whose rule is missing from the catalogue still gets an entry,
	// so that every result's ruleIndex points at a real descriptor.
	for _, f := range in.Findings {
		if _, ok := ruleIndex[f.RuleID]; !ok {
			ruleIndex[f.RuleID] = len(driver.Rules)
			driver.Rules = append(driver.Rules, sarif.NewRule(f.RuleID).WithName(camelCase(f.RuleID)))
		}
	}

	run := sarif.NewRun().WithTool(sarif.NewTool().WithDriver(driver))
	// Every artifact URI is relative to %SRCROOT%, the root of the git
	// work tree (see Input.WorkTreePrefix). The base is declared without a
	// uri: the absolute path of this checkout means nothing to the service
	// that reads the log, which binds %SRCROOT% to its own checkout.
	run.WithOriginalUriBaseIds(map[string]sarif.ArtifactLocation{
		srcRoot: {Description: sarif.NewTextMessage("The root of the git work tree that holds the checked directory.")},
	})
	// Columns come from the YAML parser, which counts characters.
	run.WithColumnKind("unicodeCodePoints")
	for _, f := range in.Findings {
		run.AddResult(sarifResult(f, ruleIndex[f.RuleID]))
	}
	// What was not (or only partly) checked has no result of its own:
	// the run's properties carry the summary's counts.
	props := sarif.NewPropertyBag()
	props.Add("targets", in.Targets)
	props.Add("partlyRendered", in.PartlyRendered)
	props.Add("notRendered", in.NotRendered)
	if in.FluxSource != "" {
		props.Add("fluxSource", in.FluxSource)
	}
	run.WithProperties(props)

	doc := sarif.NewReport()
	doc.AddRun(run)
	// The library's own writers end without a newline and escape <, > and
	// &; encodeJSON writes the same model the way the JSON report does.
	return encodeJSON(w, doc)
}

func sarifRule(r *rules.Rule) *sarif.ReportingDescriptor {
	title := r.Title()
	name := title
	if name == "" {
		name = r.ID
	}
	d := sarif.NewRule(r.ID).
		WithName(camelCase(name)).
		WithShortDescription(sarif.NewMultiformatMessageString().WithText(title)).
		WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(sarifLevel(r.Severity)))
	if desc := r.Description(); desc != "" {
		d.WithFullDescription(sarif.NewMultiformatMessageString().WithText(desc))
	}
	if r.Remediation != "" {
		// Remediations are written as Markdown (code spans for commands);
		// read as plain text they are still legible.
		d.WithHelp(sarif.NewMultiformatMessageString().WithText(r.Remediation).WithMarkdown(r.Remediation))
	}
	if r.HelpURI != "" {
		d.WithHelpURI(r.HelpURI)
	}
	return d
}

func sarifResult(f rules.Finding, ruleIndex int) *sarif.Result {
	msg := f.Message
	if len(f.Targets) > 1 {
		msg += " (in " + strings.Join(f.Targets, ", ") + ")"
	}
	res := sarif.NewRuleResult(f.RuleID).
		WithRuleIndex(ruleIndex).
		WithLevel(sarifLevel(f.Severity)).
		WithMessage(sarif.NewTextMessage(msg))
	if f.Location.File != "" {
		res.AddLocation(sarifLocation(f.Location))
	}
	for _, r := range f.Related {
		if r.File != "" {
			res.AddRelatedLocation(sarifLocation(r))
		}
	}
	if f.Fingerprint != "" {
		res.WithPartialFingerprints(map[string]string{fingerprintKey: f.Fingerprint})
	}
	if s := f.Suppression; s != nil {
		sup := sarif.NewSuppression().WithKind(s.Kind).WithStatus("accepted")
		if s.Justification != "" {
			sup.WithJustification(s.Justification)
		}
		if s.Location.File != "" {
			sup.WithLocation(sarifLocation(s.Location))
		}
		res.AddSuppression(sup)
	}

	props := sarif.NewPropertyBag()
	if !f.Resource.IsZero() {
		props.Add("resource", f.Resource.String())
	}
	if f.Path != "" {
		props.Add("path", f.Path)
	}
	if len(f.Targets) > 0 {
		props.Add("targets", f.Targets)
	}
	if len(props.Properties) > 0 {
		res.WithProperties(props)
	}
	return res
}

// sarifLocation points at a repository file. SARIF lines are 1-based and
// code-scanning services reject a region without one, so an unknown line
// becomes line 1: the finding is about the file as a whole.
func sarifLocation(o manifest.Origin) *sarif.Location {
	region := sarif.NewRegion().WithStartLine(max(o.Line, 1))
	if o.Line > 0 && o.Col > 0 {
		region.WithStartColumn(o.Col)
	}
	return sarif.NewLocationWithPhysicalLocation(
		sarif.NewPhysicalLocation().
			WithArtifactLocation(sarif.NewSimpleArtifactLocation(fileURI(o.File)).WithURIBaseID(srcRoot)).
			WithRegion(region),
	)
}

// fileURI turns a slash-separated repository path into a relative URI
// reference: spaces and other reserved characters are escaped, and a colon
// in the first segment cannot be read as a scheme.
func fileURI(path string) string {
	return (&url.URL{Path: path}).String()
}

func sarifLevel(s rules.Severity) string {
	switch s {
	case rules.Error:
		return sarif.LevelError
	case rules.Warning:
		return sarif.LevelWarning
	default:
		return sarif.LevelNote
	}
}

// camelCase builds SARIF's reportingDescriptor.name from a title or an ID:
// "Malformed YAML" becomes "MalformedYAML", "render-error" "RenderError".
func camelCase(s string) string {
	var b strings.Builder
	upper := true
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			upper = true
			continue
		}
		if upper {
			r = unicode.ToUpper(r)
			upper = false
		}
		b.WriteRune(r)
	}
	return b.String()
}
