package config

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// The types below are the file as written: yaml.v3 decodes into them
// strictly (KnownFields), and they are what the JSON Schema is generated
// from. Leaves are leaf, strList or ruleMap, which keep their line and never
// fail the decode: a value of the wrong shape is remembered and reported
// by validate, which knows the key path to name in the message.

// fileSpec is the whole file.
type fileSpec struct {
	KubernetesVersion leaf[string]   `yaml:"kubernetesVersion"`
	FailOn            leaf[string]   `yaml:"failOn"`
	LoadRestrictor    leaf[string]   `yaml:"loadRestrictor"`
	Baseline          leaf[string]   `yaml:"baseline"`
	CacheURL          leaf[string]   `yaml:"cacheURL"`
	Include           strList        `yaml:"include"`
	Exclude           strList        `yaml:"exclude"`
	Targets           []targetSpec   `yaml:"targets"`
	Rules             ruleMap        `yaml:"rules"`
	Overrides         []overrideSpec `yaml:"overrides"`
	Policies          policiesSpec   `yaml:"policies"`
	SchemaLocations   strList        `yaml:"schemaLocations"`
	CRDs              strList        `yaml:"crds"`
	ChartDirs         strList        `yaml:"chartDirs"`
	GitOps            gitopsSpec     `yaml:"gitops"`
	Secrets           secretsSpec    `yaml:"secrets"`
}

type targetSpec struct {
	Paths          strList      `yaml:"paths"`
	Skip           leaf[bool]   `yaml:"skip"`
	LoadRestrictor leaf[string] `yaml:"loadRestrictor"`
	Environment    leaf[string] `yaml:"environment"`
}

type overrideSpec struct {
	Paths strList `yaml:"paths"`
	Rules ruleMap `yaml:"rules"`
}

type policiesSpec struct {
	Paths         strList      `yaml:"paths"`
	Data          strList      `yaml:"data"`
	Namespaces    strList      `yaml:"namespaces"`
	AllNamespaces leaf[bool]   `yaml:"allNamespaces"`
	Builtin       leaf[bool]   `yaml:"builtin"`
	RegoVersion   leaf[string] `yaml:"regoVersion"`
	Timeout       leaf[string] `yaml:"timeout"`
}

type gitopsSpec struct {
	FluxSources strList `yaml:"fluxSources"`
	RepoURLs    strList `yaml:"repoURLs"`
	Production  strList `yaml:"production"`
}

type secretsSpec struct {
	Allowlist allowlistSpec `yaml:"allowlist"`
}

type allowlistSpec struct {
	Paths        strList `yaml:"paths"`
	Regexes      strList `yaml:"regexes"`
	Fingerprints strList `yaml:"fingerprints"`
}

// Located is a value of the configuration file with the line it is
// written on (0 when unset), for what is checked after reading it.
type Located[T any] struct {
	Value T
	Line  int
}

// leaf is a value of the file with the line it is written on, so that a
// problem found after decoding still names its line. Line is 0 when the
// key is absent or null.
type leaf[T any] struct {
	Value T
	Line  int
	// got describes a value that did not decode as T ("" when it did).
	got string
}

// UnmarshalYAML keeps the node's line. A value of the wrong type does not
// fail the decode: validate reports it with its key path.
func (l *leaf[T]) UnmarshalYAML(n *yaml.Node) error {
	l.Line = n.Line
	// yaml.v3 still reads YAML 1.1's yes and on into a bool; this file
	// wants YAML 1.2's true or false, as the schema says.
	if _, isBool := any(l.Value).(bool); isBool && deref(n).ShortTag() != "!!bool" {
		l.got = describe(deref(n))
		return nil
	}
	if err := n.Decode(&l.Value); err != nil {
		l.got = describe(deref(n))
	}
	return nil
}

// strList is a list of strings, each with its line; a single string is a
// list of one.
type strList struct {
	Items []leaf[string]
	Line  int
	got   string
}

// UnmarshalYAML reads a list of strings or a single string.
func (s *strList) UnmarshalYAML(n *yaml.Node) error {
	s.Line = n.Line
	n = deref(n)
	switch {
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		s.Items = []leaf[string]{{Value: n.Value, Line: n.Line}}
	case n.Kind == yaml.ScalarNode:
		// include: 5 would select nothing and pass silently.
		s.got = "the " + strings.TrimPrefix(n.ShortTag(), "!!") + " " + describe(n)
	case n.Kind != yaml.SequenceNode:
		s.got = describe(n)
	default:
		for _, item := range n.Content {
			item = deref(item)
			l := leaf[string]{Value: item.Value, Line: item.Line}
			if item.Kind != yaml.ScalarNode || isNull(item) {
				l = leaf[string]{Line: item.Line, got: describe(item)}
			}
			s.Items = append(s.Items, l)
		}
	}
	return nil
}

// ruleMap is a mapping of rule ID to off or a severity, in file order.
type ruleMap struct {
	Entries []ruleEntry
	Line    int
	got     string
}

// ruleEntry is one rule ID of a ruleMap, with the line of the ID.
type ruleEntry struct {
	ID    string
	Line  int
	Value leaf[string]
}

// UnmarshalYAML reads the mapping in order; duplicates are kept for
// validate to report.
func (m *ruleMap) UnmarshalYAML(n *yaml.Node) error {
	m.Line = n.Line
	n = deref(n)
	if n.Kind != yaml.MappingNode {
		m.got = describe(n)
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := deref(n.Content[i]), deref(n.Content[i+1])
		e := ruleEntry{Line: k.Line, Value: leaf[string]{Value: v.Value, Line: v.Line}}
		if k.Kind == yaml.ScalarNode {
			e.ID = k.Value
		}
		if v.Kind != yaml.ScalarNode || isNull(v) {
			e.Value = leaf[string]{Line: v.Line, got: describe(v)}
		}
		m.Entries = append(m.Entries, e)
	}
	return nil
}

// What yaml.v3's strict decoding reports, as its messages spell it.
var (
	unknownFieldRE = regexp.MustCompile(`^line (\d+): field (.*) not found in type \S+$`)
	duplicateRE    = regexp.MustCompile(`^line (\d+): (?:mapping key "(.*)" already defined at line \d+|field (.*) already set in type \S+)$`)
	mismatchRE     = regexp.MustCompile(`^line (\d+): cannot unmarshal (!!\w+)(?: .*)? into (\S+)$`)
)

// structural turns one of yaml.v3's type errors into ours: the key path
// named as a person reads it, and a suggestion for a misspelt key. doc is
// the same file decoded as nodes, where the key path is found.
func (p *parser) structural(doc *yaml.Node, msg string) {
	if m := unknownFieldRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		where, _ := pathOf(doc, func(n *yaml.Node, _ string, isKey bool) bool {
			return isKey && n.Line == line && n.Value == m[2]
		})
		p.failAt(line, "unknown key %q%s%s", m[2], inWhere(where), suggest(m[2], keysAt(where)))
		return
	}
	if m := duplicateRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		p.failAt(line, "duplicate key %q", m[2]+m[3])
		return
	}
	if m := mismatchRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		// The node on that line, of that tag, where the file's types
		// expect the type yaml.v3 names.
		where, n := pathOf(doc, func(n *yaml.Node, at string, isKey bool) bool {
			t := typeAt(at)
			return !isKey && t != nil && t.String() == m[3] && n.Line == line && n.ShortTag() == m[2]
		})
		want := "a mapping"
		if strings.HasPrefix(m[3], "[]") {
			want = "a list"
		}
		got := "something else"
		if n != nil {
			got = describe(n)
		}
		p.failAt(line, "%s: want %s, got %s", orTop(where), want, got)
		return
	}
	// A message this code does not know: keep it, it names its line.
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		num, text, _ := strings.Cut(rest, ": ")
		if n, err := strconv.Atoi(num); err == nil {
			line, msg = n, text
		}
	}
	p.failAt(line, "%s", msg)
}

// pathOf finds the first node (in document order) that match accepts and
// returns the key path of the mapping or list holding it ("" for the
// top), as messages spell it: targets[0].paths.
func pathOf(doc *yaml.Node, match func(n *yaml.Node, where string, isKey bool) bool) (string, *yaml.Node) {
	var walk func(n *yaml.Node, where string, depth int) (string, *yaml.Node, bool)
	walk = func(n *yaml.Node, where string, depth int) (string, *yaml.Node, bool) {
		if depth > 64 { // aliases are bounded by CheckAliases; nesting is not
			return "", nil, false
		}
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if match(c, where, false) {
					return where, c, true
				}
				if w, f, ok := walk(c, where, depth+1); ok {
					return w, f, ok
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				if match(k, where, true) {
					return where, k, true
				}
				child := joinPath(where, k.Value)
				if match(v, child, false) {
					return child, v, true
				}
				if w, f, ok := walk(v, child, depth+1); ok {
					return w, f, ok
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				child := fmt.Sprintf("%s[%d]", where, i)
				if match(c, child, false) {
					return child, c, true
				}
				if w, f, ok := walk(c, child, depth+1); ok {
					return w, f, ok
				}
			}
		}
		return "", nil, false
	}
	w, n, _ := walk(doc, "", 0)
	return w, n
}

func joinPath(where, key string) string {
	if where == "" {
		return key
	}
	return where + "." + key
}

// typeAt is the type the file's types give a key path (list indexes
// included), nil for a path they do not have.
func typeAt(where string) reflect.Type {
	t := reflect.TypeFor[fileSpec]()
	for _, step := range pathSteps(where) {
		if step == "[]" {
			if t.Kind() != reflect.Slice {
				return nil
			}
			t = t.Elem()
			continue
		}
		f, ok := fieldByKey(t, step)
		if !ok {
			return nil
		}
		t = f.Type
	}
	return t
}

// keysAt lists the keys the file's types accept at a key path (the
// mapping's own path).
func keysAt(where string) []string {
	t := typeAt(where)
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	var keys []string
	for f := range t.Fields() {
		if key := yamlKey(f); key != "" {
			keys = append(keys, key)
		}
	}
	slices.Sort(keys)
	return keys
}

// pathSteps splits targets[0].paths into targets, [], paths.
func pathSteps(where string) []string {
	var steps []string
	for part := range strings.SplitSeq(where, ".") {
		name, _, _ := strings.Cut(part, "[")
		if name != "" {
			steps = append(steps, name)
		}
		for range strings.Count(part, "[") {
			steps = append(steps, "[]")
		}
	}
	return steps
}

func fieldByKey(t reflect.Type, key string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for f := range t.Fields() {
		if yamlKey(f) == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func yamlKey(f reflect.StructField) string {
	key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if key == "-" {
		return ""
	}
	return key
}
