package repo

import (
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// kustomizationFiles are the names kustomize recognises, in its order of preference.
var kustomizationFiles = [...]string{"kustomization.yaml", "kustomization.yml", "Kustomization"}

// KustomizationFiles returns the names of a kustomization file kustomize
// recognises, in its order of preference.
func KustomizationFiles() []string { return slices.Clone(kustomizationFiles[:]) }

// IsSettingsFile reports whether the file at the slash-separated path p
// configures a run wherever it is (gitops-lint's, gitleaks' and SOPS'
// settings, ignore files): a result depends on them whatever else it read.
func IsSettingsFile(p string) bool {
	switch path.Base(p) {
	case ".gitops-lint.yaml", ".gitleaks.toml", ".gitleaksignore", ".sops.yaml", ".gitignore":
		return true
	}
	return false
}

// RefKind says what a reference in a kustomization points at.
type RefKind int

// Kinds of references.
const (
	RefFile     RefKind = iota // a file inside the repository
	RefDir                     // a directory with a kustomization
	RefPlainDir                // a directory without a kustomization (kustomize will fail on it)
	RefMissing                 // nothing exists at the path
	RefRemote                  // a URL or remote git repository
	RefEscape                  // a path that leaves the repository
)

// Ref is one path a kustomization refers to, with its position.
type Ref struct {
	// Field is the kustomization field, e.g. "resources", "patches".
	Field string
	// Value is the path as written.
	Value string
	// Pos is where the value is written.
	Pos manifest.Origin
	// Kind is what the path resolved to.
	Kind RefKind
	// Path is the repository-relative, slash-separated resolved path (empty
	// for remote and escaping references).
	Path string
	// Reason explains an escape (absolute path, '..', symlink).
	Reason string
}

// Includes reports whether the reference pulls resources into the build
// (resources, bases, components) as opposed to reading a file for a patch
// or generator.
func (r Ref) Includes() bool {
	switch r.Field {
	case "resources", "bases", "components":
		return true
	}
	return false
}

// Kustomization is a parsed kustomization file.
type Kustomization struct {
	// Dir is the repository-relative directory ("." for the root).
	Dir string
	// File is the repository-relative path of the kustomization file.
	File string
	// Component is true for kind: Component.
	Component bool
	// Refs are the paths it refers to, in file order.
	Refs []Ref
	// Generators are its configMapGenerator and secretGenerator entries.
	Generators []Generator
	// Patches are its patch entries and Transformers its built-in
	// transformer entries, in file order: what may have written a field
	// of a rendered object.
	Patches      []Patch
	Transformers []Transformer
	// Aggregator is true when the kustomization only lists resources:
	// its output is the union of its parts, which can then be rendered
	// (and cached) independently.
	Aggregator bool
	// HelmCharts is true when it has helmCharts entries: it reads the
	// charts under its chart home (helmGlobals.chartHome, default charts/).
	HelmCharts bool
	// Err is set when the file could not be parsed.
	Err error
}

// Generator is one configMapGenerator or secretGenerator entry.
type Generator struct {
	// Kind is "ConfigMap" or "Secret".
	Kind string
	Name string
	Pos  manifest.Origin
	// Behavior is "create" (also when unset), "merge" or "replace": the
	// last two change an object that another generator or file made.
	Behavior string
	// Literals are the values of its literal sources (after "=").
	Literals []string
	// Envs are its env files as written (relative to the kustomization).
	Envs []string
	// Inputs are its literal, env-file and file sources in file order, each
	// with the position of its entry, so that a finding about one input
	// can point at the line that names it.
	Inputs []Input
}

// Input is one source of a generator: a literal, an env file or a file.
// It never holds a literal's value, which may be a secret.
type Input struct {
	// Field is "literals", "envs" (also for the legacy singular "env") or "files".
	Field string
	// Key is the data key the input becomes: a literal's key, or a files
	// entry's explicit key or base name. Env files have none: their keys
	// are inside them. Neither has a literal that is not key=value.
	Key string
	// Path is the file as written, relative to the kustomization (envs
	// and files only).
	Path string
	// Pos is where the entry is written.
	Pos manifest.Origin
}

// RefAt returns the reference written at pos: the resolved path of a
// generator's env or files entry, say.
func (k *Kustomization) RefAt(pos manifest.Origin) (Ref, bool) {
	for _, ref := range k.Refs {
		if ref.Pos == pos {
			return ref, true
		}
	}
	return Ref{}, false
}

// aggregatorKeys are the fields a kustomization may have and still be a
// plain union of its resources: nothing in them transforms what the parts
// render to.
var aggregatorKeys = map[string]bool{"apiVersion": true, "kind": true, "metadata": true, "resources": true}

// pathFields lists where kustomization files name other files or
// directories, so that remote references and escapes are caught before
// kustomize would fetch or read them. Each entry is a path of mapping keys
// and "[]" for "every item of the sequence".
var pathFields = [][]string{
	{"resources", "[]"},
	{"bases", "[]"},
	{"components", "[]"},
	{"crds", "[]"},
	{"configurations", "[]"},
	{"generators", "[]"},
	{"transformers", "[]"},
	{"validators", "[]"},
	{"patchesStrategicMerge", "[]"},
	{"patches", "[]", "path"},
	{"patchesJson6902", "[]", "path"},
	{"replacements", "[]", "path"},
	{"openapi", "path"},
	{"configMapGenerator", "[]", "files", "[]"},
	{"configMapGenerator", "[]", "envs", "[]"},
	{"configMapGenerator", "[]", "env"},
	{"secretGenerator", "[]", "files", "[]"},
	{"secretGenerator", "[]", "envs", "[]"},
	{"secretGenerator", "[]", "env"},
	{"helmGlobals", "chartHome"},
	{"helmCharts", "[]", "valuesFile"},
	{"helmCharts", "[]", "additionalValuesFiles", "[]"},
}

// parseKustomization reads the kind and every path reference of a
// kustomization file, keeping positions. It does not resolve paths.
func parseKustomization(k *Kustomization, data []byte) error {
	file := k.File
	if err := manifest.CheckAliases(file, data); err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil // empty kustomization: kustomize builds it to nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return &manifest.SyntaxError{Origin: manifest.Origin{File: file, Line: root.Line, Col: root.Column}, Msg: "kustomization is not a mapping"}
	}
	if kind := manifest.MappingValue(root, "kind"); kind != nil && kind.Value == "Component" {
		k.Component = true
	}
	k.HelmCharts = manifest.MappingValue(root, "helmCharts") != nil
	k.Aggregator = !k.Component
	for i := 0; i+1 < len(root.Content); i += 2 {
		if !aggregatorKeys[root.Content[i].Value] {
			k.Aggregator = false
		}
	}
	k.Generators = parseGenerators(file, root)
	k.Refs = parseRefs(file, root)
	// After Refs: patches keep pointers into them.
	parseEdits(k, root, data)
	return nil
}

// parseGenerators reads the configMapGenerator and secretGenerator
// entries of a kustomization's root mapping, in file order.
func parseGenerators(file string, root *yaml.Node) []Generator {
	var out []Generator
	for field, kind := range map[string]string{"configMapGenerator": "ConfigMap", "secretGenerator": "Secret"} {
		collect(root, []string{field, "[]"}, func(n *yaml.Node) {
			if g, ok := parseGenerator(file, kind, n); ok {
				out = append(out, g)
			}
		})
	}
	slices.SortFunc(out, func(a, b Generator) int { return a.Pos.Line - b.Pos.Line })
	return out
}

// parseGenerator reads one generator entry n of kind (ConfigMap or
// Secret): its name, behavior and inputs in file order. An entry without
// a name is none.
func parseGenerator(file, kind string, n *yaml.Node) (Generator, bool) {
	name := manifest.MappingValue(n, "name")
	if name == nil {
		return Generator{}, false
	}
	g := Generator{Kind: kind, Name: name.Value, Pos: manifest.Origin{File: file, Line: n.Line, Col: n.Column}, Behavior: "create"}
	if b := manifest.MappingValue(n, "behavior"); b != nil && b.Value != "" {
		g.Behavior = b.Value
	}
	pos := func(n *yaml.Node) manifest.Origin {
		return manifest.Origin{File: file, Line: n.Line, Col: n.Column}
	}
	collect(n, []string{"literals", "[]"}, func(l *yaml.Node) {
		key, v, ok := strings.Cut(l.Value, "=")
		if !ok {
			// Not key=value: kustomize rejects it, and the whole
			// entry may be the secret, so it has no key to show.
			key, v = "", l.Value
		}
		g.Literals = append(g.Literals, v)
		g.Inputs = append(g.Inputs, Input{Field: "literals", Key: key, Pos: pos(l)})
	})
	env := func(e *yaml.Node) {
		g.Envs = append(g.Envs, e.Value)
		g.Inputs = append(g.Inputs, Input{Field: "envs", Path: e.Value, Pos: pos(e)})
	}
	collect(n, []string{"envs", "[]"}, env)
	collect(n, []string{"env"}, env)
	collect(n, []string{"files", "[]"}, func(f *yaml.Node) {
		key, p, ok := strings.Cut(f.Value, "=")
		if !ok {
			key, p = path.Base(f.Value), f.Value
		}
		g.Inputs = append(g.Inputs, Input{Field: "files", Key: key, Path: p, Pos: pos(f)})
	})
	slices.SortStableFunc(g.Inputs, func(a, b Input) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
	return g, true
}

// parseRefs reads every path reference of a kustomization's root
// mapping, sorted (see sortRefs).
func parseRefs(file string, root *yaml.Node) []Ref {
	var refs []Ref
	for _, f := range pathFields {
		collect(root, f, func(n *yaml.Node) {
			if n.Kind != yaml.ScalarNode || n.Value == "" {
				return
			}
			value := n.Value
			if isPluginField(f[0]) && inlineConfig(value) {
				return // configuration written in place, not a path
			}
			if f[0] == "configMapGenerator" || f[0] == "secretGenerator" {
				// files entries may be "key=path".
				if _, p, ok := strings.Cut(value, "="); ok && f[len(f)-2] == "files" {
					value = p
				}
			}
			refs = append(refs, Ref{Field: f[0], Value: value, Pos: manifest.Origin{File: file, Line: n.Line, Col: n.Column}})
		})
	}
	sortRefs(refs)
	return refs
}

func collect(n *yaml.Node, path []string, fn func(*yaml.Node)) {
	if len(path) == 0 {
		fn(n)
		return
	}
	switch {
	case path[0] == "[]" && n.Kind == yaml.SequenceNode:
		for _, c := range n.Content {
			collect(c, path[1:], fn)
		}
	case path[0] != "[]" && n.Kind == yaml.MappingNode:
		if v := manifest.MappingValue(n, path[0]); v != nil {
			collect(v, path[1:], fn)
		}
	}
}

// isPluginField says whether a kustomization field lists plugin
// configurations, which may be written in place instead of named.
func isPluginField(field string) bool {
	return field == "generators" || field == "transformers" || field == "validators"
}

// inlineConfig reports whether an entry of generators, transformers or
// validators is a configuration written in place (a YAML object with a
// kind, such as an inline builtin PrefixSuffixTransformer) rather than a
// path, as kustomize decides: it tries the entry as YAML first. A path
// never parses as an object with a kind.
func inlineConfig(value string) bool {
	// A node, not a map: aliases stay unexpanded (an alias bomb in an
	// inline entry costs nothing here).
	var doc yaml.Node
	if !strings.Contains(value, "kind") || yaml.Unmarshal([]byte(value), &doc) != nil || len(doc.Content) == 0 {
		return false
	}
	return doc.Content[0].Kind == yaml.MappingNode && manifest.MappingValue(doc.Content[0], "kind") != nil
}

// isRemote recognises what kustomize would fetch over the network: URLs,
// git SSH addresses and host-qualified repository paths such as
// github.com/org/repo//dir?ref=v1.
func isRemote(value string) bool {
	switch {
	case strings.Contains(value, "://"),
		strings.HasPrefix(value, "git@"),
		strings.HasPrefix(value, "git::"),
		strings.HasPrefix(value, "gh:"):
		return true
	}
	first, rest, ok := strings.Cut(value, "/")
	return ok && rest != "" && strings.Contains(first, ".") && !strings.HasPrefix(first, ".")
}
