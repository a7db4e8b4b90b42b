package repo

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// Patch is one entry of patches, patchesStrategicMerge or patchesJson6902.
// It holds where the patch is written, not what it does: the engine
// decodes it and decides whether it is a strategic merge or a JSON 6902
// patch, as kustomize does.
type Patch struct {
	// Field is the kustomization field that lists it.
	Field string
	// Pos is the entry in the kustomization file.
	Pos manifest.Origin
	// Target selects the objects the patch applies to; nil when the patch
	// names its object itself (a strategic merge patch's own kind and name).
	Target *Selector
	// Ref is the entry's path reference, for a patch kept in its own file
	// (Ref.Path is then repository-relative).
	Ref *Ref
	// Inline is the patch text written in the kustomization file, and
	// InlineAt where its first line is in that file: lines and columns of
	// a document decoded from Inline are shifted by InlineAt.
	Inline   string
	InlineAt manifest.Origin
}

// Selector is a kustomize patch or replacement target.
type Selector struct {
	Group, Version, Kind string
	// Name and Namespace are regular expressions, anchored, as kustomize reads them.
	Name, Namespace string
	// LabelSelector and AnnotationSelector use Kubernetes selector syntax.
	LabelSelector, AnnotationSelector string
}

// Transformer is one entry of a kustomization's built-in transformer
// fields: images, replicas, namespace, namePrefix, nameSuffix,
// commonLabels, labels, commonAnnotations and replacements.
type Transformer struct {
	// Field is the kustomization field.
	Field string
	// Pos is the line a person edits: the entry, or for images the newTag
	// (or digest, or newName) line that sets the reference.
	Pos manifest.Origin
	// Key is what the entry applies to: the image name, the resource name
	// (replicas), the label or annotation key.
	Key string
	// Value is what it sets: the namespace, prefix, suffix, label or
	// annotation value, replica count, or for images the new name.
	Value string
	// Tag and Digest are an images entry's newTag and digest.
	Tag, Digest string
	// Selectors and Templates say whether a labels entry also writes
	// selectors and pod templates (commonLabels does both).
	Selectors, Templates bool
	// Targets are a replacements entry's targets.
	Targets []ReplacementTarget
}

// ReplacementTarget is where a replacement writes.
type ReplacementTarget struct {
	Select     Selector
	FieldPaths []string
	Pos        manifest.Origin
}

// parseEdits reads the patches and transformers of a kustomization root
// mapping, keeping positions. data is the file, for the indentation of
// inline patches.
func parseEdits(k *Kustomization, root *yaml.Node, data []byte) {
	file := k.File
	pos := func(n *yaml.Node) manifest.Origin { return manifest.Origin{File: file, Line: n.Line, Col: n.Column} }
	lines := strings.Split(string(data), "\n")
	for _, field := range []string{"patchesStrategicMerge", "patches", "patchesJson6902"} {
		collect(root, []string{field, "[]"}, func(n *yaml.Node) {
			p := Patch{Field: field, Pos: pos(n)}
			switch n.Kind {
			case yaml.ScalarNode:
				// patchesStrategicMerge: a path, or an inline patch.
				if strings.Contains(n.Value, "\n") || strings.Contains(n.Value, ":") {
					p.Inline, p.InlineAt = n.Value, inlineAt(n, file, lines)
				} else {
					p.Ref = k.refAt(pos(n))
				}
			case yaml.MappingNode:
				if t := manifest.MappingValue(n, "target"); t != nil {
					p.Target = parseSelector(t)
				}
				if v := manifest.MappingValue(n, "path"); v != nil {
					p.Ref = k.refAt(pos(v))
				}
				if v := manifest.MappingValue(n, "patch"); v != nil && v.Kind == yaml.ScalarNode {
					p.Inline, p.InlineAt = v.Value, inlineAt(v, file, lines)
				}
			default:
				return
			}
			k.Patches = append(k.Patches, p)
		})
	}
	if n := manifest.MappingValue(root, "namespace"); n != nil && n.Kind == yaml.ScalarNode {
		k.Transformers = append(k.Transformers, Transformer{Field: "namespace", Pos: pos(n), Value: n.Value})
	}
	for _, f := range []string{"namePrefix", "nameSuffix"} {
		if n := manifest.MappingValue(root, f); n != nil && n.Kind == yaml.ScalarNode && n.Value != "" {
			k.Transformers = append(k.Transformers, Transformer{Field: f, Pos: pos(n), Value: n.Value})
		}
	}
	pairs := func(field string, m *yaml.Node, selectors, templates bool) {
		if m == nil || m.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(m.Content); i += 2 {
			key, v := m.Content[i], m.Content[i+1]
			k.Transformers = append(k.Transformers, Transformer{Field: field, Pos: pos(key), Key: key.Value, Value: v.Value, Selectors: selectors, Templates: templates})
		}
	}
	pairs("commonLabels", manifest.MappingValue(root, "commonLabels"), true, true)
	pairs("commonAnnotations", manifest.MappingValue(root, "commonAnnotations"), false, true)
	collect(root, []string{"labels", "[]"}, func(n *yaml.Node) {
		sel := isTrue(manifest.MappingValue(n, "includeSelectors"))
		pairs("labels", manifest.MappingValue(n, "pairs"), sel, sel || isTrue(manifest.MappingValue(n, "includeTemplates")))
	})
	collect(root, []string{"images", "[]"}, func(n *yaml.Node) {
		t := Transformer{Field: "images", Pos: pos(n), Key: scalar(manifest.MappingValue(n, "name")), Value: scalar(manifest.MappingValue(n, "newName")),
			Tag: scalar(manifest.MappingValue(n, "newTag")), Digest: scalar(manifest.MappingValue(n, "digest"))}
		for _, f := range []string{"newName", "newTag", "digest"} {
			if v := manifest.MappingValue(n, f); v != nil {
				t.Pos = pos(manifest.MappingValue(n, f)) // the last of them that is written: tag over name
			}
		}
		k.Transformers = append(k.Transformers, t)
	})
	collect(root, []string{"replicas", "[]"}, func(n *yaml.Node) {
		t := Transformer{Field: "replicas", Pos: pos(n), Key: scalar(manifest.MappingValue(n, "name"))}
		if c := manifest.MappingValue(n, "count"); c != nil {
			t.Pos, t.Value = pos(c), c.Value
		}
		k.Transformers = append(k.Transformers, t)
	})
	collect(root, []string{"replacements", "[]"}, func(n *yaml.Node) {
		if r := parseReplacement(n, pos); r != nil {
			k.Transformers = append(k.Transformers, *r)
		}
	})
}

// ParseReplacements reads a replacements file (a list of replacement
// entries) with positions, for a replacements entry that names a path.
func ParseReplacements(file string, data []byte) []Transformer {
	var doc yaml.Node
	if manifest.CheckAliases(file, data) != nil || yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	pos := func(n *yaml.Node) manifest.Origin { return manifest.Origin{File: file, Line: n.Line, Col: n.Column} }
	var out []Transformer
	root := doc.Content[0]
	items := []*yaml.Node{root}
	if root.Kind == yaml.SequenceNode {
		items = root.Content
	}
	for _, n := range items {
		if r := parseReplacement(n, pos); r != nil {
			out = append(out, *r)
		}
	}
	return out
}

func parseReplacement(n *yaml.Node, pos func(*yaml.Node) manifest.Origin) *Transformer {
	if n.Kind != yaml.MappingNode || manifest.MappingValue(n, "path") != nil {
		return nil // a file: read by the engine with ParseReplacements
	}
	t := Transformer{Field: "replacements", Pos: pos(n)}
	collect(n, []string{"targets", "[]"}, func(tn *yaml.Node) {
		rt := ReplacementTarget{Pos: pos(tn)}
		if s := manifest.MappingValue(tn, "select"); s != nil {
			rt.Select = *parseSelector(s)
		}
		collect(tn, []string{"fieldPaths", "[]"}, func(f *yaml.Node) {
			rt.FieldPaths = append(rt.FieldPaths, f.Value)
			if len(rt.FieldPaths) == 1 {
				rt.Pos = pos(f)
			}
		})
		t.Targets = append(t.Targets, rt)
	})
	return &t
}

func parseSelector(n *yaml.Node) *Selector {
	return &Selector{
		Group: scalar(manifest.MappingValue(n, "group")), Version: scalar(manifest.MappingValue(n, "version")), Kind: scalar(manifest.MappingValue(n, "kind")),
		Name: scalar(manifest.MappingValue(n, "name")), Namespace: scalar(manifest.MappingValue(n, "namespace")),
		LabelSelector: scalar(manifest.MappingValue(n, "labelSelector")), AnnotationSelector: scalar(manifest.MappingValue(n, "annotationSelector")),
	}
}

// inlineAt is where the text of a scalar starts in the file: for a block
// scalar (| or >) the first content line, at its indentation; for any
// other style the scalar itself (a one-line patch).
func inlineAt(n *yaml.Node, file string, lines []string) manifest.Origin {
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) == 0 {
		col := n.Column
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			col++ // past the opening quote
		}
		return manifest.Origin{File: file, Line: n.Line, Col: col}
	}
	for l := n.Line; l < len(lines); l++ { // lines[l] is line l+1
		if text := lines[l]; strings.TrimSpace(text) != "" {
			return manifest.Origin{File: file, Line: l + 1, Col: len(text) - len(strings.TrimLeft(text, " ")) + 1}
		}
	}
	return manifest.Origin{File: file, Line: n.Line + 1, Col: 1}
}

func (k *Kustomization) refAt(pos manifest.Origin) *Ref {
	for i := range k.Refs {
		if k.Refs[i].Pos == pos {
			return &k.Refs[i]
		}
	}
	return nil
}

func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

func isTrue(n *yaml.Node) bool {
	b, err := strconv.ParseBool(scalar(n))
	return err == nil && b
}
