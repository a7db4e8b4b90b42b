package manifest

import (
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
	if d == nil || d.Node == nil {
		return 0, 0, false
	}
	n := d.Node
	line, col = d.Line, 1
	if n.Line > 0 {
		line, col = n.Line, n.Column
	}
	for _, tok := range splitPointer(pointer) {
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					line, col = n.Content[i].Line, n.Content[i].Column
					next = n.Content[i+1]
					break
				}
			}
			if next == nil {
				return line, col, false
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return line, col, false
			}
			n = n.Content[i]
			line, col = n.Line, n.Column
		default:
			return line, col, false
		}
	}
	return line, col, true
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

// FieldOrigin is where a person edits a field of the resource (a JSON
// pointer, "" for the whole object): the line in the source document,
// unless the rendered value differs from it and a strategic-merge patch
// writes the field, in which case the patch is where to edit. Resources
// without a source document (generated ones) answer their Origin.
func (r *Resource) FieldOrigin(pointer string) Origin {
	if r.Doc == nil || r.Origin.File != r.Doc.File {
		return r.Origin
	}
	line, col, exact := r.Doc.Locate(pointer)
	loc := Origin{File: r.Doc.File, Line: line, Col: col}
	rendered, inRendered := Lookup(r.Object, pointer)
	source, inSource := Lookup(r.Doc.Object, pointer)
	if pointer == "" || (exact && inSource && inRendered && reflect.DeepEqual(source, rendered)) {
		return loc
	}
	for _, p := range r.Patches {
		if v, ok := Lookup(p.Object, pointer); ok && reflect.DeepEqual(v, rendered) {
			if pl, pc, pexact := p.Locate(pointer); pexact {
				return Origin{File: p.File, Line: pl, Col: pc}
			}
		}
	}
	return loc
}
