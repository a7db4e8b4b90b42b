// Package apis knows which Kubernetes minors serve which built-in
// apiVersion/kind, so that a resource can be checked against the release it
// will be applied to: removed (or not yet added) APIs are errors, and APIs a
// later release removes, or that the OpenAPI document marks deprecated, are
// warnings.
//
// The table is generated from the official OpenAPI document of one release
// per minor since 1.16 (see package table and internal/schema/gen), not
// written by hand, and embedded in the binary.
package apis

import (
	"bytes"
	_ "embed"
	"fmt"

	"github.com/gitops-lint/gitops-lint/internal/apis/table"
)

//go:embed served.json
var served []byte

// Load decodes the embedded table.
func Load() (*Index, error) {
	t, err := table.Decode(bytes.NewReader(served))
	if err != nil {
		return nil, fmt.Errorf("embedded %w", err)
	}
	return New(t), nil
}

// Index answers questions about a table. It is read-only after New, so one
// Index may be used by many goroutines.
type Index struct {
	releases []string          // "1.16.15", oldest first
	minors   []string          // "1.16", by the same position
	apis     map[string]*entry // by apiVersion + " " + kind
	byKind   map[string][]*entry
}

type entry struct {
	group, version, kind string
	served               []bool   // by release position
	notes                []string // by release position; "" for none
}

func (e *entry) apiVersion() string {
	if e.group == "" {
		return e.version
	}
	return e.group + "/" + e.version
}

// New indexes a table that table.Decode accepted.
func New(t *table.Table) *Index {
	ix := &Index{
		releases: append([]string(nil), t.Releases...),
		apis:     make(map[string]*entry, len(t.APIs)),
		byKind:   map[string][]*entry{},
	}
	pos := map[string]int{}
	for i, r := range t.Releases {
		m := table.Minor(r)
		ix.minors = append(ix.minors, m)
		pos[m] = i
	}
	for _, a := range t.APIs {
		e := &entry{group: a.Group, version: a.Version, kind: a.Kind,
			served: make([]bool, len(t.Releases)), notes: make([]string, len(t.Releases))}
		for _, s := range a.Served {
			for i := pos[s.First]; i <= pos[s.Last]; i++ {
				e.served[i] = true
			}
		}
		for _, n := range a.Notes {
			for _, s := range n.In {
				for i := pos[s.First]; i <= pos[s.Last]; i++ {
					e.notes[i] = n.Text
				}
			}
		}
		ix.apis[a.APIVersion()+" "+a.Kind] = e
		ix.byKind[a.Kind] = append(ix.byKind[a.Kind], e)
	}
	return ix
}

// Target is the Kubernetes release a check is for.
type Target struct {
	// Minor is e.g. "1.34".
	Minor string
	// Release is the table's release of that minor, e.g. "1.34.8".
	Release string
	pos     int
}

// Releases returns the table's releases, oldest first.
func (ix *Index) Releases() []string { return append([]string(nil), ix.releases...) }

// Resolve maps a requested Kubernetes version to a target: "" is the
// newest; "1.34", "v1.34" and any patch of it ("1.34.2") are the table's
// 1.34 release, since patch releases do not change which APIs are served.
// Anything else is an error naming the supported range.
func (ix *Index) Resolve(requested string) (Target, error) {
	if requested == "" {
		n := len(ix.releases) - 1
		return Target{Minor: ix.minors[n], Release: ix.releases[n], pos: n}, nil
	}
	if minor, _, ok := table.ParseVersion(requested); ok {
		for i, m := range ix.minors {
			if m == minor {
				return Target{Minor: m, Release: ix.releases[i], pos: i}, nil
			}
		}
	}
	oldest, newest := ix.Range()
	return Target{}, fmt.Errorf("kubernetes version %q is not supported; choose a minor from %s to %s (such as %s) or one of its patch releases",
		requested, oldest, newest, newest)
}

// Range returns the oldest and the newest minor of the table, e.g. "1.16"
// and "1.37".
func (ix *Index) Range() (oldest, newest string) {
	return ix.minors[0], ix.minors[len(ix.minors)-1]
}
