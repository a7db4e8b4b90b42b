package origin

import (
	"reflect"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Field is where a person edits a field of the rendered resource r (a JSON
// pointer, "" for the whole object). See Trace.
func Field(r *manifest.Resource, pointer string) manifest.Origin {
	o, _ := Trace(r, pointer)
	return o
}

// Trace says where a person edits a field of the rendered resource r (a
// JSON pointer, "" for the whole object), and which other places explain
// it:
//   - a field whose rendered value the source document holds: that line;
//   - a field that an edit (patch, transformer, generator input) set to
//     its rendered value: the edit's line, the first in r.Edits order (the
//     outermost kustomization's, applied last), with the source line as
//     related when the source also writes the field;
//   - a field that nothing writes (a missing field): the nearest existing
//     ancestor in the source or in a patch, whichever comes closer.
func Trace(r *manifest.Resource, pointer string) (manifest.Origin, []manifest.Origin) {
	return trace(r, pointer, false)
}

// TraceKey is Trace for a finding about a field's name rather than its
// value (an unknown field): an edit that writes the name on a line of its
// own (a manifest.KeyEdit) answers with that line.
func TraceKey(r *manifest.Resource, pointer string) (manifest.Origin, []manifest.Origin) {
	return trace(r, pointer, true)
}

func trace(r *manifest.Resource, pointer string, key bool) (manifest.Origin, []manifest.Origin) {
	if pointer == "" {
		return r.Origin, nil
	}
	obj := r.Object
	if r.Presubst != nil {
		obj = r.Presubst // as the sources write it, placeholders and all
	}
	value, rendered := manifest.Lookup(obj, pointer)
	best, depth := r.Origin, 0
	var src manifest.Position
	if r.Doc != nil && r.Origin.File == r.Doc.File {
		src = r.Doc.Resolve(obj, pointer)
		best, depth = manifest.Origin{File: r.Doc.File, Line: src.Line, Col: src.Col}, src.Depth
		if src.Exact && (isComposite(value) || reflect.DeepEqual(manifest.ValueOf(src.Node), value)) {
			return best, nil
		}
	}
	if rendered {
		if o, ok := writtenBy(r.Edits, obj, pointer, value, key); ok {
			if src.Exact {
				return o, []manifest.Origin{best}
			}
			return o, nil
		}
	}
	if src.Exact {
		return best, nil
	}
	for _, e := range r.Edits {
		if a, ok := e.(manifest.Adder); ok {
			if o, d := a.Nearest(obj, pointer); d > depth {
				best, depth = o, d
			}
		}
	}
	return best, nil
}

// writtenBy is where the first of edits that sets the field at pointer to
// value writes it, or with key its name.
func writtenBy(edits []manifest.Edit, obj map[string]any, pointer string, value any, key bool) (manifest.Origin, bool) {
	for _, e := range edits {
		writes := e.Writes
		if k, ok := e.(manifest.KeyEdit); ok && key {
			writes = k.WritesKey
		}
		if o, ok := writes(obj, pointer, value); ok {
			return o, true
		}
	}
	return manifest.Origin{}, false
}

// FieldFinding builds a finding about a field of a resource (a JSON
// pointer, "" for the whole object), located where a person edits that
// field (Trace) and fingerprinted by where the resource is written, so
// that every overlay rendering the same source yields the same finding.
//
// A message that names the object by its rendered name ("prod-web") names
// it as written in the source instead ("web"): the finding is about that
// source, and one message for every overlay is what lets them merge.
func FieldFinding(r *manifest.Resource, ruleID, pointer, msg string) rules.Finding {
	return fieldFinding(r, ruleID, pointer, msg, Trace)
}

// KeyFinding is FieldFinding for a finding about the field's name (an
// unknown field): located where the name is written (TraceKey).
func KeyFinding(r *manifest.Resource, ruleID, pointer, msg string) rules.Finding {
	return fieldFinding(r, ruleID, pointer, msg, TraceKey)
}

func fieldFinding(r *manifest.Resource, ruleID, pointer, msg string, trace func(*manifest.Resource, string) (manifest.Origin, []manifest.Origin)) rules.Finding {
	if r.ID.Name != r.SourceID.Name && r.ID.Name != "" && r.SourceID.Name != "" {
		msg = strings.ReplaceAll(msg, r.ID.Name, r.SourceID.Name)
	}
	loc, related := trace(r, pointer)
	return rules.Finding{
		RuleID:      ruleID,
		Message:     msg,
		Resource:    r.SourceID,
		Path:        pointer,
		Location:    loc,
		Related:     related,
		Targets:     []string{r.Target},
		Fingerprint: rules.Fingerprint(ruleID, loc.File, r.SourceID, manifest.StablePointer(r.Object, pointer), ""),
	}
}
