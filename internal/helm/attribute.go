package helm

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
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
	var leaves [][]string
	marked := markValues(rel.Values, nil, &leaves)
	mrel := rel
	mrel.Values, _ = marked.(map[string]any)
	sent, err := Render(ctx, ch, mrel)
	if err != nil {
		return Attribution{}, nil //nolint:nilerr // a chart may reject marks; nothing attributed
	}
	bools := boolLeaves(rel.Values, nil)
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
