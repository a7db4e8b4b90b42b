// Package baseline records the findings a repository has today so that a
// check can report only new ones: teams adopt gitops-lint on a repository
// with hundreds of findings and fix them over time, while every pull
// request is held to "no new problems".
//
// Entries are keyed by the findings' fingerprints, which leave out line
// numbers (rules.Fingerprint), so a baseline survives lines inserted above
// a finding and edits elsewhere in the file.
package baseline

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// DefaultFile is where `gitops-lint baseline` writes, at the repository root.
const DefaultFile = ".gitops-lint-baseline.json"

// Version is the format version written and accepted.
const Version = 1

// File is the baseline file's content.
type File struct {
	Version int     `json:"version"`
	Entries []Entry `json:"findings"`
}

// Entry is one recorded finding. Only Fingerprint matters for matching;
// the rest lets a person read and review the file.
type Entry struct {
	Fingerprint string `json:"fingerprint"`
	RuleID      string `json:"ruleId"`
	File        string `json:"file,omitempty"`
	Resource    string `json:"resource,omitempty"`
	Path        string `json:"path,omitempty"`
}

// New records the active findings (suppressed ones need no baseline),
// one entry per fingerprint, sorted so the file diffs cleanly.
func New(fs []rules.Finding) File {
	seen := map[string]bool{}
	var es []Entry
	for _, f := range fs {
		if !f.Active() || f.Fingerprint == "" || seen[f.Fingerprint] {
			continue
		}
		seen[f.Fingerprint] = true
		es = append(es, Entry{Fingerprint: f.Fingerprint, RuleID: f.RuleID, File: f.Location.File, Resource: f.Resource.String(), Path: f.Path})
	}
	slices.SortFunc(es, func(a, b Entry) int {
		return strings.Compare(a.File+"\x00"+a.RuleID+"\x00"+a.Fingerprint, b.File+"\x00"+b.RuleID+"\x00"+b.Fingerprint)
	})
	if es == nil {
		es = []Entry{}
	}
	return File{Version: Version, Entries: es}
}

// Write writes the baseline as indented JSON.
func (b File) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(b)
}

// Load reads a baseline file. A malformed file is an error naming the
// file and line: silently ignoring it would report every old finding as new.
func Load(path string) (File, error) {
	// The user names it, so it may be a symlink; it is still read as a
	// bounded, regular file (never a FIFO that blocks).
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return File{}, err
	}
	data, err := rootfs.ReadRegular(resolved, rootfs.DefaultLimit)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", path, err)
	}
	var b File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return File{}, fmt.Errorf("%s:%d: %v", path, errorLine(data, err, dec), err)
	}
	if b.Version != Version {
		return File{}, fmt.Errorf("%s: baseline version %d is not supported (want %d); regenerate it with gitops-lint baseline", path, b.Version, Version)
	}
	return b, nil
}

// errorLine is the line a JSON decoding error is on.
func errorLine(data []byte, err error, dec *json.Decoder) int {
	off := dec.InputOffset()
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	return 1 + bytes.Count(data[:min(int(off), len(data))], []byte("\n"))
}

// Filter drops the findings the baseline records and returns the rest
// with the number dropped. Suppressed findings are kept: they are
// reported as suppressed either way.
func (b File) Filter(fs []rules.Finding) ([]rules.Finding, int) {
	known := make(map[string]bool, len(b.Entries))
	for _, e := range b.Entries {
		known[e.Fingerprint] = true
	}
	kept := make([]rules.Finding, 0, len(fs))
	for _, f := range fs {
		if f.Active() && known[f.Fingerprint] {
			continue
		}
		kept = append(kept, f)
	}
	return kept, len(fs) - len(kept)
}
