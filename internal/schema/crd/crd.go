// Package crd turns apiextensions.k8s.io/v1 CustomResourceDefinitions into
// the strict JSON schemas (draft 4, as kubeconform compiles them) against
// which custom resources are validated, and stores such schemas compactly
// for embedding (see Bundle).
//
// It imports no other internal package, so that the schema generator can
// use it before any bundle exists.
package crd

import (
	"fmt"
	"regexp"
	"slices"
)

// Kind is the converted schema of one served version of a custom resource.
type Kind struct {
	Group   string `json:"group"`
	Version string `json:"version"`
	Kind    string `json:"kind"`
	// Schema is a draft 4 JSON schema. Its metadata property holds only
	// what the CRD itself says about metadata (usually nothing); the
	// validator puts ObjectMeta beside it, from the Kubernetes schemas.
	Schema map[string]any `json:"schema"`
	// OpenAPI is the CRD version's openAPIV3Schema as written, kept only
	// when it holds what the API server checks beyond Schema (CEL rules,
	// formats, list-type map and set keys; see ServerChecks) and never
	// embedded: the API server's own validator compiles it.
	OpenAPI map[string]any `json:"-"`
}

// APIVersion returns the apiVersion written in manifests, "group/version".
func (k Kind) APIVersion() string { return k.Group + "/" + k.Version }

// IsCRD reports whether obj is an apiextensions.k8s.io/v1
// CustomResourceDefinition. v1beta1 CRDs are not: that API was removed in
// Kubernetes 1.22, and removed-api already reports them.
func IsCRD(obj map[string]any) bool {
	return obj["apiVersion"] == "apiextensions.k8s.io/v1" && obj["kind"] == "CustomResourceDefinition"
}

// Kinds converts every served version of a CRD object, in the CRD's order.
// A version without a schema gets one that checks only apiVersion, kind
// and metadata, since the API server accepts anything else. An error means
// the CRD lacks its group, kind or versions; the Kubernetes schema of
// CustomResourceDefinition reports that on the CRD itself.
func Kinds(obj map[string]any) ([]Kind, error) {
	spec, _ := obj["spec"].(map[string]any)
	group, _ := spec["group"].(string)
	names, _ := spec["names"].(map[string]any)
	kind, _ := names["kind"].(string)
	versions, _ := spec["versions"].([]any)
	if group == "" || kind == "" || len(versions) == 0 {
		return nil, fmt.Errorf("CustomResourceDefinition has no spec.group, spec.names.kind or spec.versions")
	}
	var out []Kind
	for _, raw := range versions {
		v, _ := raw.(map[string]any)
		name, _ := v["name"].(string)
		if name == "" || v["served"] != true {
			continue
		}
		s, _ := v["schema"].(map[string]any)
		openAPI, _ := s["openAPIV3Schema"].(map[string]any)
		if openAPI == nil {
			openAPI = map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}
		}
		k := Kind{Group: group, Version: name, Kind: kind, Schema: Convert(group+"/"+name, kind, openAPI)}
		if ServerChecks(openAPI) {
			k.OpenAPI = openAPI
		}
		out = append(out, k)
	}
	return out, nil
}

// ServerChecks reports whether a schema holds something the API server
// checks that Convert drops: x-kubernetes-validations, a format, or a
// list-type map or set.
func ServerChecks(s map[string]any) bool {
	found := false
	var walk func(v any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if _, ok := t["x-kubernetes-validations"]; ok {
				found = true
			}
			if f, ok := t["format"].(string); ok && f != "" && f != "int-or-string" {
				found = true
			}
			if lt, _ := t["x-kubernetes-list-type"].(string); lt == "map" || lt == "set" {
				found = true
			}
			for k, c := range t {
				if found {
					return
				}
				if k != "enum" && k != "default" && k != "example" {
					walk(c)
				}
			}
		case []any:
			for _, c := range t {
				walk(c)
			}
		}
	}
	walk(s)
	return found
}

// Convert turns a CRD version's openAPIV3Schema into the JSON schema of its
// custom resources. It does what kubeconform's openapi2jsonschema does for
// CRDs, and follows the API server where the two differ:
//
//   - strict: additionalProperties: false on every object that declares
//     properties, the root included, unless it says
//     x-kubernetes-preserve-unknown-fields (the API server drops or, with
//     strict field validation, rejects unknown fields). Only structural
//     positions are made strict: a properties list inside allOf, anyOf,
//     oneOf or not constrains the fields named, it does not declare them;
//   - x-kubernetes-int-or-string (and format: int-or-string) accepts an
//     integer or a string;
//   - nullable: true accepts null, and so does a property its object does
//     not require, because the API server prunes such nulls (rendered
//     output contains creationTimestamp: null);
//   - x-kubernetes-embedded-resource objects may always carry apiVersion,
//     kind and metadata;
//   - apiVersion and kind accept only this kind's values;
//   - only draft 4 validation keywords are kept: descriptions, defaults,
//     CEL rules (x-kubernetes-validations) and formats are dropped. The API
//     server's formats (strfmt) are not JSON Schema's (its "uri" accepts
//     relative references, its "date-time" more layouts), so checking them
//     here would report resources the cluster accepts. So are patterns that
//     Go's regexp package, which the validator uses, cannot compile.
func Convert(apiVersion, kind string, openAPI map[string]any) map[string]any {
	root := convert(openAPI, true)
	props, _ := root["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		root["properties"] = props
	}
	props["apiVersion"] = map[string]any{"type": "string", "enum": []any{apiVersion}}
	props["kind"] = map[string]any{"type": "string", "enum": []any{kind}}
	// The API server validates metadata as ObjectMeta whatever the CRD
	// says; a CRD may only narrow it (a name pattern). Keep the narrowing,
	// without making it strict: ObjectMeta's fields are declared elsewhere.
	md := map[string]any{"type": "object"}
	declared, _ := openAPI["properties"].(map[string]any)
	if m, ok := declared["metadata"].(map[string]any); ok {
		md = convert(m, false)
		delete(md, "additionalProperties")
	}
	props["metadata"] = md
	root["type"] = "object"
	if openAPI["x-kubernetes-preserve-unknown-fields"] != true {
		root["additionalProperties"] = false
	}
	root["required"] = appendMissing(root["required"], "apiVersion", "kind")
	return root
}

// keep lists the draft 4 keywords a converted schema retains, beyond those
// convert rewrites itself.
var keep = map[string]bool{
	"type": true, "enum": true, "required": true,
	"maximum": true, "minimum": true, "exclusiveMaximum": true, "exclusiveMinimum": true, "multipleOf": true,
	"maxLength": true, "minLength": true,
	"maxItems": true, "minItems": true, "uniqueItems": true,
	"maxProperties": true, "minProperties": true,
}

// convert rewrites one schema node. structural is false inside allOf,
// anyOf, oneOf and not, whose properties constrain rather than declare.
func convert(s map[string]any, structural bool) map[string]any {
	intOrString := s["x-kubernetes-int-or-string"] == true || s["format"] == "int-or-string"
	out := make(map[string]any, len(s))
	for k, v := range s {
		if c, ok := convertKeyword(s, k, v, structural); ok {
			out[k] = c
		}
	}
	if intOrString {
		out["type"] = []any{"integer", "string"}
		// The structural form spells the two types out again as
		// anyOf: [{type: integer}, {type: string}]; with the type list
		// it adds nothing, and it would reject a pruned null.
		if typesOnly(out["anyOf"]) {
			delete(out, "anyOf")
		}
	}
	if s["x-kubernetes-embedded-resource"] == true {
		declareEmbedded(out)
	}
	if structural && s["x-kubernetes-preserve-unknown-fields"] != true {
		if _, ok := out["properties"]; ok {
			if _, set := out["additionalProperties"]; !set {
				out["additionalProperties"] = false
			}
		}
	}
	if s["nullable"] == true {
		allowNull(out)
	}
	return out
}

// convertKeyword converts the value of one keyword of schema s; false
// leaves the keyword out.
func convertKeyword(s map[string]any, k string, v any, structural bool) (any, bool) {
	switch {
	case keep[k]:
		return v, true
	case k == "pattern":
		if p, ok := v.(string); ok {
			if _, err := regexp.Compile(p); err == nil {
				return p, true
			}
		}
	case k == "properties":
		if props, ok := v.(map[string]any); ok {
			return convertProperties(props, s["required"], structural), true
		}
	case k == "items" || k == "additionalProperties":
		switch sub := v.(type) {
		case map[string]any:
			return convert(sub, structural), true
		case bool:
			return sub, true
		}
	case k == "not":
		if sub, ok := v.(map[string]any); ok {
			return convert(sub, false), true
		}
	case k == "allOf" || k == "anyOf" || k == "oneOf":
		list, _ := v.([]any)
		var conv []any
		for _, x := range list {
			if sub, ok := x.(map[string]any); ok {
				conv = append(conv, convert(sub, false))
			}
		}
		if len(conv) > 0 {
			return conv, true
		}
	}
	return nil, false
}

// convertProperties converts each property's schema; in the structural
// form an optional property also accepts null.
func convertProperties(props map[string]any, requiredList any, structural bool) map[string]any {
	required := map[string]bool{}
	if list, ok := requiredList.([]any); ok {
		for _, r := range list {
			if name, ok := r.(string); ok {
				required[name] = true
			}
		}
	}
	conv := make(map[string]any, len(props))
	for name, p := range props {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		c := convert(pm, structural)
		if structural && !required[name] {
			allowNull(c)
		}
		conv[name] = c
	}
	return conv
}

// declareEmbedded declares the apiVersion, kind and metadata of an
// embedded resource that its schema leaves out.
func declareEmbedded(out map[string]any) {
	props, ok := out["properties"].(map[string]any)
	if !ok {
		return
	}
	for _, name := range []string{"apiVersion", "kind", "metadata"} {
		if _, declared := props[name]; !declared {
			t := "string"
			if name == "metadata" {
				t = "object"
			}
			props[name] = map[string]any{"type": []any{t, "null"}}
		}
	}
}

// typesOnly reports whether v is a list of schemas that each say only "type".
func typesOnly(v any) bool {
	list, ok := v.([]any)
	if !ok {
		return false
	}
	for _, x := range list {
		m, ok := x.(map[string]any)
		if !ok || len(m) != 1 || m["type"] == nil {
			return false
		}
	}
	return true
}

// allowNull makes a converted schema accept null as well. A schema that
// combines subschemas gets them wrapped, because null would fail them
// (oneOf of two required lists matches null twice).
func allowNull(s map[string]any) {
	switch t := s["type"].(type) {
	case string:
		if t != "null" {
			s["type"] = []any{t, "null"}
		}
	case []any:
		if !slices.Contains(t, any("null")) {
			s["type"] = append(slices.Clone(t), "null")
		}
	}
	if enum, ok := s["enum"].([]any); ok && !slices.Contains(enum, nil) {
		s["enum"] = append(slices.Clone(enum), nil)
	}
	combined := map[string]any{}
	for _, k := range []string{"allOf", "anyOf", "oneOf", "not"} {
		if v, ok := s[k]; ok {
			combined[k] = v
			delete(s, k)
		}
	}
	if len(combined) > 0 {
		s["anyOf"] = []any{map[string]any{"type": "null"}, combined}
	}
}

// appendMissing adds names to a required list that lacks them.
func appendMissing(list any, names ...string) []any {
	out, _ := list.([]any)
	out = slices.Clone(out)
	for _, n := range names {
		if !slices.Contains(out, any(n)) {
			out = append(out, n)
		}
	}
	return out
}
