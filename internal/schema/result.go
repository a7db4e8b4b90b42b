package schema

import "fmt"

// Status is the outcome of validating one object.
type Status int

// The zero Status is deliberately not Valid, so that a forgotten assignment
// does not read as success.
const (
	// Valid: the object matches its schema.
	Valid Status = iota + 1
	// Invalid: the object does not match its schema; Result.Errors says where.
	Invalid
	// MissingSchema: no schema is known for the apiVersion/kind, typically a
	// custom resource whose CRD schema was not supplied.
	MissingSchema
	// NotServed: a built-in Kubernetes group that this Kubernetes version does
	// not serve at that apiVersion (a removed or not yet added API);
	// Result.Served lists where the kind lives instead.
	NotServed
	// Error: the object could not be validated at all (no apiVersion or kind,
	// a schema that could not be written or fetched); Result.Err says why.
	Error
)

func (s Status) String() string {
	switch s {
	case Valid:
		return "valid"
	case Invalid:
		return "invalid"
	case MissingSchema:
		return "missing-schema"
	case NotServed:
		return "not-served"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// FieldError is one schema violation.
type FieldError struct {
	// Path is a JSON pointer to the offending value, e.g. /spec/replicas;
	// "" is the object itself. Against a schema from Options.Locations it
	// comes from kubeconform, which does not escape "/" and "~" in keys.
	Path string
	// Msg is the validator's message, e.g. "got string, want integer".
	Msg string
}

// Result is the outcome of validating one object.
type Result struct {
	Status Status
	// Errors are the violations of an Invalid object, sorted by path.
	Errors []FieldError
	// Served lists, for NotServed, the apiVersions that serve the same kind
	// in the selected Kubernetes version, e.g. ["networking.k8s.io/v1"]. It
	// may be empty when the kind was removed altogether.
	Served []string
	// Err says why an object has Status Error.
	Err error
}
