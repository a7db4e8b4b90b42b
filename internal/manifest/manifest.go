// Package manifest holds the data every stage of gitops-lint passes around:
// resource identities, source positions and decoded Kubernetes objects.
// It imports no other internal package so that every stage can depend on it.
package manifest

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// ResID identifies a Kubernetes object the way a person reads it.
type ResID struct {
	APIVersion string `json:"apiVersion,omitempty"`
	Kind       string `json:"kind,omitempty"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name,omitempty"`
}

// IsZero reports whether the identity is empty (a finding about a file, not an object).
func (id ResID) IsZero() bool { return id == ResID{} }

// String renders the identity as Kind/namespace/name, omitting empty parts.
func (id ResID) String() string {
	if id.IsZero() {
		return ""
	}
	parts := []string{id.Kind}
	if id.Namespace != "" {
		parts = append(parts, id.Namespace)
	}
	parts = append(parts, id.Name)
	return strings.Join(parts, "/")
}

// Group returns the API group of the identity ("" for the core group).
func (id ResID) Group() string {
	if i := strings.LastIndex(id.APIVersion, "/"); i >= 0 {
		return id.APIVersion[:i]
	}
	return ""
}

// Origin is a position in the repository that a person can edit.
// File is repository-relative and slash-separated; Line and Col are 1-based,
// 0 meaning unknown.
type Origin struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"column,omitempty"`
}

// String renders the origin as file:line:col, leaving out unknown parts.
func (o Origin) String() string {
	switch {
	case o.Line == 0:
		return o.File
	case o.Col == 0:
		return fmt.Sprintf("%s:%d", o.File, o.Line)
	default:
		return fmt.Sprintf("%s:%d:%d", o.File, o.Line, o.Col)
	}
}

// Less orders origins by file, then line, then column.
func (o Origin) Less(p Origin) bool {
	if o.File != p.File {
		return o.File < p.File
	}
	if o.Line != p.Line {
		return o.Line < p.Line
	}
	return o.Col < p.Col
}

// Resource is one rendered (or plain) Kubernetes object.
type Resource struct {
	// ID is the identity of the object as rendered.
	ID ResID
	// SourceID is the identity as written in the source document (before
	// name prefixes, namespaces and other transformers), used for stable
	// fingerprints across overlays.
	SourceID ResID
	// Object is the decoded object, JSON-compatible (map[string]any, []any,
	// string, float64/int64, bool, nil).
	Object map[string]any
	// Origin is where the object's document starts in its source file.
	Origin Origin
	// Target is the repository-relative path of the target that produced it.
	Target string
	// Doc is the source document, when the object comes from a file of the
	// repository; it lets checks find the line of a field.
	Doc *Document
	// Edits are the patches, transformer entries and generator inputs
	// that may have written its fields, outermost kustomization first: see
	// origin.Trace.
	Edits []Edit
	// Presubst is the object before Flux's post-build substitution, when
	// that changed it: fields are traced in it, so that a substituted
	// field is located at the line that holds its placeholder.
	Presubst map[string]any
	// Generated is set when a kustomize generator entry made the object;
	// Origin is then that entry in its kustomization file.
	Generated bool
}

// SecretValues are the values of a Secret object, as written and, for
// data, base64-decoded: whatever quotes one (a policy message, a diff line)
// must not print it. Other kinds have none.
func SecretValues(obj map[string]any) []string {
	if k, _ := obj["kind"].(string); k != "Secret" {
		return nil
	}
	var vals []string
	for _, field := range []string{"data", "stringData"} {
		m, _ := obj[field].(map[string]any)
		for _, v := range m {
			s, ok := v.(string)
			if !ok {
				continue
			}
			vals = append(vals, s)
			if field == "data" {
				if d, err := base64.StdEncoding.DecodeString(s); err == nil {
					vals = append(vals, string(d))
				}
			}
		}
	}
	return vals
}
