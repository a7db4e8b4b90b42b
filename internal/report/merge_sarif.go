package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// sarifVersion is the SARIF version writeSARIF writes (the library's
// NewReport) and a merge reads.
const sarifVersion = "2.1.0"

// sarifLogIn is what a merge reads of a SARIF log written by writeSARIF:
// exactly what sarifResult and writeSARIFLog wrote from each finding, so
// that the findings can be merged as rules.Finding values and written
// again by the same code. Rule descriptors are kept as written.
type sarifLogIn struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name           string            `json:"name"`
				Version        string            `json:"version"`
				InformationURI string            `json:"informationUri"`
				Rules          []json.RawMessage `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results    []sarifResultIn `json:"results"`
		Properties struct {
			Targets        int    `json:"targets"`
			PartlyRendered int    `json:"partlyRendered"`
			NotRendered    int    `json:"notRendered"`
			FluxSource     string `json:"fluxSource"`
		} `json:"properties"`
	} `json:"runs"`
}

type sarifResultIn struct {
	RuleID  string `json:"ruleId"`
	Level   string `json:"level"`
	Message struct {
		Text string `json:"text"`
	} `json:"message"`
	Locations           []sarifLocationIn `json:"locations"`
	RelatedLocations    []sarifLocationIn `json:"relatedLocations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []struct {
		Kind          string           `json:"kind"`
		Justification string           `json:"justification"`
		Location      *sarifLocationIn `json:"location"`
	} `json:"suppressions"`
	Properties struct {
		Resource string   `json:"resource"`
		Path     string   `json:"path"`
		Targets  []string `json:"targets"`
	} `json:"properties"`
}

type sarifLocationIn struct {
	PhysicalLocation struct {
		ArtifactLocation struct {
			URI string `json:"uri"`
		} `json:"artifactLocation"`
		Region struct {
			StartLine   int `json:"startLine"`
			StartColumn int `json:"startColumn"`
		} `json:"region"`
	} `json:"physicalLocation"`
}

// MergeSARIF combines SARIF logs of the shards of one check, as MergeJSON
// does JSON reports: a result several shards report is one listing all
// their targets, the run's counts add up, an unused suppression is one
// only when every shard found it unused, and the rule descriptions are
// those of the merged results in catalogue order, then the others as the
// shards list them.
//
// One thing a log does not keep is told apart by a guess: a finding
// without a line is written at line 1 (code-scanning services require
// one), so it sorts as a finding at line 1 without a column would.
func MergeSARIF(reports [][]byte, catalogue []string) (*Merged, error) {
	if len(reports) == 0 {
		return nil, errors.New("no report to merge")
	}
	m := &Merged{Format: FormatSARIF}
	described := map[string]*sarif.ReportingDescriptor{}
	raw := map[string][]byte{}
	var seen []string
	perReport := make([][]rules.Finding, len(reports))
	for i, data := range reports {
		var l sarifLogIn
		if err := json.Unmarshal(data, &l); err != nil || l.Version != sarifVersion || len(l.Runs) != 1 {
			return nil, fmt.Errorf("report %d: not a gitops-lint SARIF log (SARIF %s, one run)", i+1, sarifVersion)
		}
		run := l.Runs[0]
		tool := Tool{Name: run.Tool.Driver.Name, Version: run.Tool.Driver.Version, InformationURI: run.Tool.Driver.InformationURI}
		if i == 0 {
			m.sarif.Tool = tool
		} else if tool != m.sarif.Tool {
			return nil, fmt.Errorf("report %d: written by another gitops-lint version than report 1", i+1)
		}
		for _, d := range run.Tool.Driver.Rules {
			var desc sarif.ReportingDescriptor
			if err := json.Unmarshal(d, &desc); err != nil || desc.ID == nil {
				return nil, fmt.Errorf("report %d: a rule without an id", i+1)
			}
			id := *desc.ID
			if prev, ok := raw[id]; !ok {
				described[id], raw[id] = &desc, d
				seen = append(seen, id)
			} else if !bytes.Equal(prev, d) {
				return nil, fmt.Errorf("report %d: describes rule %s otherwise than an earlier report: written by another version or configuration", i+1, id)
			}
		}
		p := run.Properties
		m.sarif.Targets += p.Targets
		m.sarif.PartlyRendered += p.PartlyRendered
		m.sarif.NotRendered += p.NotRendered
		if m.sarif.FluxSource == "" {
			m.sarif.FluxSource = p.FluxSource
		}
		for _, r := range run.Results {
			perReport[i] = append(perReport[i], r.finding())
		}
	}
	m.Findings = mergeFindings(perReport)
	m.sarif.Findings = m.Findings
	used := map[string]bool{}
	for _, f := range m.Findings {
		used[f.RuleID] = true
	}
	for _, id := range slices.Concat(catalogue, seen) {
		if d, ok := described[id]; ok && used[id] {
			m.descriptors = append(m.descriptors, d)
			delete(described, id)
		}
	}
	return m, nil
}

// finding is the finding sarifResult wrote r from.
func (r sarifResultIn) finding() rules.Finding {
	f := rules.Finding{
		RuleID:      r.RuleID,
		Severity:    sarifSeverity(r.Level),
		Message:     r.Message.Text,
		Resource:    parseResID(r.Properties.Resource),
		Path:        r.Properties.Path,
		Targets:     r.Properties.Targets,
		Fingerprint: r.PartialFingerprints[fingerprintKey],
	}
	if len(f.Targets) > 1 {
		// sarifResult names the targets in the message; the merged
		// finding names all of them again.
		f.Message = strings.TrimSuffix(f.Message, " (in "+strings.Join(f.Targets, ", ")+")")
	}
	if len(r.Locations) > 0 {
		f.Location = r.Locations[0].origin()
	}
	for _, l := range r.RelatedLocations {
		f.Related = append(f.Related, l.origin())
	}
	if len(r.Suppressions) > 0 {
		s := r.Suppressions[0]
		f.Suppression = &rules.Suppression{Kind: s.Kind, Justification: s.Justification}
		if s.Location != nil {
			f.Suppression.Location = s.Location.origin()
		}
	}
	return f
}

// origin is the position sarifLocation wrote l from.
func (l sarifLocationIn) origin() manifest.Origin {
	uri := l.PhysicalLocation.ArtifactLocation.URI
	file := uri
	if u, err := url.Parse(uri); err == nil {
		file = u.Path
	}
	// fileURI protects a colon in the first segment with "./"; no
	// repository path starts with it.
	file = strings.TrimPrefix(file, "./")
	r := l.PhysicalLocation.Region
	return manifest.Origin{File: file, Line: r.StartLine, Col: r.StartColumn}
}

// sarifSeverity is the severity sarifLevel wrote level from.
func sarifSeverity(level string) rules.Severity {
	switch level {
	case sarif.LevelError:
		return rules.Error
	case sarif.LevelWarning:
		return rules.Warning
	default:
		return rules.Info
	}
}

// parseResID reads manifest.ResID.String back: "Kind/name" or
// "Kind/namespace/name" (neither a kind nor a name holds a slash). The
// API version is not written; nothing after a merge needs it.
func parseResID(s string) manifest.ResID {
	parts := strings.Split(s, "/")
	switch len(parts) {
	case 2:
		return manifest.ResID{Kind: parts[0], Name: parts[1]}
	case 3:
		return manifest.ResID{Kind: parts[0], Namespace: parts[1], Name: parts[2]}
	}
	return manifest.ResID{}
}
