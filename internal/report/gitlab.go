package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// The types below are GitLab's Code Quality report, a subset of Code
// Climate's issue format: the fields GitLab documents as required
// (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
}

// writeGitLab writes the active findings as a Code Quality report, the
// artifact GitLab compares between a merge request and its target branch.
// Suppressed findings are left out: the format cannot mark them.
func writeGitLab(w io.Writer, in Input) error {
	// An empty run is [], never null: GitLab reads both, but other
	// consumers of the artifact iterate without a check.
	out := make([]gitlabIssue, 0, len(in.Findings))
	seen := make(map[string]bool, len(in.Findings))
	for _, f := range in.Findings {
		if !f.Active() {
			continue
		}
		out = append(out, gitlabIssue{
			Description: describe(f),
			CheckName:   f.RuleID,
			Fingerprint: gitlabFingerprint(f, seen),
			Severity:    gitlabSeverity(f.Severity),
			Location: gitlabLocation{
				Path: f.Location.File,
				// Lines are 1-based; an unknown line is about the whole
				// file, as in SARIF.
				Lines: gitlabLines{Begin: max(f.Location.Line, 1)},
			},
		})
	}
	return encodeJSON(w, out)
}

// gitlabFingerprint returns the finding's fingerprint, unique in the
// report: GitLab shows only the first issue of a fingerprint, and matches
// issues between branches by it. Findings share a fingerprint when they are
// about the same field of the same source (two messages for one field, say);
// the message tells those apart without bringing in the line number, which
// would make every issue below an inserted line look new. Only findings that
// still collide fall back to the location, then to a counter.
func gitlabFingerprint(f rules.Finding, seen map[string]bool) string {
	base := f.Fingerprint
	if base == "" {
		base = gitlabHash(f.Key())
	}
	candidates := []string{
		base,
		gitlabHash(base, f.Message),
		gitlabHash(base, f.Message, f.Location.String()),
	}
	for _, fp := range candidates {
		if !seen[fp] {
			seen[fp] = true
			return fp
		}
	}
	last := candidates[len(candidates)-1]
	for n := 2; ; n++ {
		if fp := gitlabHash(last, strconv.Itoa(n)); !seen[fp] {
			seen[fp] = true
			return fp
		}
	}
}

// gitlabHash hashes its parts into a fingerprint of the same shape as
// rules.Fingerprint's.
func gitlabHash(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// gitlabSeverity maps onto GitLab's scale (info, minor, major, critical,
// blocker) as most linters do: errors are major, above warnings in the
// merge request widget; critical and blocker are left to tools that rank
// exploitability.
func gitlabSeverity(s rules.Severity) string {
	switch s {
	case rules.Error:
		return "major"
	case rules.Warning:
		return "minor"
	default:
		return "info"
	}
}
