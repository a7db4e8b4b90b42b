package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Merged is the report that the shards of one check (check --shard I/N)
// give together: what one check of the whole repository would have
// written.
type Merged struct {
	// Format is the shards' format.
	Format string
	// Findings are the merged findings, for the exit code.
	Findings []rules.Finding
	report   jsonReport
	// sarif and descriptors are the merged SARIF log: its run's summary
	// and findings, and the shards' descriptions of their rules.
	sarif       Input
	descriptors []*sarif.ReportingDescriptor
}

// MergeJSON combines JSON reports of the shards of one check. A finding
// several shards report (a base that overlays in two shards render) is
// one finding listing all their targets; the summary's counts add up; an
// unused suppression is one only when every shard found it unused. The
// reports must come from one version: a rule two shards describe must be
// described alike. Each report describes only the rules it has findings
// of; the merged one describes those of its findings in catalogue order
// (rule IDs in the order of the run's catalogue), and rules the catalogue
// does not name (user policies) after them, as the shards list them.
func MergeJSON(reports [][]byte, catalogue []string) (*Merged, error) {
	if len(reports) == 0 {
		return nil, errors.New("no report to merge")
	}
	perReport := make([][]rules.Finding, len(reports))
	described := map[string]jsonRule{}
	var seen []string // rule IDs in the order the shards describe them
	var m Merged
	m.Format = FormatJSON
	for i, data := range reports {
		var r jsonReport
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&r); err != nil {
			return nil, fmt.Errorf("report %d: not a gitops-lint JSON report: %w", i+1, err)
		}
		if r.SchemaVersion != JSONSchemaVersion {
			return nil, fmt.Errorf("report %d: schema version %d, want %d", i+1, r.SchemaVersion, JSONSchemaVersion)
		}
		if i == 0 {
			m.report = r
			m.report.Summary = jsonSummary{}
		} else if r.Tool != m.report.Tool {
			return nil, fmt.Errorf("report %d: written by another gitops-lint version than report 1", i+1)
		}
		for _, rule := range r.Rules {
			if d, ok := described[rule.ID]; !ok {
				described[rule.ID] = rule
				seen = append(seen, rule.ID)
			} else if d != rule {
				return nil, fmt.Errorf("report %d: describes rule %s otherwise than an earlier report: written by another version or configuration", i+1, rule.ID)
			}
		}
		s := &m.report.Summary
		s.Targets += r.Summary.Targets
		s.PartlyRendered += r.Summary.PartlyRendered
		s.NotRendered += r.Summary.NotRendered
		s.Resources += r.Summary.Resources
		s.Baselined += r.Summary.Baselined
		if s.FluxSource == "" {
			s.FluxSource = r.Summary.FluxSource
		}
		perReport[i] = r.Findings
	}
	m.Findings = mergeFindings(perReport)
	counts := rules.Counts(m.Findings)
	s := &m.report.Summary
	s.Findings = jsonCounts{Error: counts[rules.Error], Warning: counts[rules.Warning], Info: counts[rules.Info]}
	s.Suppressed = rules.Suppressed(m.Findings)
	m.report.Findings = m.Findings
	if m.report.Findings == nil {
		m.report.Findings = []rules.Finding{}
	}
	m.report.Rules = mergedRules(m.Findings, described, catalogue, seen)
	return &m, nil
}

// mergeFindings merges the findings of the shards' reports: a finding
// several report is one listing all their targets, and an unused
// suppression is one only when every shard found it unused (a shard that
// rendered no target it applies to reports it unused).
func mergeFindings(perReport [][]rules.Finding) []rules.Finding {
	var all []rules.Finding
	unused := map[string]int{}
	for _, fs := range perReport {
		seen := map[string]bool{}
		for _, f := range fs {
			if f.RuleID == rules.SuppressionUnused {
				// Counted once per report: unused in every shard is unused.
				if k := f.Key(); !seen[k] {
					seen[k] = true
					unused[k]++
				}
			}
			all = append(all, f)
		}
	}
	kept := all[:0]
	for _, f := range all {
		if f.RuleID != rules.SuppressionUnused || unused[f.Key()] == len(perReport) {
			kept = append(kept, f)
		}
	}
	return rules.Merge(kept)
}

// mergedRules describes the rules of the merged findings: in catalogue
// order, then those the catalogue does not name in the order first seen.
func mergedRules(fs []rules.Finding, described map[string]jsonRule, catalogue, seen []string) []jsonRule {
	used := map[string]bool{}
	for _, f := range fs {
		used[f.RuleID] = true
	}
	out := []jsonRule{}
	done := map[string]bool{}
	for _, id := range append(slices.Clone(catalogue), seen...) {
		if d, ok := described[id]; ok && used[id] && !done[id] {
			done[id] = true
			out = append(out, d)
		}
	}
	return out
}

// Write writes the merged report in the shards' format.
func (m *Merged) Write(w io.Writer) error {
	if m.Format == FormatSARIF {
		return writeSARIFLog(w, m.sarif, m.descriptors)
	}
	return encodeJSON(w, m.report)
}

// Merge combines the reports of the shards of one check, all JSON or all
// SARIF (see MergeJSON and MergeSARIF): the format of the first decides.
func Merge(reports [][]byte, catalogue []string) (*Merged, error) {
	if len(reports) == 0 {
		return nil, errors.New("no report to merge")
	}
	var probe struct {
		Runs json.RawMessage `json:"runs"`
	}
	if json.Unmarshal(reports[0], &probe) == nil && probe.Runs != nil {
		return MergeSARIF(reports, catalogue)
	}
	return MergeJSON(reports, catalogue)
}
