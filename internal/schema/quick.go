package schema

import (
	"math"
	"unicode/utf8"

	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
)

// kubeconform takes an object as bytes: Validate encodes it as JSON, and
// kubeconform decodes that again as YAML, then as JSON (sigs.k8s.io/yaml),
// before the schema sees it. The two decodings cost three times the
// validation itself, for every resource of every target. So an object of
// an embedded kind is first validated in process, against the same schema
// compiled by the same library with the same draft (detailed), given as
// the value kubeconform would have decoded (quickInstance). When that says
// valid, so would kubeconform; anything else, and anything the shortcut
// cannot vouch for, takes kubeconform's path, which alone words errors.
//
// The one difference between the two compilations is the "duration"
// format, which kubeconform registers (it also accepts Go durations): a
// schema that names it is never taken by the shortcut.

// maxQuickDepth bounds the nesting the shortcut accepts; deeper objects,
// which no Kubernetes kind has, take kubeconform's path, where the YAML
// decoder's own depth limit decides.
const maxQuickDepth = 64

// quickValid reports whether obj, of the embedded kind k, is valid against
// its schema, without kubeconform; false means "ask kubeconform".
func (v *Validator) quickValid(k bundle.Kind, obj map[string]any) bool {
	ds := v.detailed(k)
	if ds.err != nil || ds.durations {
		return false // no use copying the object for a schema it cannot take
	}
	inst, ok := quickInstance(obj, 0)
	return ok && ds.sch.Validate(inst) == nil
}

// quickInstance returns v as kubeconform's decoding of its JSON encoding
// would: maps, slices, strings, booleans and nil as they are, every number
// a float64 (what encoding/json decodes into an interface). It reports
// false for anything whose round trip it cannot vouch for: other types,
// numbers JSON cannot encode, and strings the YAML decoder may refuse or
// alter (see yamlSafe).
func quickInstance(v any, depth int) (any, bool) {
	if depth > maxQuickDepth {
		return nil, false
	}
	switch x := v.(type) {
	case nil, bool:
		return x, true
	case string:
		return x, yamlSafe(x)
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return nil, false
		}
		// -0 is encoded "-0", which YAML reads as the integer 0.
		return x + 0, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if !yamlSafe(k) {
				return nil, false
			}
			c, ok := quickInstance(e, depth+1)
			if !ok {
				return nil, false
			}
			out[k] = c
		}
		return out, true
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, ok := quickInstance(e, depth+1)
			if !ok {
				return nil, false
			}
			out[i] = c
		}
		return out, true
	}
	return nil, false
}

// yamlSafe reports whether s comes back unchanged from encoding/json and
// the YAML decoder: valid UTF-8 (JSON replaces invalid bytes) of
// characters that YAML either prints as they are or that JSON escapes in
// a form YAML reads back (tab, newline, carriage return). Other control
// characters, DEL, the C1 range, the byte order mark and the
// non-characters U+FFFE and U+FFFF make the YAML decoder fail or differ.
func yamlSafe(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if (r >= 0x80 && r <= 0x9f) || r == 0xfeff || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}
