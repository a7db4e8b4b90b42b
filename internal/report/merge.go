package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

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
}

// MergeJSON combines JSON reports of the shards of one check. A finding
// several shards report (a base that overlays in two shards render) is
// one finding listing all their targets; the summary's counts add up; an
// unused suppression is one only when every shard found it unused. The
// reports must come from one version with one rule catalogue.
func MergeJSON(reports [][]byte) (*Merged, error) {
	if len(reports) == 0 {
		return nil, errors.New("no report to merge")
	}
	var all []rules.Finding
	unused := map[string]int{}
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
		} else if r.Tool != m.report.Tool || !sameRules(r.Rules, m.report.Rules) {
			return nil, fmt.Errorf("report %d: written by another gitops-lint version or with other rules than report 1", i+1)
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
		seen := map[string]bool{}
		for _, f := range r.Findings {
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
		if f.RuleID != rules.SuppressionUnused || unused[f.Key()] == len(reports) {
			kept = append(kept, f)
		}
	}
	m.Findings = rules.Merge(kept)
	counts := rules.Counts(m.Findings)
	s := &m.report.Summary
	s.Findings = jsonCounts{Error: counts[rules.Error], Warning: counts[rules.Warning], Info: counts[rules.Info]}
	s.Suppressed = rules.Suppressed(m.Findings)
	m.report.Findings = m.Findings
	if m.report.Findings == nil {
		m.report.Findings = []rules.Finding{}
	}
	return &m, nil
}

func sameRules(a, b []jsonRule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Write writes the merged report in the shards' format.
func (m *Merged) Write(w io.Writer) error {
	return encodeJSON(w, m.report)
}
