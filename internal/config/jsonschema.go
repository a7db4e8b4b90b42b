package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode"
)

// JSONSchema returns the JSON Schema (draft 2020-12) of the configuration
// file, generated from the types yaml.v3 decodes it into (decode.go), so
// that it cannot drift from what Load accepts: make generate writes it to
// docs/gitops-lint.schema.json for editors. Top-level descriptions are
// the init template's. The schema checks shapes and vocabularies; what
// needs the repository (paths that exist, rule IDs of your policies) is
// left to gitops-lint itself.
func JSONSchema() ([]byte, error) {
	docs := map[string]string{}
	for _, k := range templateKeys(TemplateOptions{
		KubernetesVersions: "a minor of the API table, or one of its patch releases (gitops-lint check --help names the range)",
		KubernetesExample:  "1.34",
	}) {
		key, _, _ := strings.Cut(k.example, ":")
		docs[key] = strings.ReplaceAll(k.doc, "\n", " ") // hover text reflows
	}
	root := schemaOf(reflect.TypeFor[fileSpec](), "", docs)
	root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
	root["$id"] = SchemaURL
	root["title"] = FileName
	root["description"] = "gitops-lint configuration: every key is optional. Generated from internal/config/decode.go by make generate."
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// What the leaves of each key accept beyond their type, by key path.
func keyConstraints() map[string]map[string]any {
	severities := caseless("off", "error", "warning", "info")
	restrictors := map[string]any{"enum": []string{"rootOnly", "none", "LoadRestrictionsRootOnly", "LoadRestrictionsNone"}}
	return map[string]map[string]any{
		"kubernetesVersion":      {"pattern": `^v?1\.[0-9]+(\.[0-9]+)?$`},
		"failOn":                 {"pattern": caseless("error", "warning", "info")},
		"loadRestrictor":         restrictors,
		"targets.loadRestrictor": restrictors,
		"rules":                  {"pattern": severities},
		"overrides.rules":        {"pattern": severities},
		"policies.regoVersion":   {"pattern": caseless("v0", "v1", "auto")},
		"policies.timeout":       {"pattern": `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`},
	}
}

// required are the keys an entry of a list must have.
func requiredKeys() map[string][]string {
	return map[string][]string{"targets": {"paths"}, "overrides": {"paths", "rules"}}
}

// caseless is a pattern accepting words in any case (JSON Schema's
// ECMA-262 patterns have no case-insensitive flag).
func caseless(words ...string) string {
	var alts []string
	for _, w := range words {
		var b strings.Builder
		for _, r := range w {
			if unicode.IsLetter(r) {
				fmt.Fprintf(&b, "[%c%c]", unicode.ToLower(r), unicode.ToUpper(r))
			} else {
				b.WriteRune(r)
			}
		}
		alts = append(alts, b.String())
	}
	return "^(" + strings.Join(alts, "|") + ")$"
}

// schemaOf describes t, at key path where; null is accepted everywhere,
// because the file reads an empty value as unset.
func schemaOf(t reflect.Type, where string, docs map[string]string) map[string]any {
	extra := keyConstraints()[where]
	var s map[string]any
	switch {
	case t == reflect.TypeFor[leaf[string]]():
		s = map[string]any{"type": []string{"string", "number", "null"}}
	case t == reflect.TypeFor[leaf[bool]]():
		s = map[string]any{"type": []string{"boolean", "null"}}
	case t == reflect.TypeFor[strList]():
		item := map[string]any{"type": "string", "minLength": 1}
		s = map[string]any{"anyOf": []any{item, map[string]any{"type": "array", "items": item}, map[string]any{"type": "null"}}}
	case t == reflect.TypeFor[ruleMap]():
		value := map[string]any{"type": "string"}
		for k, v := range extra {
			value[k] = v
		}
		extra = nil
		s = map[string]any{
			"type":                 []string{"object", "null"},
			"description":          "rule ID (see gitops-lint rules) to off, error, warning or info",
			"propertyNames":        map[string]any{"minLength": 1},
			"additionalProperties": value,
		}
	case t.Kind() == reflect.Slice:
		items := schemaOf(t.Elem(), where, docs)
		if req := requiredKeys()[where]; req != nil {
			items["required"] = req
		}
		s = map[string]any{"type": []string{"array", "null"}, "items": items}
	case t.Kind() == reflect.Struct:
		props := map[string]any{}
		for f := range t.Fields() {
			key := yamlKey(f)
			if key == "" {
				continue
			}
			p := schemaOf(f.Type, joinPath(where, key), docs)
			if d := docs[joinPath(where, key)]; d != "" {
				p["description"] = d
			}
			props[key] = p
		}
		s = map[string]any{"type": []string{"object", "null"}, "additionalProperties": false, "properties": props}
	default:
		panic(fmt.Sprintf("config: no JSON Schema for %v at %q", t, where)) // a new leaf type needs a case
	}
	for k, v := range extra {
		s[k] = v
	}
	return s
}
