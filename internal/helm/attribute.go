package helm

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v4/pkg/chart/v2/loader"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// A values leaf is marked for attribution with a sentinel of its own type
// where one exists: strings with a token no chart writes by itself, numbers
// with a number no chart computes from nothing. The chart is rendered once
// more with the marked values; a rendered field that holds a token or
// number came from that leaf. Booleans have no room for a mark: a boolean
// field is attributed to a boolean leaf of the same key and value, when
// only one has them.
const (
	tokenPrefix = "glsv"
	tokenSuffix = "q"
	numberBase  = 918273000000
)

var token = regexp.MustCompile(tokenPrefix + `(\d+)` + tokenSuffix)

// Fields maps, for one rendered object, a JSON pointer to the path of the
// values leaf that wrote it.
type Fields map[string][]string

// Attribution maps each rendered object, by Key, to its Fields.
type Attribution map[string]Fields

// Key names a rendered object by its template and its position among the
// template's documents, which do not change when values are marked.
func Key(template string, index int) string { return template + "#" + strconv.Itoa(index) }

// Attribute says which rendered fields of the release came from which of
// its values. It renders the chart a second time; a chart that fails with
// the marked values is attributed nothing.
func Attribute(ctx context.Context, ch *Chart, rel Release) (Attribution, error) {
	plain, err := Render(ctx, ch, rel)
	if err != nil {
		return nil, err
	}
	// The chart's own values.yaml is marked too, handed over as if the
	// user had set it (Helm coalesces the same defaults under the same
	// values), so a field it writes is found. A chart that rejects its
	// defaults marked (an enum, a version compared) is tried with the
	// user's values alone, and one that rejects those too is attributed
	// nothing.
	all := rel.Values
	if ch.schema != nil && len(ch.schema.Values) > 0 {
		all = loader.MergeMaps(ch.schema.Values, rel.Values)
	}
	sent, leaves, ok := renderMarked(ctx, ch, rel, all)
	if !ok {
		all = rel.Values
		if sent, leaves, ok = renderMarked(ctx, ch, rel, all); !ok {
			return Attribution{}, nil
		}
	}
	bools := boolLeaves(all, nil)
	plainDocs := docsByKey(plain)
	out := Attribution{}
	for key, sdoc := range docsByKey(sent) {
		pdoc, ok := plainDocs[key]
		if !ok {
			continue
		}
		fields := Fields{}
		walk(sdoc, "", func(ptr string, v any) {
			switch t := v.(type) {
			case string:
				// "{{ .repository }}:{{ .tag }}": the last value is the
				// one a finding about the field most likely means.
				if all := token.FindAllStringSubmatch(t, -1); all != nil {
					if i, err := strconv.Atoi(all[len(all)-1][1]); err == nil && i < len(leaves) {
						fields[ptr] = leaves[i]
					}
				}
			case float64, int64, int:
				n, err := strconv.ParseInt(fmt.Sprint(t), 10, 64)
				if f, ok := t.(float64); ok {
					n, err = int64(f), nil
				}
				if i := n - numberBase; err == nil && i >= 0 && i < int64(len(leaves)) {
					fields[ptr] = leaves[i]
				}
			}
		})
		walk(pdoc, "", func(ptr string, v any) {
			b, ok := v.(bool)
			if !ok {
				return
			}
			last := ptr[strings.LastIndex(ptr, "/")+1:]
			if p, ok := bools[boolKey{last, b}]; ok && p != nil {
				fields[ptr] = p
			}
		})
		if len(fields) > 0 {
			out[key] = fields
		}
	}
	return out, nil
}

// renderMarked renders the chart with vals marked, and returns the
// values path of each mark.
func renderMarked(ctx context.Context, ch *Chart, rel Release, vals map[string]any) (*Output, [][]string, bool) {
	var leaves [][]string
	marked := markValues(vals, nil, &leaves)
	rel.Values, _ = marked.(map[string]any)
	out, err := Render(ctx, ch, rel)
	return out, leaves, err == nil
}

// markValues returns v with every string and integer leaf replaced by a
// sentinel, appending each leaf's path to leaves in sentinel order.
func markValues(v any, at []string, leaves *[][]string) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[k] = markValues(x, append(append([]string(nil), at...), k), leaves)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = markValues(x, append(append([]string(nil), at...), strconv.Itoa(i)), leaves)
		}
		return out
	case string:
		*leaves = append(*leaves, at)
		return tokenPrefix + strconv.Itoa(len(*leaves)-1) + tokenSuffix
	case int, int64, float64:
		if f, ok := t.(float64); ok && f != float64(int64(f)) {
			return t // a fraction: a template may compare it
		}
		*leaves = append(*leaves, at)
		return int64(numberBase + len(*leaves) - 1)
	}
	return v
}

type boolKey struct {
	key string
	val bool
}

// boolLeaves maps (key, value) of each boolean leaf to its path; nil when
// two leaves share both.
func boolLeaves(v map[string]any, at []string) map[boolKey][]string {
	out := map[boolKey][]string{}
	var rec func(x any, at []string)
	rec = func(x any, at []string) {
		switch t := x.(type) {
		case map[string]any:
			for k, y := range t {
				rec(y, append(append([]string(nil), at...), k))
			}
		case bool:
			if len(at) == 0 {
				return
			}
			k := boolKey{at[len(at)-1], t}
			if _, dup := out[k]; dup {
				out[k] = nil
			} else {
				out[k] = at
			}
		}
	}
	rec(v, at)
	return out
}

func docsByKey(o *Output) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, m := range o.Manifests {
		docs, err := decodeAll(m.YAML)
		if err != nil {
			continue
		}
		for i, d := range docs {
			out[Key(m.Template, i)] = d
		}
	}
	return out
}

// walk calls fn with the JSON pointer and value of every scalar under v.
func walk(v any, ptr string, fn func(string, any)) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			walk(x, ptr+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), fn)
		}
	case []any:
		for i, x := range t {
			walk(x, ptr+"/"+strconv.Itoa(i), fn)
		}
	default:
		fn(ptr, v)
	}
}

// ValuesSource is one place values are written: a values file, or a
// mapping of values inside another file (a kustomization's valuesInline,
// an Application's valuesObject or its helm.values text).
type ValuesSource struct {
	// File is the repository-relative file.
	File string
	// Root is the values mapping.
	Root *yaml.Node
	// LineOffset is added to Root's lines: the values text of a YAML
	// block scalar was parsed on its own, and its first line is the one
	// after the offset.
	LineOffset int
	// NoColumn leaves columns out when Root's do not match the file's.
	NoColumn bool
}

// LocateValues turns attributed fields into positions: each values path
// at the first source, in priority order (highest first), that writes it.
func LocateValues(fields Fields, sources []ValuesSource) map[string]manifest.Origin {
	out := map[string]manifest.Origin{}
	for ptr, leaf := range fields {
		for _, s := range sources {
			if o, ok := s.Locate(leaf); ok {
				out[ptr] = o
				break
			}
		}
	}
	return out
}

// Locate is the position of the values path leaf in the source.
func (s ValuesSource) Locate(leaf []string) (manifest.Origin, bool) {
	at, ok := nodeAt(s.Root, leaf)
	if !ok {
		return manifest.Origin{}, false
	}
	o := manifest.Origin{File: s.File, Line: at.Line + s.LineOffset, Col: at.Column}
	if s.NoColumn {
		o.Col = 0
	}
	return o, true
}

// ChartValues is the chart's own values.yaml as a ValuesSource, the one
// of lowest priority; false when the chart has none (or is packed).
func ChartValues(fsys *rootfs.FS, ch *Chart) (ValuesSource, bool) {
	if ch.External {
		return ValuesSource{}, false // no line of it is the repository's
	}
	f := path.Join(ch.Dir, "values.yaml")
	data, err := fsys.ReadFile(f)
	if err != nil {
		return ValuesSource{}, false
	}
	var n yaml.Node
	if yaml.Unmarshal(data, &n) != nil || len(n.Content) == 0 {
		return ValuesSource{}, false
	}
	return ValuesSource{File: f, Root: n.Content[0]}, true
}

// nodeAt is the key node (or list item) at path under n.
func nodeAt(n *yaml.Node, at []string) (*yaml.Node, bool) {
	var key *yaml.Node
	for _, tok := range at {
		if n == nil {
			return nil, false
		}
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == tok {
					key, n, found = n.Content[j], n.Content[j+1], true
					break
				}
			}
			if !found {
				return nil, false
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return nil, false
			}
			key, n = n.Content[i], n.Content[i]
		default:
			return nil, false
		}
	}
	return key, key != nil
}
