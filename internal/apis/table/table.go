// Package table is the compact form of which Kubernetes releases serve which
// apiVersion/kind, with the deprecation notes their OpenAPI documents carry.
// The schema generator builds it from api/openapi-spec/swagger.json of one
// release per minor and package apis embeds it.
//
// It lives apart from package apis, which embeds the generated file, so that
// the generator builds before any table exists.
package table

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Table lists every apiVersion/kind served by at least one of Releases.
type Table struct {
	// Releases are the releases the table was built from, one per minor,
	// consecutive, oldest first, without "v" (e.g. "1.16.15").
	Releases []string `json:"releases"`
	// APIs are sorted by group, version and kind.
	APIs []API `json:"apis"`
}

// API is one apiVersion/kind and the minors that serve it.
type API struct {
	Group   string `json:"group,omitempty"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	// Served are the runs of consecutive minors whose API server serves it.
	Served []Span `json:"served"`
	// Notes are the deprecation notes in the description of the kind's
	// definition, with the minors whose document carries each.
	Notes []Note `json:"notes,omitempty"`
}

// APIVersion returns the apiVersion written in manifests: "v1" for the core
// group, "group/version" otherwise.
func (a API) APIVersion() string {
	if a.Group == "" {
		return a.Version
	}
	return a.Group + "/" + a.Version
}

// Note is a deprecation note and the minors whose OpenAPI document has it.
type Note struct {
	Text string `json:"text"`
	In   []Span `json:"in"`
}

// Span is a run of consecutive minors, both ends included, e.g. 1.16 to
// 1.21. It is written as a two-element JSON array, ["1.16","1.21"].
type Span struct {
	First, Last string
}

// MarshalJSON writes the span as [first, last].
func (s Span) MarshalJSON() ([]byte, error) {
	return json.Marshal([2]string{s.First, s.Last})
}

// UnmarshalJSON reads [first, last].
func (s *Span) UnmarshalJSON(data []byte) error {
	var pair [2]string
	if err := json.Unmarshal(data, &pair); err != nil {
		return fmt.Errorf("span: %w", err)
	}
	s.First, s.Last = pair[0], pair[1]
	return nil
}

// Minor returns the minor of a release: "1.16" for "1.16.15" or "v1.16.15".
func Minor(release string) string {
	parts := strings.SplitN(strings.TrimPrefix(release, "v"), ".", 3)
	if len(parts) < 2 {
		return release
	}
	return parts[0] + "." + parts[1]
}

// minorNumbers parses "1.16" into 1 and 16.
func minorNumbers(minor string) (major, min int, err error) {
	a, b, ok := strings.Cut(minor, ".")
	if !ok {
		return 0, 0, fmt.Errorf("%q is not a major.minor version", minor)
	}
	if major, err = strconv.Atoi(a); err != nil {
		return 0, 0, fmt.Errorf("%q is not a major.minor version", minor)
	}
	if min, err = strconv.Atoi(b); err != nil {
		return 0, 0, fmt.Errorf("%q is not a major.minor version", minor)
	}
	return major, min, nil
}

// Encode writes the table as JSON with one API per line, so that a change
// of the pinned releases reads as a short diff in review. The output depends
// only on the table.
func (t *Table) Encode(w io.Writer) error {
	var buf bytes.Buffer
	releases, err := json.Marshal(t.Releases)
	if err != nil {
		return err
	}
	fmt.Fprintf(&buf, "{\"releases\":%s,\n\"apis\":[\n", releases)
	for i, a := range t.APIs {
		line, err := marshal(a)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", a.APIVersion(), a.Kind, err)
		}
		buf.Write(line)
		if i < len(t.APIs)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("]}\n")
	_, err = w.Write(buf.Bytes())
	return err
}

// marshal is json.Marshal without HTML escaping: notes quote "<" and ">"
// (such as "<.spec.name>") and should read as the document wrote them.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// Decode reads a table written by Encode and checks that it is consistent:
// consecutive releases, and spans that name them in order.
func Decode(r io.Reader) (*Table, error) {
	var t Table
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("decode API table: %w", err)
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("API table: %w", err)
	}
	return &t, nil
}

func (t *Table) check() error {
	if len(t.Releases) == 0 {
		return fmt.Errorf("no releases")
	}
	pos := make(map[string]int, len(t.Releases))
	for i, r := range t.Releases {
		major, minor, err := minorNumbers(Minor(r))
		if err != nil {
			return err
		}
		if i > 0 {
			prevMajor, prevMinor, _ := minorNumbers(Minor(t.Releases[i-1]))
			if major != prevMajor || minor != prevMinor+1 {
				return fmt.Errorf("release %s does not follow %s", r, t.Releases[i-1])
			}
		}
		pos[Minor(r)] = i
	}
	spans := func(a API, ss []Span) error {
		last := -1
		for _, s := range ss {
			first, ok1 := pos[s.First]
			end, ok2 := pos[s.Last]
			if !ok1 || !ok2 || first > end || first <= last {
				return fmt.Errorf("%s %s: bad span %v", a.APIVersion(), a.Kind, s)
			}
			last = end
		}
		return nil
	}
	for _, a := range t.APIs {
		if a.Version == "" || a.Kind == "" || len(a.Served) == 0 {
			return fmt.Errorf("incomplete entry %+v", a)
		}
		if err := spans(a, a.Served); err != nil {
			return err
		}
		for _, n := range a.Notes {
			if err := spans(a, n.In); err != nil {
				return err
			}
		}
	}
	return nil
}

// ParseVersion reads a Kubernetes version as people write it ("1.34",
// "v1.34.2") and returns its minor ("1.34") and the version without the v.
// ok is false for anything else.
func ParseVersion(s string) (minor, version string, ok bool) {
	version = strings.TrimPrefix(s, "v")
	parts := strings.Split(version, ".")
	if len(parts) != 2 && len(parts) != 3 {
		return "", "", false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return "", "", false
		}
	}
	return parts[0] + "." + parts[1], version, true
}
