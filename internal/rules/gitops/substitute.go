package gitops

import (
	"encoding/base64"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Substitution is Flux's post-build substitution of what Flux
// Kustomizations apply to one target: the variables they define, with the
// value Flux would put in. It never holds a Secret's value: a variable
// from a Secret gets a stand-in of the value's YAML type (an integer, a
// boolean, a word), which is all that validating the result needs.
type Substitution struct {
	Vars map[string]string
	// Files are the repository files the variables come from: a change to
	// one changes the target's result.
	Files []string
}

// SubstitutionInput is what Substitutions reads: the repository's Flux
// Kustomizations, ConfigMaps and Secrets as their files write them, so
// that the substitution is known before any target is checked, whichever
// target renders them.
type SubstitutionInput struct {
	Repo    *repo.Repo
	Targets []repo.Target
	// Docs are the decoded documents of the repository files that may
	// hold Flux Kustomizations, ConfigMaps or Secrets, by file.
	Docs map[string][]*manifest.Document
	// Read returns a repository file (a generator's env file).
	Read func(file string) ([]byte, error)
}

// Substitutions works out, per target path, the substitution Flux applies
// to what it renders: for each Flux Kustomization of the repository
// (source this repository, a path in it, a postBuild), the values of
// postBuild.substituteFrom in order, the later overriding the earlier,
// then postBuild.substitute over them, as Flux does. A target that several
// Kustomizations apply takes each variable from the first, in file order.
// A required substituteFrom object that the repository does not have is
// a finding.
//
// The substitution runs before anything is rendered, so it cannot wait
// for the Flux source detection of Check (fluxSource), which reads the
// rendered objects: with gitops.fluxSources configured only those sources
// count; otherwise any GitRepository does, since the Kustomization's path
// must still name a target of this repository to be applied, and a
// substitution only turns placeholders into the values Flux would give.
func Substitutions(in SubstitutionInput, opts Options) (map[string]*Substitution, []rules.Finding) {
	accepted := func(string) bool { return true }
	if len(opts.FluxSources) > 0 {
		accepted = func(n string) bool { return slices.Contains(opts.FluxSources, n) }
	}
	out := map[string]*Substitution{}
	var findings []rules.Finding
	for _, file := range slices.Sorted(maps.Keys(in.Docs)) {
		for _, d := range in.Docs[file] {
			id := d.ID()
			if d.Object == nil || id.Kind != "Kustomization" || id.Group() != fluxKustomizeGroup {
				continue
			}
			kind, _ := lookupString(d.Object, "/spec/sourceRef/kind")
			name, _ := lookupString(d.Object, "/spec/sourceRef/name")
			p, _ := lookupString(d.Object, "/spec/path")
			if kind != "GitRepository" || !accepted(name) || templated(p) {
				continue
			}
			vars, files, missing := in.postBuildVars(d)
			findings = append(findings, missing...)
			if vars == nil {
				continue
			}
			for _, t := range in.applied(cleanPath(p)) {
				s := out[t]
				if s == nil {
					s = &Substitution{Vars: map[string]string{}}
					out[t] = s
				}
				for k, v := range vars {
					if _, set := s.Vars[k]; !set {
						s.Vars[k] = v
					}
				}
				s.Files = append(s.Files, file)
				s.Files = append(s.Files, files...)
			}
		}
	}
	for _, s := range out {
		slices.Sort(s.Files)
		s.Files = slices.Compact(s.Files)
	}
	return out, findings
}

// postBuildVars returns the variables a Flux Kustomization's postBuild
// defines (nil when it has none), the files they come from, and a
// finding per required substituteFrom object the repository lacks.
func (in SubstitutionInput) postBuildVars(ks *manifest.Document) (map[string]string, []string, []rules.Finding) {
	subst, _ := lookupMap(ks.Object, "/spec/postBuild/substitute")
	from, _ := lookupList(ks.Object, "/spec/postBuild/substituteFrom")
	if len(subst) == 0 && len(from) == 0 {
		return nil, nil, nil
	}
	ns := ks.ID().Namespace
	vars := map[string]string{}
	var files []string
	var findings []rules.Finding
	for i, f := range from {
		m, _ := f.(map[string]any)
		kind, _ := m["kind"].(string)
		name, _ := m["name"].(string)
		optional, _ := m["optional"].(bool)
		if templated(name) {
			continue
		}
		values, file, found := in.substituteFrom(kind, name, ns)
		if !found {
			if !optional {
				ptr := fmt.Sprintf("/spec/postBuild/substituteFrom/%d", i)
				line, col, _ := ks.Locate(ptr)
				findings = append(findings, rules.Finding{
					RuleID: FluxSubstituteFromMissing,
					Message: fmt.Sprintf("Flux Kustomization %q substitutes from %s %q, which is not in the repository and not optional: Flux fails to build it unless the cluster has one",
						ks.ID().Name, kind, name),
					Resource: ks.ID(),
					Path:     ptr,
					Location: manifest.Origin{File: ks.File, Line: line, Col: col},
				})
			}
			continue
		}
		maps.Copy(vars, values)
		if file != "" {
			files = append(files, file)
		}
	}
	for k, v := range subst {
		vars[k] = fmt.Sprint(v)
	}
	return vars, files, findings
}

// substituteFrom finds a ConfigMap or Secret by name, written in a file
// or made by a generator, preferring one in the Kustomization's
// namespace, and returns its values (stand-ins for a Secret's). An object
// made by a controller from the repository (a SealedSecret, an
// ExternalSecret) is found, with values unknown.
func (in SubstitutionInput) substituteFrom(kind, name, ns string) (map[string]string, string, bool) {
	var best *manifest.Document
	produced := false
	for _, file := range slices.Sorted(maps.Keys(in.Docs)) {
		for _, d := range in.Docs[file] {
			if d.Object == nil {
				continue
			}
			id := d.ID()
			switch {
			case id.Kind == kind && id.Group() == "" && id.Name == name:
				if best == nil || (best.ID().Namespace != ns && id.Namespace == ns) {
					best = d
				}
			case kind == "Secret" && (id.Kind == "SealedSecret" || id.Kind == "ExternalSecret") &&
				(producesName(d.Object, name, "/spec/template/metadata/name") || producesName(d.Object, name, "/spec/target/name")):
				produced = true
			}
		}
	}
	if best != nil {
		return objectValues(best.Object), best.File, true
	}
	for _, dir := range slices.Sorted(maps.Keys(in.Repo.Kustomizations)) {
		k := in.Repo.Kustomizations[dir]
		for i := range k.Generators {
			if g := &k.Generators[i]; g.Kind == kind && g.Name == name {
				return in.generatorValues(dir, g), k.File, true
			}
		}
	}
	return nil, "", produced
}

// objectValues reads a ConfigMap's data, or stand-ins for a Secret's
// data and stringData.
func objectValues(obj map[string]any) map[string]string {
	out := map[string]string{}
	secret := manifest.IDOf(obj).Kind == "Secret"
	for _, field := range []string{"data", "stringData"} {
		m, _ := obj[field].(map[string]any)
		for k, v := range m {
			s := fmt.Sprint(v)
			switch {
			case !secret:
				out[k] = s
			case field == "data" && !isSOPS(s):
				raw, err := base64.StdEncoding.DecodeString(s)
				if err != nil {
					continue // Flux fails on it; nothing to stand in for
				}
				out[k] = standIn(string(raw))
			default:
				out[k] = standIn(s)
			}
		}
	}
	return out
}

// generatorValues reads a generator's literals and env files; a
// Secret generator's values become stand-ins.
func (in SubstitutionInput) generatorValues(dir string, g *repo.Generator) map[string]string {
	out := map[string]string{}
	set := func(k, v string) {
		if g.Kind == "Secret" {
			v = standIn(v)
		}
		out[k] = v
	}
	lit := 0
	for _, input := range g.Inputs {
		switch input.Field {
		case "literals":
			if lit < len(g.Literals) && input.Key != "" {
				set(input.Key, g.Literals[lit])
			}
			lit++
		case "envs":
			if in.Read == nil {
				continue
			}
			data, err := in.Read(path.Join(dir, input.Path))
			if err != nil {
				continue
			}
			for _, e := range repo.ParseEnv(data) {
				if e.HasValue {
					set(e.Key, e.Value)
				}
			}
		}
	}
	return out
}

var sopsValue = regexp.MustCompile(`^ENC\[[A-Z0-9_]+,data:[^,]*,iv:[^,]*,tag:[^,]*,type:(\w+)\]$`)

func isSOPS(s string) bool { return sopsValue.MatchString(s) }

// standIn replaces a secret value with a value of the same YAML type
// that reveals nothing of it. A SOPS-encrypted value says its type.
func standIn(v string) string {
	if m := sopsValue.FindStringSubmatch(v); m != nil {
		switch m[1] {
		case "int":
			return "1"
		case "float":
			return "1.5"
		case "bool":
			return "true"
		}
		return "redacted"
	}
	var n yaml.Node
	if strings.ContainsAny(v, "\n:#{}[],&*!|>'\"%@`") || yaml.Unmarshal([]byte(v), &n) != nil || len(n.Content) != 1 {
		return "redacted"
	}
	switch n.Content[0].ShortTag() {
	case "!!int":
		return "1"
	case "!!float":
		return "1.5"
	case "!!bool":
		return "true"
	}
	return "redacted"
}

// applied lists the targets Flux applies for a directory: the
// kustomization there, or, without one, every target below that no
// kustomization in between shadows.
func (in SubstitutionInput) applied(dir string) []string {
	ks := in.Repo.Kustomizations
	var out []string
	for _, t := range in.Targets {
		switch {
		case t.Path == dir:
			out = append(out, t.Path)
		case ks[dir] == nil && under(dir, t.Path) && !shadowedIn(ks, dir, t.Path):
			out = append(out, t.Path)
		}
	}
	return out
}

// Substitute applies a substitution to a rendered object as Flux does to
// its YAML: a placeholder of a defined variable, or with a default, is
// replaced; one left undefined stays for flux-var-undefined to report.
// A string that was only placeholders and now reads as a number or a
// boolean becomes one, as it does when Flux decodes the substituted YAML.
// The object is copied where it changes, never written to. ok is false
// when nothing changed or the object disables substitution.
func (s *Substitution) Substitute(obj map[string]any) (map[string]any, bool) {
	if s == nil || substitutionDisabled(obj) {
		return obj, false
	}
	v, changed := s.substitute(obj)
	if !changed {
		return obj, false
	}
	return v.(map[string]any), true
}

func (s *Substitution) substitute(v any) (any, bool) {
	switch t := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range t {
			nk, kc := k, false
			if strings.Contains(k, "${") {
				nk, kc = s.expand(k)
			}
			ne, ec := s.substitute(e)
			if !kc && !ec {
				continue
			}
			if out == nil {
				out = maps.Clone(t)
			}
			delete(out, k)
			out[nk] = ne
		}
		if out == nil {
			return t, false
		}
		return out, true
	case []any:
		var out []any
		for i, e := range t {
			if ne, ec := s.substitute(e); ec {
				if out == nil {
					out = slices.Clone(t)
				}
				out[i] = ne
			}
		}
		if out == nil {
			return t, false
		}
		return out, true
	case string:
		if !strings.Contains(t, "${") {
			return t, false
		}
		r, changed := s.expand(t)
		if !changed {
			return t, false
		}
		if !strings.Contains(t, "\n") {
			return retype(r), true
		}
		return r, true
	}
	return v, false
}

// retype reads a substituted one-line string as YAML reads a plain
// scalar, which is how kustomize writes a string holding a placeholder.
func retype(s string) any {
	var n yaml.Node
	if s == "" || yaml.Unmarshal([]byte(s), &n) != nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.ScalarNode || n.Content[0].Style != 0 {
		return s
	}
	switch n.Content[0].ShortTag() {
	case "!!int", "!!float", "!!bool":
		return manifest.ValueOf(n.Content[0])
	}
	return s
}

// expand replaces the placeholders of s that are defined or have a
// default: ${VAR}, ${VAR:=default}, ${VAR:-default}, ${VAR=default},
// ${VAR-default}; $${VAR} is the literal ${VAR}. Other placeholders are
// left as they are.
func (s *Substitution) expand(str string) (string, bool) {
	var b strings.Builder
	changed := false
	for i := 0; i < len(str); i++ {
		if str[i] != '$' || i+1 >= len(str) {
			b.WriteByte(str[i])
			continue
		}
		if str[i+1] == '$' && i+2 < len(str) && str[i+2] == '{' {
			// $${VAR} is the literal ${VAR}; it stays escaped, so that
			// flux-var-undefined still tells it from a placeholder.
			b.WriteString("$$")
			i++
			continue
		}
		if str[i+1] != '{' {
			b.WriteByte(str[i])
			continue
		}
		start := i + 2
		end := start
		for end < len(str) && isNameByte(str[end], end == start) {
			end++
		}
		closing := closingBrace(str, end)
		if end == start || closing < 0 {
			b.WriteByte(str[i])
			continue
		}
		name, op := str[start:end], str[end:closing]
		value, defined := s.Vars[name]
		switch {
		case op == "" && defined:
		case strings.HasPrefix(op, ":=") || strings.HasPrefix(op, ":-"):
			if !defined || value == "" {
				value, _ = s.expand(op[2:])
			}
		case strings.HasPrefix(op, "=") || strings.HasPrefix(op, "-"):
			if !defined {
				value, _ = s.expand(op[1:])
			}
		default:
			b.WriteString(str[i : closing+1]) // undefined, or an operator this does not model
			i = closing
			continue
		}
		b.WriteString(value)
		changed = true
		i = closing
	}
	return b.String(), changed
}
