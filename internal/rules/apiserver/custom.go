package apiserver

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	crdvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// crdValidator is what the API server builds from one version of a CRD
// to validate its custom resources on create.
type crdValidator struct {
	structural *structuralschema.Structural
	schema     validation.SchemaValidator
	cel        *cel.Validator // nil when the schema has no CEL rules
	// transition counts the rules that refer to oldSelf: they compare with
	// the stored object, which a create does not have, so they are skipped.
	transition int
}

// compileCRD builds the validator of one CRD version's openAPIV3Schema,
// or nil when the schema is not structural (the API server refuses such a
// CRD, and schema-invalid reports what it can).
func compileCRD(openAPI map[string]any) *crdValidator {
	data, err := json.Marshal(openAPI)
	if err != nil {
		return nil
	}
	var v1 apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil
	}
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(&v1, &internal, nil); err != nil {
		return nil
	}
	s, err := structuralschema.NewStructural(&internal)
	if err != nil {
		return nil
	}
	sv, _, err := validation.NewSchemaValidator(&internal)
	if err != nil {
		return nil
	}
	return &crdValidator{
		structural: s,
		schema:     sv,
		cel:        cel.NewValidator(s, true, celconfig.PerCallLimit),
		transition: countTransitionRules(s),
	}
}

// countTransitionRules counts the rules of s that use oldSelf.
func countTransitionRules(s *structuralschema.Structural) int {
	if s == nil {
		return 0
	}
	n := 0
	for _, r := range s.XValidations {
		if strings.Contains(r.Rule, "oldSelf") {
			n++
		}
	}
	for _, p := range s.Properties {
		n += countTransitionRules(&p)
	}
	n += countTransitionRules(s.Items)
	if s.AdditionalProperties != nil {
		n += countTransitionRules(s.AdditionalProperties.Structural)
	}
	return n
}

// validate runs on a copy of obj what the API server's custom resource
// strategy runs on create: prune, default, schema validation, list-type
// invariants and, unless an earlier error blocks them, the CEL rules.
func (v *crdValidator) validate(ctx context.Context, obj map[string]any) (schemaErrs, listErrs, celErrs field.ErrorList) {
	u, ok := runtime.DeepCopyJSONValue(obj).(map[string]any)
	if !ok {
		return nil, nil, nil
	}
	structuralpruning.Prune(u, v.structural, true)
	structuraldefaulting.Default(u, v.structural)
	schemaErrs = validation.ValidateCustomResource(nil, u, v.schema)
	listErrs = structurallisttype.ValidateListSetsAndMaps(nil, v.structural, u)
	if v.cel != nil && !blocking(schemaErrs) && !blocking(listErrs) {
		celErrs, _ = v.cel.Validate(ctx, nil, v.structural, u, nil, celconfig.RuntimeCELCostBudget)
	}
	return schemaErrs, listErrs, celErrs
}

// blocking is the API server's hasBlockingErr: errors after which it does
// not run the CEL rules.
func blocking(errs field.ErrorList) bool {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

// formatError matches kube-openapi's message for a value that does not
// match its format ("in body must be of type email: ...").
var formatError = regexp.MustCompile(`must be of type ([A-Za-z0-9-]+)`)

// jsonTypes are the types of a type error, as opposed to a format error.
var jsonTypes = map[string]bool{"string": true, "integer": true, "number": true, "boolean": true, "object": true, "array": true, "null": true}

// checkCustom validates a custom resource against its CRD.
func (c *Checker) checkCustom(ctx context.Context, r *manifest.Resource) []rules.Finding {
	v := c.validator(r.ID.APIVersion, r.ID.Kind)
	if v == nil {
		return nil
	}
	if v.transition > 0 {
		c.skippedTransition.Add(int64(v.transition))
	}
	schemaErrs, listErrs, celErrs := v.validate(ctx, r.Object)
	var out []rules.Finding
	for _, e := range schemaErrs {
		if e.Type != field.ErrorTypeTypeInvalid {
			continue // schema-invalid reports the same from the same schema
		}
		m := formatError.FindStringSubmatch(e.Detail)
		if m == nil || jsonTypes[m[1]] {
			continue
		}
		ptr := fieldPointer(e.Field)
		msg := fmt.Sprintf("%s: value is not a valid %s", e.Field, m[1])
		if s, ok := e.BadValue.(string); ok {
			msg = fmt.Sprintf("%s: %q is not a valid %s", e.Field, s, m[1])
		}
		out = append(out, finding(r, InvalidFormat, ptr, msg))
	}
	for _, e := range listErrs {
		out = append(out, finding(r, DuplicateListKey, fieldPointer(e.Field), e.Field+": "+listMessage(e)))
	}
	for _, e := range celErrs {
		if strings.HasPrefix(e.Detail, "rule compile error") || strings.HasPrefix(e.Detail, "rule compiler initialization error") {
			continue // cel-rule-invalid reports it once, on the CRD
		}
		msg := e.Detail
		if e.Type != field.ErrorTypeInvalid {
			msg = e.Type.String() + ": " + msg
		}
		if e.Field != "" && e.Field != "<nil>" {
			msg = e.Field + ": " + msg
		}
		out = append(out, finding(r, CELValidation, fieldPointer(e.Field), msg))
	}
	return out
}

// listMessage words a list-type error without the whole duplicate entry,
// which can be large.
func listMessage(e *field.Error) string {
	switch e.Type {
	case field.ErrorTypeDuplicate:
		if b, err := json.Marshal(e.BadValue); err == nil && len(b) <= 200 {
			return "duplicate entry " + string(b) + " in a list of x-kubernetes-list-type map or set"
		}
		return "duplicate entry in a list of x-kubernetes-list-type map or set"
	}
	return e.ErrorBody()
}

// CheckCRD reports the CEL rules of a CustomResourceDefinition that the
// API server refuses: they do not compile, or cost more than its limits.
// It runs the API server's own CRD validation and keeps its errors about
// x-kubernetes-validations; the rest is schema-invalid's business.
func CheckCRD(ctx context.Context, r *manifest.Resource) []rules.Finding {
	var v1 apiextensionsv1.CustomResourceDefinition
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(r.Object, &v1); err != nil {
		return nil // schema-invalid reports the malformed field
	}
	apiextensionsv1.SetObjectDefaults_CustomResourceDefinition(&v1)
	var internal apiextensions.CustomResourceDefinition
	if err := apiextensionsv1.Convert_v1_CustomResourceDefinition_To_apiextensions_CustomResourceDefinition(&v1, &internal, nil); err != nil {
		return nil
	}
	var out []rules.Finding
	for _, e := range crdvalidation.ValidateCustomResourceDefinition(ctx, &internal) {
		if !strings.Contains(e.Field, "x-kubernetes-validations") {
			continue
		}
		path := e.Field
		if rest, ok := strings.CutPrefix(path, "spec.validation."); ok {
			// Versions with one schema share it after conversion; the
			// document writes it in the first version.
			path = "spec.versions[0].schema." + rest
		}
		out = append(out, finding(r, CELRuleInvalid, fieldPointer(path), path+": "+e.ErrorBody()))
	}
	return out
}

// fieldPointer turns a field path as the API server prints it
// ("spec.ports[0].name", "spec.labels[app.kubernetes.io/name]") into a
// JSON pointer. The CRD validation's paths name schema positions
// ("properties[spec]"), which are also the CRD document's keys.
func fieldPointer(p string) string {
	if p == "" || p == "<nil>" {
		return ""
	}
	var toks []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '.':
			flush()
		case '[':
			flush()
			end := strings.IndexByte(p[i:], ']')
			if end < 0 {
				cur.WriteString(p[i+1:])
				i = len(p)
				continue
			}
			toks = append(toks, p[i+1:i+end])
			i += end
		default:
			cur.WriteByte(p[i])
		}
	}
	flush()
	return pointer("", toks...)
}

// skipped reports how many transition rules were skipped so far.
func (c *Checker) skipped() int64 { return c.skippedTransition.Load() }
