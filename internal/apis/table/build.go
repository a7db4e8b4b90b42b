package table

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Builder accumulates the OpenAPI documents of consecutive releases.
type Builder struct {
	releases []string
	apis     map[gvk]*seen
}

type gvk struct{ group, version, kind string }

// seen records, by position in Builder.releases, whether a release serves
// an apiVersion/kind and the deprecation note its document gives.
type seen struct {
	served []bool
	notes  []string
}

// Add reads the OpenAPI v2 document (api/openapi-spec/swagger.json) of one
// release. Releases must be added oldest first, one per minor, without
// skipping a minor, so that a span of minors says exactly which served.
//
// A kind is served when an operation of the document carries its
// x-kubernetes-group-version-kind: that lists resources (and subresources
// such as Scale), not the List and option types every group also defines.
// The document is generated with every API enabled (alpha and beta
// versions, and versions no longer served by default but not yet removed),
// so "served" means "the release can serve it".
func (b *Builder) Add(release string, swagger []byte) error {
	release = strings.TrimPrefix(release, "v")
	major, minor, err := minorNumbers(Minor(release))
	if err != nil {
		return err
	}
	if n := len(b.releases); n > 0 {
		prevMajor, prevMinor, _ := minorNumbers(Minor(b.releases[n-1]))
		if major != prevMajor || minor != prevMinor+1 {
			return fmt.Errorf("release %s does not follow %s: add one release per minor, oldest first", release, b.releases[n-1])
		}
	}
	var doc openAPIDoc
	if err := json.Unmarshal(swagger, &doc); err != nil {
		return fmt.Errorf("%s: parse openapi document: %w", release, err)
	}
	served, err := doc.served(release)
	if err != nil {
		return err
	}
	b.record(release, served, doc.notes(served))
	return nil
}

// openAPIDoc is what Add reads of a release's OpenAPI (swagger) document.
type openAPIDoc struct {
	Paths       map[string]map[string]json.RawMessage `json:"paths"`
	Definitions map[string]struct {
		Description string `json:"description"`
		GVK         []struct {
			Group   string `json:"group"`
			Version string `json:"version"`
			Kind    string `json:"kind"`
		} `json:"x-kubernetes-group-version-kind"`
	} `json:"definitions"`
}

// served lists the kinds an operation of the document serves.
func (doc *openAPIDoc) served(release string) (map[gvk]bool, error) {
	served := map[gvk]bool{}
	for _, item := range doc.Paths {
		for method, raw := range item {
			if method == "parameters" {
				continue
			}
			var op struct {
				GVK *struct {
					Group   string `json:"group"`
					Version string `json:"version"`
					Kind    string `json:"kind"`
				} `json:"x-kubernetes-group-version-kind"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				return nil, fmt.Errorf("%s: operation %s: %w", release, method, err)
			}
			if op.GVK != nil && op.GVK.Version != "" && op.GVK.Kind != "" {
				served[gvk{op.GVK.Group, op.GVK.Version, op.GVK.Kind}] = true
			}
		}
	}
	if len(served) == 0 {
		return nil, fmt.Errorf("%s: no operation declares x-kubernetes-group-version-kind", release)
	}
	return served, nil
}

// notes are the deprecation notes of the served kinds' definitions.
func (doc *openAPIDoc) notes(served map[gvk]bool) map[gvk]string {
	notes := map[gvk]string{}
	for _, def := range doc.Definitions {
		note := DeprecationNote(def.Description)
		if note == "" {
			continue
		}
		for _, k := range def.GVK {
			key := gvk{k.Group, k.Version, k.Kind}
			if served[key] {
				notes[key] = note
			}
		}
	}
	return notes
}

// record adds a release's column to the table.
func (b *Builder) record(release string, served map[gvk]bool, notes map[gvk]string) {
	if b.apis == nil {
		b.apis = map[gvk]*seen{}
	}
	i := len(b.releases)
	b.releases = append(b.releases, release)
	for _, s := range b.apis {
		s.served = append(s.served, false)
		s.notes = append(s.notes, "")
	}
	for key := range served {
		s, ok := b.apis[key]
		if !ok {
			s = &seen{served: make([]bool, i+1), notes: make([]string, i+1)}
			b.apis[key] = s
		}
		s.served[i] = true
		s.notes[i] = notes[key]
	}
}

// Table returns the table of the releases added so far.
func (b *Builder) Table() *Table {
	t := &Table{Releases: append([]string(nil), b.releases...)}
	for key, s := range b.apis {
		a := API{Group: key.group, Version: key.version, Kind: key.kind, Served: b.spans(s.served)}
		texts := map[string][]bool{}
		var order []string
		for i, n := range s.notes {
			if n == "" {
				continue
			}
			if _, ok := texts[n]; !ok {
				texts[n] = make([]bool, len(b.releases))
				order = append(order, n)
			}
			texts[n][i] = true
		}
		for _, n := range order {
			a.Notes = append(a.Notes, Note{Text: n, In: b.spans(texts[n])})
		}
		t.APIs = append(t.APIs, a)
	}
	sort.Slice(t.APIs, func(i, j int) bool {
		a, c := t.APIs[i], t.APIs[j]
		if a.Group != c.Group {
			return a.Group < c.Group
		}
		if a.Version != c.Version {
			return a.Version < c.Version
		}
		return a.Kind < c.Kind
	})
	return t
}

// spans turns a flag per release into runs of consecutive minors.
func (b *Builder) spans(on []bool) []Span {
	var out []Span
	for i := 0; i < len(on); i++ {
		if !on[i] {
			continue
		}
		j := i
		for j+1 < len(on) && on[j+1] {
			j++
		}
		out = append(out, Span{First: Minor(b.releases[i]), Last: Minor(b.releases[j])})
		i = j
	}
	return out
}

// deprecationSentence matches a sentence that says the kind is deprecated or
// when it goes away; followUp matches the advice that comes after one.
var (
	deprecationSentence = regexp.MustCompile(`(?i)deprecat|planned for removal|no longer be served`)
	followUp            = regexp.MustCompile(`(?i)^(please )?use\b`)
	sentenceEnd         = regexp.MustCompile(`\.\s+`)
)

// DeprecationNote returns the sentences of a kind's description that say
// it is deprecated, with the advice that follows them ("Use X instead."),
// or "" when the description says nothing of the kind. Release-note
// pointers and the rest of the description are dropped.
func DeprecationNote(description string) string {
	var keep []string
	kept := false
	for _, s := range splitSentences(description) {
		switch {
		case deprecationSentence.MatchString(s):
			keep = append(keep, s)
			kept = true
		case kept && followUp.MatchString(s):
			keep = append(keep, s)
		default:
			kept = false
		}
	}
	return strings.Join(keep, " ")
}

// splitSentences splits prose at a full stop followed by white space (and
// at blank lines), keeping the full stop. Version numbers ("v1.16") have no
// space after their dots and stay whole.
func splitSentences(text string) []string {
	var out []string
	for _, para := range strings.Split(text, "\n\n") {
		para = strings.Join(strings.Fields(para), " ")
		for para != "" {
			loc := sentenceEnd.FindStringIndex(para)
			if loc == nil {
				out = append(out, para)
				break
			}
			out = append(out, para[:loc[0]+1])
			para = para[loc[1]:]
		}
	}
	return out
}
