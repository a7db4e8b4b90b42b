package report

import (
	"bytes"
	"encoding/json"
	"io"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// JSONSchemaVersion is the version of the JSON report documented in JSON.md.
// Additive changes keep it; removing, renaming or retyping a field bumps it.
const JSONSchemaVersion = 1

// The types below are the JSON report's schema; JSON.md documents them and
// must change with them.

type jsonReport struct {
	SchemaVersion int             `json:"schemaVersion"`
	Tool          jsonTool        `json:"tool"`
	Summary       jsonSummary     `json:"summary"`
	Findings      []rules.Finding `json:"findings"`
	Rules         []jsonRule      `json:"rules"`
}

type jsonTool struct {
	Name           string `json:"name"`
	Version        string `json:"version"`
	InformationURI string `json:"informationUri,omitempty"`
}

type jsonSummary struct {
	Targets        int        `json:"targets"`
	PartlyRendered int        `json:"partlyRendered"`
	NotRendered    int        `json:"notRendered"`
	FluxSource     string     `json:"fluxSource,omitempty"`
	Resources      int        `json:"resources"`
	Findings       jsonCounts `json:"findings"`
	Suppressed     int        `json:"suppressed"`
	Baselined      int        `json:"baselined,omitempty"`
}

type jsonCounts struct {
	Error   int `json:"error"`
	Warning int `json:"warning"`
	Info    int `json:"info"`
}

type jsonRule struct {
	ID          string         `json:"id"`
	Severity    rules.Severity `json:"severity"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Remediation string         `json:"remediation"`
	HelpURI     string         `json:"helpUri,omitempty"`
}

// writeJSON writes the versioned JSON report. Findings are rules.Finding
// itself, so the report and the model cannot drift apart; JSON.md pins down
// what its tags produce.
func writeJSON(w io.Writer, in Input) error {
	counts := rules.Counts(in.Findings)
	out := jsonReport{
		SchemaVersion: JSONSchemaVersion,
		Tool:          jsonTool{Name: in.Tool.Name, Version: in.Tool.Version, InformationURI: in.Tool.InformationURI},
		Summary: jsonSummary{
			Targets:        in.Targets,
			PartlyRendered: in.PartlyRendered,
			NotRendered:    in.NotRendered,
			FluxSource:     in.FluxSource,
			Resources:      in.Resources,
			Findings:       jsonCounts{Error: counts[rules.Error], Warning: counts[rules.Warning], Info: counts[rules.Info]},
			Suppressed:     in.Suppressed,
			Baselined:      in.Baselined,
		},
		// Consumers iterate without a null check: an empty run is [].
		Findings: in.Findings,
		Rules:    []jsonRule{},
	}
	if out.Findings == nil {
		out.Findings = []rules.Finding{}
	}
	for _, r := range resultRules(in) {
		out.Rules = append(out.Rules, jsonRule{
			ID:          r.ID,
			Severity:    r.Severity,
			Title:       r.Title(),
			Description: r.Description(),
			Remediation: r.Remediation,
			HelpURI:     r.HelpURI,
		})
	}
	return encodeJSON(w, out)
}

// encodeJSON writes v indented with a trailing newline, leaving <, > and &
// as they are: messages and remediations quote shell commands such as
// "gitops-lint render <target>", and nobody embeds this output in HTML.
func encodeJSON(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
