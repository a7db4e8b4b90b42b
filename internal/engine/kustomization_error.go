package engine

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
	kyamlutils "sigs.k8s.io/kustomize/kyaml/utils"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// kustomize rejects a kustomization file it cannot decode strictly with
// the decoder's words, and without a position: `invalid Kustomization:
// json: unknown field "newTagQzx"`, or `json: cannot unmarshal string into
// Go struct field Replica.replicas.count of type int64`. The field named
// is looked up in the kustomization files the render read, so that the
// finding is at the key or entry to fix, in the base or component that has
// it, and not at line 1 of the target that includes it.
var (
	invalidKustomization = regexp.MustCompile(`invalid Kustomization: (.*)$`)
	// A JSON 6902 operation whose path the object lacks.
	opFailed   = regexp.MustCompile(`(\w+) operation does not apply: doc is missing (?:path|key): (/\S*?):? `)
	unknownKey = regexp.MustCompile(`unknown field "([^"]+)"`)
	wrongType  = regexp.MustCompile(`cannot unmarshal (\w+) into Go struct field \w+\.([\w.]+) of type`)
	// A name reference kustomize cannot update because a list item lacks
	// the field that names the object: `considering field 'subjects' of
	// object RoleBinding.v1.rbac.authorization.k8s.io/gotk-reconciler.apps:
	// path config error; no 'name' field in node`.
	itemLacks = regexp.MustCompile(`considering field '([^']+)' of object (\w+)\.\S*?/(\S+)\.[^.\s]+: path config error; no '([^']+)' field`)
	// A replacement whose source object lacks the field it copies:
	// "fieldPath `stringData.password` is missing for replacement source
	// Secret.[noVer].[noGrp]/db.[noNs]", the source as its selector names it.
	sourceLacks = regexp.MustCompile("fieldPath `([^`]+)` is missing for replacement source (\\w+)\\.[^/\\s]*/(\\S+)\\.[^.\\s]+")
	// A replacement target lacking the field it writes; kustomize does not
	// say which object. When it adds a cause (a scalar where the path goes
	// on: "wrong node kind ... node contents: ..."), its own words say
	// more than a misspelling would, and stay.
	targetLacks = regexp.MustCompile(`unable to find field "([^"]+)" in replacement target(?:$|[^:])`)
)

// objectMistake finds the list item of a source document that a
// transformer's message says lacks a field (a RoleBinding subject without
// its name), among the files the kustomizations in dirs list. The finding
// is at the key in that item that looks like a misspelling of the field,
// or else at the item. ok is false when no single item can be named.
func (c *checker) objectMistake(msg string, dirs []string) (manifest.Origin, string, bool) {
	m := itemLacks.FindStringSubmatch(msg)
	if m == nil {
		return manifest.Origin{}, "", false
	}
	field, kind, name, key := m[1], m[2], m[3], m[4]
	var found []manifest.Origin
	var source string // the object's name as its file writes it
	for _, file := range c.listedFiles(dirs) {
		for _, d := range c.sources.get(file).docs {
			if d.Node == nil || !isObject(d.Node, kind, name) {
				continue
			}
			if at, ok := itemWithout(d.Node, strings.Split(field, "."), key); ok {
				found = append(found, manifest.Origin{File: file, Line: at.Line, Col: at.Column})
				source = manifest.MappingValue(manifest.MappingValue(d.Node, "metadata"), "name").Value
			}
		}
	}
	if len(found) != 1 {
		return manifest.Origin{}, "", false
	}
	return found[0], fmt.Sprintf("%s %s: an item of %s has no %s, which kustomize needs to update the name it refers to", kind, source, field, key), true
}

// replacementMistake finds the field a replacement's source or target
// object lacks, in the files the kustomizations in dirs list: the key, at
// the level where the field path stops, that looks like the field misspelt
// (`stringDatz` for `stringData`). That key is the line to edit. Without
// one, the replacement's fieldPath entry is what is wrong, and the
// finding is there. kustomize names the source object but not the target:
// a target is found through the replacements whose fieldPaths name the
// path.
func (c *checker) replacementMistake(msg string, dirs []string) (manifest.Origin, string, bool) {
	var fieldPath, role string
	var objects []selected // the objects that may lack the field
	var entries []manifest.Origin
	if m := sourceLacks.FindStringSubmatch(msg); m != nil {
		fieldPath, role = m[1], "copies from"
		objects = []selected{{kind: m[2], name: m[3]}}
		for _, r := range c.replacements(dirs) {
			if fp := manifest.MappingValue(manifest.MappingValue(r.node, "source"), "fieldPath"); fp != nil && fp.Value == fieldPath {
				entries = append(entries, manifest.Origin{File: r.file, Line: fp.Line, Col: fp.Column})
			}
		}
	} else if m := targetLacks.FindStringSubmatch(msg); m != nil {
		fieldPath, role = m[1], "writes"
		objects, entries = c.replacementTargets(dirs, fieldPath)
	} else {
		return manifest.Origin{}, "", false
	}
	found, complaint := c.misspeltField(dirs, objects, fieldPath, role)
	switch {
	case len(found) == 1:
		return found[0], complaint, true
	case len(found) == 0 && len(entries) == 1:
		what := "an object"
		if len(objects) == 1 {
			what = strings.TrimSpace(objects[0].kind + " " + objects[0].name)
		}
		return entries[0], fmt.Sprintf("%s has no %s, which a replacement %s", what, fieldPath, role), true
	}
	return manifest.Origin{}, "", false
}

// misspeltField finds, in the objects the kustomizations in dirs list,
// the keys that look like fieldPath misspelt where the path stops, and
// words the complaint about the last one.
func (c *checker) misspeltField(dirs []string, objects []selected, fieldPath, role string) (found []manifest.Origin, complaint string) {
	segs := kyamlutils.SmarterPathSplitter(fieldPath, ".")
	for _, file := range c.listedFiles(dirs) {
		for _, d := range c.sources.get(file).docs {
			for _, o := range objects {
				if d.Node == nil || !isObject(d.Node, o.kind, o.name) {
					continue
				}
				if k, seg := keyLike(d.Node, segs); k != nil {
					found = append(found, manifest.Origin{File: file, Line: k.Line, Col: k.Column})
					complaint = fmt.Sprintf("%s %s has no %s, which a replacement %s: is %q a misspelling of %q?", o.kind, manifest.MappingValue(manifest.MappingValue(d.Node, "metadata"), "name").Value, fieldPath, role, k.Value, seg)
				}
			}
		}
	}
	return found, complaint
}

// selected is a replacement's selection of objects by kind and name (any
// name when empty).
type selected struct{ kind, name string }

// replacement is one entry of a kustomization's replacements.
type replacement struct {
	file string
	node *yaml.Node
}

// replacements are the inline replacements of the kustomizations in dirs.
func (c *checker) replacements(dirs []string) []replacement {
	var out []replacement
	for _, k := range c.kustomizationDocs(dirs) {
		if list := manifest.MappingValue(k.root, "replacements"); list != nil && list.Kind == yaml.SequenceNode {
			for _, r := range list.Content {
				out = append(out, replacement{file: k.file, node: r})
			}
		}
	}
	return out
}

// replacementTargets are the objects the replacements in dirs write
// fieldPath of, and the fieldPaths entries that name it.
func (c *checker) replacementTargets(dirs []string, fieldPath string) ([]selected, []manifest.Origin) {
	var objects []selected
	var entries []manifest.Origin
	for _, r := range c.replacements(dirs) {
		targets := manifest.MappingValue(r.node, "targets")
		if targets == nil {
			continue
		}
		for _, t := range targets.Content {
			paths := manifest.MappingValue(t, "fieldPaths")
			if paths == nil {
				continue
			}
			for _, p := range paths.Content {
				if p.Value != fieldPath {
					continue
				}
				entries = append(entries, manifest.Origin{File: r.file, Line: p.Line, Col: p.Column})
				sel := manifest.MappingValue(t, "select")
				if kind := manifest.MappingValue(sel, "kind"); kind != nil {
					var name string
					if n := manifest.MappingValue(sel, "name"); n != nil {
						name = n.Value
					}
					objects = append(objects, selected{kind: kind.Value, name: name})
				}
			}
		}
	}
	return objects, entries
}

// keyLike follows a kustomize field path (list items selected as
// [key=value]) and, at the first segment the document lacks, returns the
// key there that looks like it misspelt, with the segment.
func keyLike(n *yaml.Node, segs []string) (*yaml.Node, string) {
	for _, seg := range segs {
		if sel, ok := strings.CutPrefix(seg, "["); ok && n.Kind == yaml.SequenceNode {
			k, v, _ := strings.Cut(strings.TrimSuffix(sel, "]"), "=")
			if n = itemWith(n, k, v); n == nil {
				return nil, ""
			}
			continue
		}
		if next := manifest.MappingValue(n, seg); next != nil {
			n = next
			continue
		}
		if n.Kind != yaml.MappingNode {
			return nil, ""
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if looksLike(n.Content[i].Value, seg) {
				return n.Content[i], seg
			}
		}
		return nil, ""
	}
	return nil, ""
}

// itemWith is the item of a list whose key has the value v.
func itemWith(list *yaml.Node, k, v string) *yaml.Node {
	for _, item := range list.Content {
		if kv := manifest.MappingValue(item, k); kv != nil && kv.Value == v {
			return item
		}
	}
	return nil
}

// looksLike reports whether key could be want misspelt: a prefix either
// way, or within two edits.
func looksLike(key, want string) bool {
	return strings.HasPrefix(key, want) || strings.HasPrefix(want, key) || levenshtein.ComputeDistance(key, want) <= 2
}

// kustomizationDoc is a kustomization file's decoded root node.
type kustomizationDoc struct {
	file string
	root *yaml.Node
}

// kustomizationDocs decodes the kustomization files of dirs that exist
// and decode, with their positions.
func (c *checker) kustomizationDocs(dirs []string) []kustomizationDoc {
	var out []kustomizationDoc
	for _, dir := range dirs {
		k := c.repo.Kustomizations[dir]
		if k == nil {
			continue
		}
		data, err := c.sources.read(k.File)
		var doc yaml.Node
		if err != nil || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
			continue
		}
		out = append(out, kustomizationDoc{file: k.File, root: doc.Content[0]})
	}
	return out
}

// listedFiles are the files the kustomizations in dirs list by path.
func (c *checker) listedFiles(dirs []string) []string {
	var files []string
	for _, dir := range dirs {
		k := c.repo.Kustomizations[dir]
		if k == nil {
			continue
		}
		for _, r := range k.Refs {
			if r.Kind == repo.RefFile {
				files = append(files, r.Path)
			}
		}
	}
	return files
}

// isObject reports whether a document is of kind and its name is name,
// or a part of it (kustomize's message names the object as rendered,
// prefixes and suffixes included).
func isObject(doc *yaml.Node, kind, name string) bool {
	if doc.Kind != yaml.MappingNode {
		return false
	}
	k := manifest.MappingValue(doc, "kind")
	md := manifest.MappingValue(doc, "metadata")
	if k == nil || k.Value != kind || md == nil {
		return false
	}
	if name == "" {
		return true // a selection by kind alone
	}
	n := manifest.MappingValue(md, "name")
	return n != nil && n.Value != "" && strings.Contains(name, n.Value)
}

// itemWithout finds, in the list at path, the one item without key, and
// returns the key of that item that looks like key misspelt (a prefix of
// it, or within two edits) or else the item itself.
func itemWithout(doc *yaml.Node, path []string, key string) (*yaml.Node, bool) {
	n := doc
	for _, p := range path {
		if n = manifest.MappingValue(n, p); n == nil {
			return nil, false
		}
	}
	if n.Kind != yaml.SequenceNode {
		return nil, false
	}
	var lacking []*yaml.Node
	for _, item := range n.Content {
		if item.Kind == yaml.MappingNode && manifest.MappingValue(item, key) == nil {
			lacking = append(lacking, item)
		}
	}
	if len(lacking) != 1 {
		return nil, false
	}
	item := lacking[0]
	for i := 0; i+1 < len(item.Content); i += 2 {
		if looksLike(item.Content[i].Value, key) {
			return item.Content[i], true
		}
	}
	return item, true
}

// kustomizationMistake finds the entry of one of the kustomizations in
// dirs that kustomize's message rejects (a key or value its decoder
// refuses, a JSON 6902 operation whose path the object lacks), and
// returns its position and the complaint. ok is false when the message is not about a
// kustomization's content or when no file, or more than one, has it: a
// guess is worse than the target's kustomization file.
func (c *checker) kustomizationMistake(msg string, dirs []string) (manifest.Origin, string, bool) {
	// A component's error comes quoted inside its parent's, escapes and all.
	if strings.Contains(msg, `\"`) {
		msg = strings.TrimSuffix(strings.ReplaceAll(msg, `\"`, `"`), `"`)
	}
	if op := opFailed.FindStringSubmatch(msg); op != nil {
		if at, ok := c.edits.Operation(dirs, op[1], op[2]); ok {
			return at, fmt.Sprintf("JSON patch: %s operation does not apply: the object has no %s", op[1], op[2]), true
		}
	}
	m := invalidKustomization.FindStringSubmatch(msg)
	if m == nil {
		return manifest.Origin{}, "", false
	}
	complaint := "invalid kustomization: " + strings.TrimPrefix(m[1], "json: ")
	var match func(root *yaml.Node) *yaml.Node
	switch {
	case unknownKey.MatchString(m[1]):
		key := unknownKey.FindStringSubmatch(m[1])[1]
		match = func(root *yaml.Node) *yaml.Node { return findKey(root, key) }
	case wrongType.MatchString(m[1]):
		w := wrongType.FindStringSubmatch(m[1])
		match = func(root *yaml.Node) *yaml.Node { return findTyped(root, strings.Split(w[2], "."), w[1]) }
	default:
		return manifest.Origin{}, "", false
	}
	var found []manifest.Origin
	for _, k := range c.kustomizationDocs(dirs) {
		if n := match(k.root); n != nil {
			found = append(found, manifest.Origin{File: k.file, Line: n.Line, Col: n.Column})
		}
	}
	if len(found) != 1 {
		return manifest.Origin{}, "", false
	}
	return found[0], complaint, true
}

// findKey returns the first mapping key named key, depth first in file
// order.
func findKey(n *yaml.Node, key string) *yaml.Node {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i]
			}
			if k := findKey(n.Content[i+1], key); k != nil {
				return k
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if k := findKey(c, key); k != nil {
				return k
			}
		}
	}
	return nil
}

// findTyped follows a Go decoder's field path (its JSON names, list items
// passed through) to the first value of the JSON type the decoder could
// not take ("string", "number", "object", "array", "bool"), and returns
// its key, or the item itself in a list.
func findTyped(n *yaml.Node, path []string, jsonType string) *yaml.Node {
	if n.Kind == yaml.SequenceNode {
		for _, item := range n.Content {
			if len(path) == 0 && isJSONType(item, jsonType) {
				return item
			}
			if len(path) > 0 {
				if k := findTyped(item, path, jsonType); k != nil {
					return k
				}
			}
		}
		return nil
	}
	if len(path) == 0 || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value != path[0] {
			continue
		}
		v := n.Content[i+1]
		if len(path) == 1 && isJSONType(v, jsonType) {
			return n.Content[i]
		}
		return findTyped(v, path[1:], jsonType)
	}
	return nil
}

// isJSONType reports whether a node decodes to the JSON type named as
// encoding/json names it.
func isJSONType(n *yaml.Node, jsonType string) bool {
	switch jsonType {
	case "object":
		return n.Kind == yaml.MappingNode
	case "array":
		return n.Kind == yaml.SequenceNode
	}
	if n.Kind != yaml.ScalarNode {
		return false
	}
	switch jsonType {
	case "string":
		return n.ShortTag() == "!!str"
	case "number":
		return n.ShortTag() == "!!int" || n.ShortTag() == "!!float"
	case "bool":
		return n.ShortTag() == "!!bool"
	}
	return false
}
