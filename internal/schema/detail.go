package schema

import (
	"bytes"
	"errors"
	"path/filepath"
	"slices"
	"strings"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
)

// kubeconform reports only the first level of the validator's error tree.
// When one list item or object has several problems, that level is a single
// "validation failed" at the item, and the problems themselves are lost. So
// for an object that kubeconform found invalid against an embedded schema,
// the errors are taken from the full tree, by validating once more with the
// same library, draft and schema. That costs a second compilation of the
// kind's schema, but only for kinds that have an invalid object.

// detailSchema is the lazily compiled schema of one embedded kind.
type detailSchema struct {
	sch *jsonschema.Schema
	err error
	// durations says that the schema names "duration" (see quickValid);
	// only set for the embedded kinds (details).
	durations bool
}

// detailed returns the compiled schema of the embedded kind k.
func (v *Validator) detailed(k bundle.Kind) detailSchema {
	return v.details.Get(k.APIVersion()+"/"+k.Kind, func() detailSchema {
		data, err := v.bundle.Standalone(k)
		if err != nil {
			return detailSchema{err: err}
		}
		sch, err := v.compile(k, data)
		return detailSchema{sch: sch, err: err, durations: bytes.Contains(data, []byte(`"duration"`))}
	})
}

// detailedErrors returns every leaf violation of data against the embedded
// schema of k, or false when it cannot tell.
func (v *Validator) detailedErrors(k bundle.Kind, data []byte) ([]FieldError, bool) {
	ds := v.detailed(k)
	if ds.err != nil {
		return nil, false
	}
	return leafErrors(ds.sch, data)
}

// leafErrors validates data against sch and returns every leaf violation,
// or false when data is valid or cannot be decoded.
func leafErrors(sch *jsonschema.Schema, data []byte) ([]FieldError, bool) {
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, false
	}
	var verr *jsonschema.ValidationError
	if !errors.As(sch.Validate(inst), &verr) {
		return nil, false
	}
	p := message.NewPrinter(language.English)
	var out []FieldError
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		switch e.ErrorKind.(type) {
		case *kind.Schema, *kind.Group, *kind.Reference:
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		// The validator lists names in map order; sort them so that the
		// message, and the field a finding points at, is the same each run.
		switch k := e.ErrorKind.(type) {
		case *kind.AdditionalProperties:
			slices.Sort(k.Properties)
		case *kind.Required:
			slices.Sort(k.Missing)
		}
		out = append(out, FieldError{Path: pointer(e.InstanceLocation), Msg: e.ErrorKind.LocalizedString(p)})
	}
	walk(verr)
	return out, len(out) > 0
}

// compile compiles k's standalone schema, data, as kubeconform does
// (draft 4), less the "duration" format kubeconform registers.
func (v *Validator) compile(k bundle.Kind, data []byte) (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	loc := filepath.Join(v.root, schemaFile(k.APIVersion(), k.Kind))
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft4)
	if err := c.AddResource(loc, doc); err != nil {
		return nil, err
	}
	return c.Compile(loc)
}

// pointer joins reference tokens into a JSON pointer (RFC 6901).
func pointer(tokens []string) string {
	var sb strings.Builder
	for _, t := range tokens {
		sb.WriteByte('/')
		sb.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return sb.String()
}
