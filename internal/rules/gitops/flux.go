package gitops

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

const (
	fluxKustomizeGroup = "kustomize.toolkit.fluxcd.io"
	// substituteKey disables post-build substitution on one resource, as
	// a label or an annotation.
	substituteKey = "kustomize.toolkit.fluxcd.io/substitute"
)

// flux checks every rendered Flux Kustomization: its path, its
// dependencies and the variables of what it applies.
func (c *checker) flux() {
	var kss []*manifest.Resource
	for _, r := range c.all {
		if isKind(r, fluxKustomizeGroup, "Kustomization") {
			kss = append(kss, r)
		}
	}
	if len(kss) == 0 {
		return
	}
	c.stats.FluxSource = c.fluxSource(kss)
	sources := map[string]bool{}
	for _, n := range c.stats.FluxSource.Names {
		sources[n] = true
	}
	var checkVars []func()
	patched := map[string]bool{}
	for _, ks := range kss {
		c.fluxDependsOn(ks, kss)
		dir, ok := c.fluxPath(ks, sources)
		if !ok {
			continue
		}
		if patchesPostBuild(ks) {
			for _, r := range c.fluxResources(dir) {
				patched[resourceKey(r)] = true
			}
		}
		if !c.once("vars\x00" + resourceKey(ks) + "\x00" + dir) {
			continue // the same Kustomization, rendered by another target
		}
		checkVars = append(checkVars, func() {
			if !patched[resourceKey(ks)] {
				c.fluxVars(ks, dir)
			}
		})
	}
	// Variables last: a parent anywhere may patch a child's postBuild.
	for _, f := range checkVars {
		f()
	}
}

// fluxPath checks spec.path of a Kustomization whose source is this
// repository and returns the repository-relative directory when it
// resolves.
func (c *checker) fluxPath(ks *manifest.Resource, sources map[string]bool) (string, bool) {
	kind, _ := lookupString(ks.Object, "/spec/sourceRef/kind")
	name, _ := lookupString(ks.Object, "/spec/sourceRef/name")
	p, _ := lookupString(ks.Object, "/spec/path")
	counts := &c.stats.Flux
	if !c.once("flux\x00" + ks.Origin.String() + "\x00" + kind + "\x00" + name + "\x00" + p) {
		counts = &Counts{} // counted already, through another target
	}
	switch {
	case kind == "" || name == "":
		counts.Skipped++ // a patch fragment or a template: no source to resolve against
		return "", false
	case kind != "GitRepository" || !sources[name]:
		counts.NotInRepo++
		return "", false
	case templated(p):
		counts.Skipped++
		return "", false
	}
	rel, where, isFile := c.loc.resolve(p)
	var problem string
	switch {
	case where == outside:
		counts.NotInRepo++
		return "", false
	case where == missing:
		problem = "does not exist in the repository"
	case isFile:
		problem = "is a file; Flux needs a directory"
	case !c.renderable(rel):
		problem = "holds no kustomization file and no YAML manifests"
	default:
		counts.Resolved++
		return rel, true
	}
	counts.Missing++
	msg := fmt.Sprintf("Flux Kustomization %q: spec.path %q %s (paths are relative to the repository root)", ks.ID.Name, p, problem)
	c.findings = append(c.findings, origin.FieldFinding(ks, FluxPathMissing, "/spec/path", msg))
	return "", false
}

// renderable reports whether Flux can build a directory: it has a
// kustomization file, or YAML files somewhere below for Flux to generate
// one from.
func (c *checker) renderable(dir string) bool {
	if _, ok := c.in.Repo.Kustomizations[dir]; ok {
		return true
	}
	files := c.in.Repo.Files
	start := 0
	if dir != "." {
		start, _ = slices.BinarySearch(files, dir+"/")
	}
	for _, f := range files[start:] {
		if dir != "." && !strings.HasPrefix(f, dir+"/") {
			break
		}
		if ext := strings.ToLower(path.Ext(f)); ext == ".yaml" || ext == ".yml" {
			return true
		}
	}
	return false
}

// fluxDependsOn checks that every dependency names a Flux Kustomization
// of the repository. A dependency without namespace is in the
// dependent's; namespaces are compared only where both are known, since
// a parent often sets them.
func (c *checker) fluxDependsOn(ks *manifest.Resource, kss []*manifest.Resource) {
	deps, _ := lookupList(ks.Object, "/spec/dependsOn")
	for i, d := range deps {
		m, _ := d.(map[string]any)
		name, _ := m["name"].(string)
		if name == "" || templated(name) {
			continue
		}
		ns, _ := m["namespace"].(string)
		if ns == "" {
			ns = ks.ID.Namespace
		}
		if slices.ContainsFunc(kss, func(o *manifest.Resource) bool {
			return o.ID.Name == name && (ns == "" || o.ID.Namespace == "" || o.ID.Namespace == ns)
		}) {
			continue
		}
		msg := fmt.Sprintf("Flux Kustomization %q depends on %q, which no Flux Kustomization of the repository is", ks.ID.Name, name)
		c.findings = append(c.findings, origin.FieldFinding(ks, FluxDependsOnMissing, fmt.Sprintf("/spec/dependsOn/%d/name", i), msg))
	}
}

// patchesPostBuild reports whether a Kustomization patches the postBuild
// of the Kustomizations it applies; theirs then cannot be read from the
// repository alone.
func patchesPostBuild(ks *manifest.Resource) bool {
	patches, _ := lookupList(ks.Object, "/spec/patches")
	for _, p := range patches {
		m, _ := p.(map[string]any)
		text, _ := m["patch"].(string)
		kind, _ := lookupString(m, "/target/kind")
		if strings.Contains(text, "postBuild") && (kind == "" || kind == "Kustomization") {
			return true
		}
	}
	return false
}

// fluxResources returns what Flux applies for a directory: the
// kustomization there, or, without one, what the kustomization Flux
// generates takes in: every subdirectory with a kustomization file (not
// descending further) and the YAML files of the directories on the way.
func (c *checker) fluxResources(dir string) []*manifest.Resource {
	ks := c.in.Repo.Kustomizations
	if _, ok := ks[dir]; ok {
		return c.kustomizationResources(dir)
	}
	var out []*manifest.Resource
	for _, k := range slices.Sorted(maps.Keys(ks)) {
		if under(dir, k) && !ks[k].Component && !c.shadowed(dir, k) {
			out = append(out, c.kustomizationResources(k)...)
		}
	}
	for _, t := range c.in.Targets {
		if t.Kind == repo.Plain && under(dir, t.Path) && !c.shadowed(dir, t.Path) {
			out = append(out, pointers(c.in.Resources[t.Path])...)
		}
	}
	return out
}

// shadowed reports whether a kustomization lies between dir and p (both
// excluded): Flux stops descending there.
func (c *checker) shadowed(dir, p string) bool { return shadowedIn(c.in.Repo.Kustomizations, dir, p) }

func shadowedIn(ks map[string]*repo.Kustomization, dir, p string) bool {
	for d := path.Dir(p); d != dir && d != "."; d = path.Dir(d) {
		if _, ok := ks[d]; ok {
			return true
		}
	}
	return false
}

// kustomizationResources returns the rendered resources of a
// kustomization directory: its target's, or, for a directory that another
// kustomization includes, its own render. A directory that is not inside
// an unblocked target is never rendered: discovery found it unsafe.
func (c *checker) kustomizationResources(dir string) []*manifest.Resource {
	if res, ok := c.in.Resources[dir]; ok {
		return pointers(res)
	}
	if res, ok := c.built[dir]; ok {
		return pointers(res)
	}
	var res []manifest.Resource
	if c.in.Build != nil && !slices.ContainsFunc(c.in.Targets, func(t repo.Target) bool { return t.Path == dir }) &&
		slices.ContainsFunc(c.in.Targets, func(t repo.Target) bool { return t.Blocked == "" && slices.Contains(t.Includes, dir) }) {
		res, _ = c.in.Build(dir) // a render error is reported with the target that includes it
	}
	c.built[dir] = res
	return pointers(res)
}

// fluxVars reports the ${VAR} placeholders in what a Kustomization
// applies that its postBuild leaves undefined.
func (c *checker) fluxVars(ks *manifest.Resource, dir string) {
	subst, _ := lookupMap(ks.Object, "/spec/postBuild/substitute")
	from, _ := lookupList(ks.Object, "/spec/postBuild/substituteFrom")
	if len(subst) == 0 && len(from) == 0 {
		return // Flux substitutes nothing
	}
	defined := map[string]bool{}
	for k := range subst {
		defined[k] = true
	}
	for _, f := range from {
		m, _ := f.(map[string]any)
		kind, _ := m["kind"].(string)
		name, _ := m["name"].(string)
		keys, known := c.substituteKeys(kind, name)
		if !known {
			return // it may define anything
		}
		for _, k := range keys {
			defined[k] = true
		}
	}
	postBuild := origin.Field(ks, "/spec/postBuild")
	for _, r := range c.fluxResources(dir) {
		if substitutionDisabled(r.Object) {
			continue
		}
		walkStrings(r.Object, "", func(ptr, s string) {
			for _, name := range undefinedVars(s, defined) {
				msg := fmt.Sprintf("${%s} is not defined by the postBuild of Flux Kustomization %q and has no default: Flux substitutes an empty string", name, ks.ID.Name)
				f := origin.FieldFinding(r, FluxVarUndefined, ptr, msg)
				f.Related = []manifest.Origin{postBuild}
				f.Fingerprint = rules.Fingerprint(FluxVarUndefined, f.Location.File, r.SourceID, ptr, name)
				c.findings = append(c.findings, f)
			}
		})
	}
}

// substituteKeys returns the keys that a substituteFrom object defines,
// found among the rendered resources by name. known is false when no
// such object is in the repository, or one is whose keys cannot be read
// (an ExternalSecret that templates or pulls whole secrets).
func (c *checker) substituteKeys(kind, name string) (keys []string, known bool) {
	found := false
	for _, r := range c.all {
		switch {
		case kind == "ConfigMap" && r.ID.Kind == "ConfigMap" && r.ID.Group() == "" && named(r, name):
			keys = append(keys, mapKeys(r.Object, "/data")...)
		case kind == "Secret" && r.ID.Kind == "Secret" && r.ID.Group() == "" && named(r, name):
			keys = append(keys, mapKeys(r.Object, "/data")...)
			keys = append(keys, mapKeys(r.Object, "/stringData")...)
		case kind == "Secret" && r.ID.Kind == "SealedSecret" && producesName(r.Object, name, "/spec/template/metadata/name"):
			keys = append(keys, mapKeys(r.Object, "/spec/encryptedData")...)
			keys = append(keys, mapKeys(r.Object, "/spec/template/data")...)
		case kind == "Secret" && r.ID.Kind == "ExternalSecret" && producesName(r.Object, name, "/spec/target/name"):
			if _, ok := manifest.Lookup(r.Object, "/spec/dataFrom"); ok {
				return nil, false
			}
			if _, ok := manifest.Lookup(r.Object, "/spec/target/template"); ok {
				return nil, false
			}
			data, _ := lookupList(r.Object, "/spec/data")
			for _, d := range data {
				m, _ := d.(map[string]any)
				if k, ok := m["secretKey"].(string); ok {
					keys = append(keys, k)
				}
			}
		default:
			continue
		}
		found = true
	}
	return keys, found
}

// named matches a rendered object by name, or a generated one by its
// generator's name (the rendered name carries a hash suffix).
func named(r *manifest.Resource, name string) bool {
	return r.ID.Name == name || (r.Generated && r.SourceID.Name == name)
}

// producesName matches an object that makes a Secret: by the name its
// spec gives the Secret, else by its own.
func producesName(obj map[string]any, name, pointer string) bool {
	if n, _ := lookupString(obj, pointer); n != "" {
		return n == name
	}
	return manifest.IDOf(obj).Name == name
}

func substitutionDisabled(obj map[string]any) bool {
	for _, field := range []string{"/metadata/labels/", "/metadata/annotations/"} {
		if v, _ := lookupString(obj, field+strings.ReplaceAll(substituteKey, "/", "~1")); v == "disabled" {
			return true
		}
	}
	return false
}

// undefinedVars returns the names of the placeholders of s that are not
// defined and have no default, each once, in order. Flux's syntax:
// ${VAR}, ${VAR:=default}, ${VAR:-default}, ${VAR=default},
// ${VAR-default} and bash's other ${VAR...} operators; $${VAR} is an
// escaped literal. Only names Flux accepts ([_a-zA-Z][_a-zA-Z0-9]*) count.
func undefinedVars(s string, defined map[string]bool) []string {
	var out []string
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		if s[i+1] == '$' {
			i++ // $$ is a literal $
			continue
		}
		if s[i+1] != '{' {
			continue
		}
		start := i + 2
		if start < len(s) && s[start] == '#' {
			start++ // ${#VAR}: the length
		}
		end := start
		for end < len(s) && isNameByte(s[end], end == start) {
			end++
		}
		closing := closingBrace(s, end)
		if end == start || closing < 0 {
			continue
		}
		name, op := s[start:end], s[end:closing]
		hasDefault := strings.HasPrefix(op, "-") || strings.HasPrefix(op, "=") || strings.HasPrefix(op, ":-") || strings.HasPrefix(op, ":=")
		if !defined[name] && !hasDefault && !slices.Contains(out, name) {
			out = append(out, name)
		}
		i = closing
	}
	return out
}

func isNameByte(b byte, first bool) bool {
	return b == '_' || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || (!first && '0' <= b && b <= '9')
}

// closingBrace finds the brace that closes a placeholder whose body
// starts at i, past nested placeholders in a default; -1 if none.
func closingBrace(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// walkStrings calls fn with the JSON pointer of every string of a value
// that could hold a placeholder, mapping keys included (at the key's own
// pointer), in a deterministic order.
func walkStrings(v any, ptr string, fn func(ptr, s string)) {
	switch t := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			p := ptr + "/" + escapePointer(k)
			if strings.Contains(k, "${") {
				fn(p, k)
			}
			walkStrings(t[k], p, fn)
		}
	case []any:
		for i, e := range t {
			walkStrings(e, fmt.Sprintf("%s/%d", ptr, i), fn)
		}
	case string:
		if strings.Contains(t, "${") {
			fn(ptr, t)
		}
	}
}

// resourceKey identifies a rendered object across the targets that render it.
func resourceKey(r *manifest.Resource) string { return r.Origin.String() + "\x00" + r.ID.String() }

// under reports whether p is dir or below it.
func under(dir, p string) bool {
	return dir == "." || p == dir || strings.HasPrefix(p, dir+"/")
}

func pointers(res []manifest.Resource) []*manifest.Resource {
	out := make([]*manifest.Resource, len(res))
	for i := range res {
		out[i] = &res[i]
	}
	return out
}
