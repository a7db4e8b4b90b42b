package manifest

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Locate returns the position of the field at a JSON pointer
// ("/spec/template/spec/containers/0/image") in the document, or of its
// nearest existing ancestor when the field is not written in this file
// (it was added by a patch, or it is missing). For a mapping entry the
// position is the key's, which is the line a person edits.
func (d *Document) Locate(pointer string) (line, col int, exact bool) {
	p := d.Resolve(nil, pointer)
	return p.Line, p.Col, p.Exact
}

// Position is where a pointer resolved in a document.
type Position struct {
	// Line and Col are those of the field, or of its nearest ancestor
	// written in the document when Exact is false.
	Line, Col int
	// Depth counts the pointer's tokens that the document holds: the
	// deeper, the closer the document comes to the field.
	Depth int
	// Exact is set when the document writes the field itself.
	Exact bool
	// Node is the field's value node when Exact.
	Node *yaml.Node
}

// mergeKeys are the fields by which a strategic merge matches the items of
// the lists that Kubernetes objects merge (containers and volumes by name,
// ports by number, mounts by path), in the order they are tried. A list
// whose items have none of them is replaced whole by a patch, so its
// indexes do line up.
var mergeKeys = [...]string{"name", "containerPort", "mountPath", "devicePath", "ip", "topologyKey", "port"}

// Resolve finds a pointer into the rendered object obj in the document.
// List items are matched by their merge key against the rendered item at
// the pointer's index, not by index: a base lists one container where the
// rendered object has the patch's sidecar first, a patch lists only the
// container it changes. obj is the rendered value at the document's root
// (an object, or for a patch operation's value whatever it replaces);
// with nil indexes are taken as they are.
func (d *Document) Resolve(obj any, pointer string) Position {
	if d == nil || d.Node == nil {
		return Position{}
	}
	n := d.Node
	p := Position{Line: d.Line, Col: 1}
	if n.Line > 0 {
		p.Line, p.Col = n.Line, n.Column
	}
	rendered := obj
	for _, tok := range splitPointer(pointer) {
		next, key := child(n, rendered, tok)
		if next == nil {
			return p
		}
		p.Depth++
		p.Line, p.Col = key.Line, key.Column
		n = next
		rendered = Child(rendered, tok)
	}
	p.Exact, p.Node = true, n
	return p
}

// child steps from n to the entry tok names, returning the value node and
// the node whose position stands for the entry (a mapping key, or the item).
func child(n *yaml.Node, rendered any, tok string) (value, at *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == tok {
				return n.Content[i+1], n.Content[i]
			}
		}
	case yaml.SequenceNode:
		i, err := strconv.Atoi(tok)
		if err != nil || i < 0 {
			return nil, nil
		}
		if items, ok := rendered.([]any); ok && i < len(items) {
			if item, ok := items[i].(map[string]any); ok {
				for _, k := range mergeKeys {
					if want, ok := item[k]; ok {
						// Items that share a key (two containers named
						// alike, which duplicate-name reports) match in
						// order: the rendered list's second is the
						// document's second.
						occ := 0
						for _, prev := range items[:i] {
							if p, ok := prev.(map[string]any); ok && reflect.DeepEqual(p[k], want) {
								occ++
							}
						}
						var found *yaml.Node
						for _, c := range n.Content {
							if v, _ := child(c, nil, k); v != nil && v.Kind == yaml.ScalarNode && scalarEquals(v, want) {
								found = c
								if occ == 0 {
									break
								}
								occ--
							}
						}
						if found != nil {
							return found, found
						}
						return nil, nil
					}
				}
				// An item without the key its siblings are merged by
				// (a volume whose name is misspelt) may have moved in a
				// merge: it is the document's one item without it.
				if lone := withoutKey(n); lone != nil {
					return lone, lone
				}
			}
		}
		if i < len(n.Content) {
			return n.Content[i], n.Content[i]
		}
	case yaml.AliasNode:
		return child(n.Alias, rendered, tok)
	}
	return nil, nil
}

// withoutKey returns the one item of the sequence n that lacks the merge
// key its other items have, or nil. The rendered list is no guide: a
// strategic merge may have dropped the items that have the key.
func withoutKey(n *yaml.Node) *yaml.Node {
	key := ""
	for _, c := range n.Content {
		for _, k := range mergeKeys {
			if v, _ := child(c, nil, k); v != nil && key == "" {
				key = k
			}
		}
	}
	if key == "" {
		return nil
	}
	var lone *yaml.Node
	for _, c := range n.Content {
		if c.Kind != yaml.MappingNode {
			continue
		}
		if v, _ := child(c, nil, key); v == nil {
			if lone != nil {
				return nil // several: which one is not known
			}
			lone = c
		}
	}
	return lone
}

// Child steps into a decoded value: the entry of a map, or the item of a
// list at an index; nil when there is none.
func Child(v any, tok string) any {
	switch t := v.(type) {
	case map[string]any:
		return t[tok]
	case []any:
		if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(t) {
			return t[i]
		}
	}
	return nil
}

// scalarEquals compares a YAML scalar with a decoded value (port numbers
// are integers in one and text in the other).
func scalarEquals(n *yaml.Node, v any) bool {
	switch t := v.(type) {
	case string:
		return n.Value == t
	case int64:
		return n.Value == strconv.FormatInt(t, 10)
	case float64:
		return n.Value == strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return n.Value == strconv.FormatBool(t)
	}
	return false
}

// ValueOf decodes a node into a JSON-compatible value (nil on failure).
func ValueOf(n *yaml.Node) any {
	if n == nil {
		return nil
	}
	var v any
	if err := n.Decode(&v); err != nil {
		return nil
	}
	return Normalize(v)
}

// splitPointer splits a JSON pointer into unescaped reference tokens.
func splitPointer(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	toks := strings.Split(p, "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// SplitPointer splits a JSON pointer into its unescaped reference tokens.
func SplitPointer(p string) []string { return splitPointer(p) }

// EscapeToken escapes a map key for a JSON pointer ("a/b" is "a~1b").
func EscapeToken(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

// Lookup returns the value at a JSON pointer in a decoded object.
func Lookup(obj map[string]any, pointer string) (any, bool) {
	var cur any = obj
	for _, tok := range splitPointer(pointer) {
		switch c := cur.(type) {
		case map[string]any:
			v, ok := c[tok]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// An Edit is something other than the source document that writes fields
// of a rendered object: a patch, a kustomization transformer entry, a
// generator input. Edits are what make a finding point at an overlay's
// patch line rather than at the base field it overrides.
type Edit interface {
	// Writes reports where the edit sets the field at pointer of the
	// rendered object obj to value, the value it has there.
	Writes(obj map[string]any, pointer string, value any) (Origin, bool)
}

// A KeyEdit is an Edit that can write a field's name on another line than
// its value: a JSON 6902 operation names the field in its path and sets it
// in its value. A finding about the name (an unknown field) belongs on the
// path line, one about the value on the value line.
type KeyEdit interface {
	// WritesKey is Writes, reporting where the field's name is written.
	WritesKey(obj map[string]any, pointer string, value any) (Origin, bool)
}

// An Adder is an Edit that adds structure (a patch adding a container):
// for a field that nothing writes, it may hold its nearest ancestor.
type Adder interface {
	// Nearest returns where the edit comes closest to the field and the
	// number of the pointer's tokens it holds.
	Nearest(obj map[string]any, pointer string) (Origin, int)
}

func composite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// PatchDocs are the strategic-merge patch documents among the resource's
// edits, outermost kustomization first.
func (r *Resource) PatchDocs() []*Document {
	var docs []*Document
	for _, e := range r.Edits {
		if p, ok := e.(PatchEdit); ok {
			docs = append(docs, p.Doc)
		}
	}
	return docs
}

// PatchEdit is a strategic-merge patch document: it writes the fields it
// holds, and for a missing field it may hold the nearest ancestor (the
// container a patch added).
type PatchEdit struct{ Doc *Document }

// Writes implements Edit: the patch holds the field, with the rendered
// value when that is a scalar (a map or list is merged, so holding it is
// enough).
func (p PatchEdit) Writes(obj map[string]any, pointer string, value any) (Origin, bool) {
	pos := p.Doc.Resolve(obj, pointer)
	if !pos.Exact || (!composite(value) && !reflect.DeepEqual(ValueOf(pos.Node), value)) {
		return Origin{}, false
	}
	return Origin{File: p.Doc.File, Line: pos.Line, Col: pos.Col}, true
}

// Nearest implements Adder.
func (p PatchEdit) Nearest(obj map[string]any, pointer string) (Origin, int) {
	pos := p.Doc.Resolve(obj, pointer)
	if pos.Depth == 0 {
		return Origin{}, 0 // the patch's header says nothing about the field
	}
	return Origin{File: p.Doc.File, Line: pos.Line, Col: pos.Col}, pos.Depth
}

// StablePointer rewrites the list indexes of a pointer into the rendered
// object as the items' merge keys ("/spec/containers/0/image" becomes
// "/spec/containers/[name=web]/image"), so that an identity built from it
// survives a container inserted before this one.
func StablePointer(obj map[string]any, pointer string) string {
	toks := splitPointer(pointer)
	if len(toks) == 0 {
		return pointer
	}
	var cur any = obj
	var b strings.Builder
	for _, tok := range toks {
		b.WriteByte('/')
		if items, ok := cur.([]any); ok {
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(items) {
				if key, val, ok := mergeKeyOf(items[i]); ok {
					b.WriteString("[" + key + "=" + val + "]")
					cur = items[i]
					continue
				}
			}
		}
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1"))
		cur = Child(cur, tok)
	}
	return b.String()
}

func mergeKeyOf(item any) (key, value string, ok bool) {
	key, v, ok := MergeKey(item)
	if !ok {
		return "", "", false
	}
	return key, strings.ReplaceAll(v, "/", "~1"), true
}

// MergeKey returns the field by which a strategic merge matches a list
// item (a container by name, a port by containerPort) and its value as
// text; ok is false for an item that has none, such as a scalar.
func MergeKey(item any) (key, value string, ok bool) {
	m, isMap := item.(map[string]any)
	if !isMap {
		return "", "", false
	}
	for _, k := range mergeKeys {
		if v, has := m[k]; has {
			return k, fmt.Sprint(v), true
		}
	}
	return "", "", false
}

// MappingValue returns the value node of key in the mapping node m; nil
// when m is nil or not a mapping, or has no such key.
func MappingValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}
