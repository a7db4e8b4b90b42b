package rules

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/redact"
)

// Finding is one problem found by any check. Its Message and Path never
// contain a secret value: the check that builds it keeps values out where
// it can, and the engine screens every finding with every secret value of
// the run (package redact) before it is cached or reported.
type Finding struct {
	RuleID   string         `json:"ruleId"`
	Severity Severity       `json:"severity"`
	Message  string         `json:"message"`
	Resource manifest.ResID `json:"resource,omitzero"`
	// Path is the field the finding is about, as a JSON pointer
	// ("/spec/replicas"), empty when it is about the whole resource or file.
	Path string `json:"path,omitempty"`
	// Location is where a person edits to fix it.
	Location manifest.Origin `json:"location"`
	// Related are further places that explain the finding (the overlay that
	// produced it, the base line under a patch).
	Related []manifest.Origin `json:"related,omitempty"`
	// Targets are the targets in which the finding shows up, sorted.
	Targets []string `json:"targets,omitempty"`
	// Fingerprint is stable across line shifts and across the overlays that
	// render the same source: see Fingerprint.
	Fingerprint string `json:"fingerprint"`
	// Suppression is set when an inline comment or an annotation silences
	// the finding: it is reported, but never fails the run.
	Suppression *Suppression `json:"suppression,omitempty"`
	// Lowered is set by a check that judges this occurrence one severity
	// below its rule's (plaintext-secret on a value that looks like no
	// credential). The engine applies it after the rule's configured
	// severity, so severity is still set in one place.
	Lowered bool `json:"lowered,omitempty"`
}

// Suppression says why a finding is silenced.
type Suppression struct {
	// Kind is SARIF's: "inSource" for comments and annotations.
	Kind string `json:"kind"`
	// Justification is the reason written with the suppression.
	Justification string `json:"justification,omitempty"`
	// Location is where the suppression is written.
	Location manifest.Origin `json:"location"`
}

// Active reports whether the finding counts: it is not suppressed.
func (f *Finding) Active() bool { return f.Suppression == nil }

// Key is what makes two findings the same problem: the same rule at the
// same source position about the same field with the same message. Findings
// from different targets with one Key are merged into one.
func (f *Finding) Key() string {
	suppressed := ""
	if f.Suppression != nil {
		suppressed = f.Suppression.Location.String()
	}
	return strings.Join([]string{f.RuleID, f.Location.String(), f.Path, f.Message, suppressed}, "\x00")
}

// Fingerprint computes a stable identity from what does not move when lines
// are inserted above a finding or when another overlay renders the same
// source: the rule, the source file, the resource identity as written in
// the source, and the field path (with list items named by their merge
// key, manifest.StablePointer). Line numbers are never part of it.
func Fingerprint(ruleID, file string, source manifest.ResID, path, discriminator string) string {
	h := sha256.New()
	for _, s := range []string{ruleID, file, source.APIVersion, source.Kind, source.Namespace, source.Name, path, discriminator} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Compare orders findings for output: by file, line, column, rule, message.
func Compare(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Location.File, b.Location.File),
		cmp.Compare(a.Location.Line, b.Location.Line),
		cmp.Compare(a.Location.Col, b.Location.Col),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Message, b.Message),
		cmp.Compare(a.Resource.String(), b.Resource.String()),
	)
}

// Merge folds findings that share a Key into one, uniting their targets,
// and returns them sorted with Compare. It keeps the first Fingerprint seen,
// which is the same for all of them by construction.
func Merge(in []Finding) []Finding {
	byKey := make(map[string]int, len(in))
	out := make([]Finding, 0, len(in))
	for _, f := range in {
		k := f.Key()
		if i, ok := byKey[k]; ok {
			out[i].Targets = append(out[i].Targets, f.Targets...)
			out[i].Related = append(out[i].Related, f.Related...)
			continue
		}
		byKey[k] = len(out)
		f.Targets = slices.Clone(f.Targets)
		f.Related = slices.Clone(f.Related)
		out = append(out, f)
	}
	for i := range out {
		slices.Sort(out[i].Targets)
		out[i].Targets = slices.Compact(out[i].Targets)
		slices.SortFunc(out[i].Related, func(a, b manifest.Origin) int {
			switch {
			case a.Less(b):
				return -1
			case b.Less(a):
				return 1
			}
			return 0
		})
		out[i].Related = slices.Compact(out[i].Related)
	}
	slices.SortStableFunc(out, Compare)
	return out
}

// Counts returns how many active (not suppressed) findings there are per
// severity.
func Counts(fs []Finding) map[Severity]int {
	c := map[Severity]int{}
	for _, f := range fs {
		if f.Active() {
			c[f.Severity]++
		}
	}
	return c
}

// Suppressed counts the suppressed findings.
func Suppressed(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if !f.Active() {
			n++
		}
	}
	return n
}

// Redacted replaces a secret value in a message (package redact).
const Redacted = redact.Marker
