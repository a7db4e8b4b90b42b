package diff

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/wI2L/jsondiff"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// resKey matches a resource across the two sides: by API group rather
// than apiVersion, as the API server stores one object whatever version
// it is written in. n tells apart objects a plain directory repeats.
type resKey struct {
	group, kind, namespace, name string
	n                            int
}

func keyOf(id manifest.ResID) resKey {
	return resKey{group: id.Group(), kind: id.Kind, namespace: id.Namespace, name: id.Name}
}

// hashSuffix matches the suffix kustomize appends to the names of
// generated ConfigMaps and Secrets: a dash and ten characters of its
// hash alphabet (hex with 0, 1, 3, a and e replaced by g, h, k, m and t).
var hashSuffix = regexp.MustCompile(`^(.+)-[245-9bcdfghkmt]{10}$`)

// compareTargets matches the objects of the two renders and compares
// each pair; unmatched ones are added or removed.
func compareTargets(old, cur []map[string]any, red *redactor) []Resource {
	index := func(objs []map[string]any) ([]resKey, map[resKey]map[string]any) {
		m := make(map[resKey]map[string]any, len(objs))
		var keys []resKey
		for _, o := range objs {
			k := keyOf(manifest.IDOf(o))
			for m[k] != nil {
				k.n++
			}
			m[k] = o
			keys = append(keys, k)
		}
		return keys, m
	}
	oldKeys, oldBy := index(old)
	curKeys, curBy := index(cur)
	var out []Resource
	var removed, added []resKey
	for _, k := range oldKeys {
		if _, ok := curBy[k]; !ok {
			removed = append(removed, k)
		}
	}
	for _, k := range curKeys {
		o, ok := oldBy[k]
		if !ok {
			added = append(added, k)
			continue
		}
		if fs := compareObjects(o, curBy[k], red); len(fs) > 0 {
			out = append(out, Resource{ID: manifest.IDOf(curBy[k]), Change: Changed, Fields: fs})
		}
	}
	pairs := renamed(removed, added)
	for _, k := range removed {
		if ck, ok := pairs[k]; ok {
			if fs := compareObjects(oldBy[k], curBy[ck], red); len(fs) > 0 {
				out = append(out, Resource{ID: manifest.IDOf(curBy[ck]), Change: Changed, Fields: fs})
			}
			continue
		}
		out = append(out, Resource{ID: manifest.IDOf(oldBy[k]), Change: Removed})
	}
	paired := map[resKey]bool{}
	for _, ck := range pairs {
		paired[ck] = true
	}
	for _, k := range added {
		if !paired[k] {
			out = append(out, Resource{ID: manifest.IDOf(curBy[k]), Change: Added})
		}
	}
	slices.SortFunc(out, func(a, b Resource) int {
		return cmp.Or(
			cmpStrings(a.ID.Kind, b.ID.Kind, a.ID.Namespace, b.ID.Namespace, a.ID.Name, b.ID.Name, a.ID.APIVersion, b.ID.APIVersion),
			cmp.Compare(a.Change, b.Change))
	})
	return out
}

// renamed pairs a removed and an added object whose names differ only in
// kustomize's hash suffix: a generated ConfigMap or Secret whose content
// changed. Only unambiguous pairs (one of each per stem) are made.
func renamed(removed, added []resKey) map[resKey]resKey {
	type stem struct {
		group, kind, namespace, name string
	}
	stemOf := func(k resKey) (stem, bool) {
		m := hashSuffix.FindStringSubmatch(k.name)
		if m == nil || k.n > 0 {
			return stem{}, false
		}
		return stem{k.group, k.kind, k.namespace, m[1]}, true
	}
	group := func(keys []resKey) map[stem][]resKey {
		g := map[stem][]resKey{}
		for _, k := range keys {
			if s, ok := stemOf(k); ok {
				g[s] = append(g[s], k)
			}
		}
		return g
	}
	olds, curs := group(removed), group(added)
	pairs := map[resKey]resKey{}
	for s, o := range olds {
		if c := curs[s]; len(o) == 1 && len(c) == 1 {
			pairs[o[0]] = c[0]
		}
	}
	return pairs
}

// compareObjects lists the field changes between two versions of an
// object. Lists whose items all have a distinct merge key (containers by
// name, ports by containerPort) are compared item by item as strategic
// merge patches match them; other lists by longest common subsequence.
func compareObjects(old, cur map[string]any, red *redactor) []Field {
	po, pc := prepare(old, isSecret(old)), prepare(cur, isSecret(cur))
	patch, err := jsondiff.Compare(po, pc, jsondiff.LCS())
	if err != nil {
		// Decoded YAML always marshals; say so rather than hide a change.
		return []Field{{Change: Changed, New: "not comparable: " + err.Error()}}
	}
	var out []Field
	for _, op := range patch {
		toks := manifest.SplitPointer(op.Path)
		f := Field{toks: toks, Path: displayPath(toks, po, pc)}
		key := contextKey(toks)
		switch op.Type {
		case jsondiff.OperationAdd:
			f.Change = Added
			f.New, f.Secret = red.value(key, op.Value)
		case jsondiff.OperationRemove:
			f.Change = Removed
			f.Old, f.Secret = red.value(key, op.OldValue)
		default: // replace: the patch has no move or copy without Factorize
			f.Change = Changed
			var so, sn bool
			f.Old, so = red.value(key, op.OldValue)
			f.New, sn = red.value(key, op.Value)
			f.Secret = so || sn
			if !f.Secret {
				f.Lines = red.lines(key, op.OldValue, op.Value)
			}
		}
		if f.Secret || f.Lines != nil {
			f.Old, f.New = "", ""
		}
		out = append(out, f)
	}
	reorders(old, cur, nil, [2]any{old, cur}, red, &out)
	slices.SortStableFunc(out, func(a, b Field) int { return slices.Compare(a.toks, b.toks) })
	return out
}

// keyedPrefix starts the map keys that stand for list items matched by
// their merge key; no key of a Kubernetes object starts with a NUL.
const keyedPrefix = "\x00"

// keyed reports whether every item of a list has the same merge key
// field with a distinct value, and returns the items' keys.
func keyed(items []any) ([]string, bool) {
	if len(items) == 0 {
		return nil, false
	}
	keys := make([]string, len(items))
	seen := make(map[string]bool, len(items))
	var field string
	for i, it := range items {
		f, v, ok := manifest.MergeKey(it)
		if !ok || (i > 0 && f != field) || seen[v] {
			return nil, false
		}
		field = f
		seen[v] = true
		keys[i] = keyedPrefix + f + "=" + v
	}
	return keys, true
}

// prepare copies an object for comparison: keyed lists become maps by
// merge key, and in a Secret every data and stringData value becomes a
// digest, so that a change of value is seen and the value itself never
// reaches the patch.
func prepare(v any, secret bool) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			if secret && (k == "data" || k == "stringData") {
				d, ok := e.(map[string]any)
				if !ok {
					m[k] = secretDigest(e) // malformed, and hidden all the same
					continue
				}
				hidden := make(map[string]any, len(d))
				for dk, dv := range d {
					hidden[dk] = secretDigest(dv)
				}
				m[k] = hidden
				continue
			}
			m[k] = prepare(e, false)
		}
		return m
	case []any:
		if keys, ok := keyed(t); ok {
			m := make(map[string]any, len(t))
			for i, e := range t {
				m[keys[i]] = prepare(e, false)
			}
			return m
		}
		l := make([]any, len(t))
		for i, e := range t {
			l[i] = prepare(e, false)
		}
		return l
	}
	return v
}

// secretMarker starts the digest that stands for a secret value; the
// digest is compared, never printed.
const secretMarker = "\x00secret:"

func secretDigest(v any) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%T:%v", v, v))
	return secretMarker + hex.EncodeToString(sum[:])
}

func isSecretDigest(v any) bool {
	s, ok := v.(string)
	return ok && strings.HasPrefix(s, secretMarker)
}

// isSecret reports whether an object is a v1 Secret.
func isSecret(obj map[string]any) bool {
	id := manifest.IDOf(obj)
	return id.Kind == "Secret" && id.APIVersion == "v1"
}

// reorders reports keyed lists whose common items come in another order:
// the comparison by merge key does not see it, and for init containers
// it matters.
// roots are the whole objects, for naming the list.
func reorders(old, cur any, toks []string, roots [2]any, red *redactor, out *[]Field) {
	switch o := old.(type) {
	case map[string]any:
		c, ok := cur.(map[string]any)
		if !ok {
			return
		}
		for _, k := range slices.Sorted(maps.Keys(o)) {
			if ce, ok := c[k]; ok {
				reorders(o[k], ce, append(slices.Clip(toks), k), roots, red, out)
			}
		}
	case []any:
		c, ok := cur.([]any)
		if !ok {
			return
		}
		ok1, keyed1 := keyed(o)
		ck, keyed2 := keyed(c)
		if !keyed1 || !keyed2 {
			return
		}
		inCur := map[string]int{}
		for i, k := range ck {
			inCur[k] = i
		}
		var common, commonCur []string
		for i, k := range ok1 {
			if j, ok := inCur[k]; ok {
				common = append(common, k)
				commonCur = append(commonCur, ck[j])
				reorders(o[i], c[j], append(slices.Clip(toks), k), roots, red, out)
			}
		}
		slices.SortFunc(commonCur, func(a, b string) int { return cmp.Compare(inCur[a], inCur[b]) })
		if slices.Equal(common, commonCur) {
			return
		}
		names := func(keys []string) string {
			parts := make([]string, len(keys))
			for i, k := range keys {
				_, v, _ := strings.Cut(k, "=")
				parts[i] = red.text("", v)
			}
			return clip(strings.Join(parts, ", "))
		}
		*out = append(*out, Field{
			toks: toks, Path: displayPath(toks, roots[0], roots[1]), Change: Reordered,
			Old: names(common), New: names(commonCur),
		})
	}
}

// plainKey matches keys printed as they are after a dot.
var plainKey = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$-]*$`)

// displayPath writes a pointer into the prepared objects for people:
// spec.template.spec.containers[name=web].image, args[2],
// metadata.labels["app.kubernetes.io/name"].
func displayPath(toks []string, docs ...any) string {
	var b strings.Builder
	cur := slices.Clone(docs)
	for i, tok := range toks {
		list := slices.ContainsFunc(cur, func(d any) bool { _, ok := d.([]any); return ok })
		switch {
		case strings.HasPrefix(tok, keyedPrefix):
			b.WriteString("[" + tok[len(keyedPrefix):] + "]")
		case list:
			b.WriteString("[" + tok + "]")
		case plainKey.MatchString(tok):
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(tok)
		default:
			b.WriteString("[" + strconv.Quote(tok) + "]")
		}
		for j, d := range cur {
			cur[j] = child(d, tok)
		}
	}
	return b.String()
}

// child steps into a map by key or a list by index or merge key (in an
// object not prepared); nil when absent.
func child(v any, tok string) any {
	switch t := v.(type) {
	case map[string]any:
		return t[tok]
	case []any:
		if strings.HasPrefix(tok, keyedPrefix) {
			if keys, ok := keyed(t); ok {
				if i := slices.Index(keys, tok); i >= 0 {
					return t[i]
				}
			}
			return nil
		}
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(t) {
			return t[i]
		}
	}
	return nil
}

// contextKey is the name a value is known by, for gitleaks' generic
// rule: the last key of its path, or for the value of a named item (an
// env var's value) the item's name.
func contextKey(toks []string) string {
	for i := len(toks) - 1; i >= 0; i-- {
		tok := toks[i]
		if _, err := strconv.Atoi(tok); err == nil {
			continue
		}
		if k, ok := strings.CutPrefix(tok, keyedPrefix); ok {
			_, name, _ := strings.Cut(k, "=")
			return name
		}
		if tok == "value" && i > 0 && strings.HasPrefix(toks[i-1], keyedPrefix) {
			continue
		}
		return tok
	}
	return ""
}
