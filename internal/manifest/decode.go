package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Document is one YAML document of a source file, decoded with positions.
type Document struct {
	// File is the repository-relative path of the source file.
	File string
	// Index is the 0-based position of the document in its file.
	Index int
	// Line is the 1-based line where the document's content starts.
	Line int
	// Node is the document's root mapping (nil for an empty document).
	Node *yaml.Node
	// Object is the JSON-compatible decoding of Node.
	Object map[string]any
}

// ID returns the identity written in the document.
func (d *Document) ID() ResID {
	return IDOf(d.Object)
}

// IDOf reads apiVersion, kind, metadata.namespace and metadata.name from an object.
func IDOf(obj map[string]any) ResID {
	var id ResID
	id.APIVersion, _ = obj["apiVersion"].(string)
	id.Kind, _ = obj["kind"].(string)
	if md, ok := obj["metadata"].(map[string]any); ok {
		id.Namespace, _ = md["namespace"].(string)
		id.Name, _ = md["name"].(string)
	}
	return id
}

// IsKubernetesObject reports whether an object looks like a Kubernetes
// resource: it has both apiVersion and kind.
func IsKubernetesObject(obj map[string]any) bool {
	id := IDOf(obj)
	return id.APIVersion != "" && id.Kind != ""
}

// SyntaxError is a YAML problem at a position of a file.
type SyntaxError struct {
	Origin Origin
	Msg    string
	// Err is the cause when callers tell it apart (ErrAliasExpansion).
	Err error
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("%s: %s", e.Origin, e.Msg) }

// Unwrap returns the cause, if any.
func (e *SyntaxError) Unwrap() error { return e.Err }

// DecodeFile decodes every YAML document of data. Documents that are not
// mappings (comments only, lists, scalars) are returned with a nil Object.
// Duplicate mapping keys are reported as a SyntaxError because the API
// server and kubectl reject them while many YAML decoders silently keep
// the last value.
func DecodeFile(file string, data []byte) ([]*Document, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*Document
	var aliases AliasGuard
	for i := 0; ; i++ {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return docs, syntaxError(file, err)
		}
		if err := aliases.Check(file, &n); err != nil {
			return docs, err
		}
		doc := &Document{File: file, Index: i, Line: n.Line}
		if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
			root := n.Content[0]
			doc.Line = root.Line
			if root.Kind == yaml.MappingNode {
				if err := checkDuplicateKeys(file, root); err != nil {
					return docs, err
				}
				var obj map[string]any
				if err := root.Decode(&obj); err != nil {
					return docs, syntaxError(file, err)
				}
				doc.Node = root
				doc.Object = Normalize(obj).(map[string]any)
			}
		}
		docs = append(docs, doc)
	}
}

// AsSyntaxError converts a YAML decoder error into a positioned SyntaxError
// when it carries a line number.
func AsSyntaxError(file string, err error) (*SyntaxError, bool) {
	var se *SyntaxError
	if errors.As(err, &se) {
		return se, true
	}
	var te *yaml.TypeError
	if errors.As(err, &te) || strings.HasPrefix(err.Error(), "yaml: ") {
		return syntaxError(file, err).(*SyntaxError), true
	}
	return nil, false
}

// syntaxError turns a yaml.v3 error ("yaml: line 3: did not find ...") into
// a positioned error.
func syntaxError(file string, err error) error {
	msg := err.Error()
	line := 0
	msg = strings.TrimPrefix(msg, "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, tail, ok := strings.Cut(rest, ":"); ok {
			if _, scanErr := fmt.Sscanf(n, "%d", &line); scanErr == nil {
				msg = strings.TrimSpace(tail)
			}
		}
	}
	if line == 0 {
		line = 1
	}
	return &SyntaxError{Origin: Origin{File: file, Line: line}, Msg: msg}
}

func checkDuplicateKeys(file string, n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		seen := make(map[string]int, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.MappingNode || k.Kind == yaml.SequenceNode {
				// yaml.v3 would report it as a Go map dump. An unquoted
				// {{ ... }} is a flow mapping: the usual cause is a template.
				msg := "a mapping or sequence where a key was expected"
				if k.Kind == yaml.MappingNode && k.Style&yaml.FlowStyle != 0 {
					msg = "a template expression ({{ ... }}) where a key was expected"
				}
				return &SyntaxError{Origin: Origin{File: file, Line: k.Line, Col: k.Column}, Msg: msg}
			}
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				if first, dup := seen[k.Value]; dup {
					return &SyntaxError{
						Origin: Origin{File: file, Line: k.Line, Col: k.Column},
						Msg:    fmt.Sprintf("duplicate key %q (first defined on line %d)", k.Value, first),
					}
				}
				seen[k.Value] = k.Line
			}
			if err := checkDuplicateKeys(file, n.Content[i+1]); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if err := checkDuplicateKeys(file, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// Normalize converts YAML-decoded values into JSON-compatible ones: maps
// with non-string keys get string keys, and integers become int64 so that
// schema validation and Rego see the same types as kubectl would send.
func Normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = Normalize(e)
		}
		return t
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[fmt.Sprint(k)] = Normalize(e)
		}
		return m
	case []any:
		for i, e := range t {
			t[i] = Normalize(e)
		}
		return t
	case int:
		return int64(t)
	case uint64:
		return int64(t)
	default:
		return v
	}
}
