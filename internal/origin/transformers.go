package origin

import (
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// transformerEdit is a built-in transformer entry of a kustomization.
type transformerEdit struct{ t *repo.Transformer }

// podSpecs are where workload kinds keep their pod spec.
var podSpecs = [][]string{
	{"spec"},                     // Pod
	{"spec", "template", "spec"}, // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job
	{"spec", "jobTemplate", "spec", "template", "spec"}, // CronJob
}

func (e transformerEdit) Writes(obj map[string]any, pointer string, value any) (manifest.Origin, bool) {
	t := e.t
	toks := manifest.SplitPointer(pointer)
	s, isString := value.(string)
	switch t.Field {
	case "namespace":
		return t.Pos, slices.Equal(toks, []string{"metadata", "namespace"}) && s == t.Value
	case "namePrefix":
		return t.Pos, slices.Equal(toks, []string{"metadata", "name"}) && strings.HasPrefix(s, t.Value)
	case "nameSuffix":
		return t.Pos, slices.Equal(toks, []string{"metadata", "name"}) && strings.HasSuffix(s, t.Value)
	case "replicas":
		return t.Pos, slices.Equal(toks, []string{"spec", "replicas"}) && equalScalar(value, t.Value)
	case "commonLabels", "labels", "commonAnnotations":
		if !isString || s != t.Value || len(toks) == 0 || toks[len(toks)-1] != t.Key {
			return t.Pos, false
		}
		return t.Pos, e.labelField(toks[:len(toks)-1])
	case "images":
		return t.Pos, isString && isImageField(toks) && e.setsImage(s)
	}
	return manifest.Origin{}, false
}

// labelField reports whether the map at toks is one the labels or
// annotations transformer writes.
func (e transformerEdit) labelField(m []string) bool {
	field := "labels"
	if e.t.Field == "commonAnnotations" {
		field = "annotations"
	}
	if slices.Equal(m, []string{"metadata", field}) {
		return true
	}
	if e.t.Templates && len(m) >= 3 && m[len(m)-2] == "metadata" && m[len(m)-1] == field && m[len(m)-3] == "template" {
		return true
	}
	if e.t.Selectors {
		return slices.Equal(m, []string{"spec", "selector", "matchLabels"}) || slices.Equal(m, []string{"spec", "selector"})
	}
	return false
}

// isImageField reports whether the pointer is a container's image.
func isImageField(toks []string) bool {
	n := len(toks)
	if n < 4 || toks[n-1] != "image" {
		return false
	}
	if _, err := strconv.Atoi(toks[n-2]); err != nil {
		return false
	}
	switch toks[n-3] {
	case "containers", "initContainers", "ephemeralContainers":
		return slices.ContainsFunc(podSpecs, func(p []string) bool { return slices.Equal(toks[:n-3], p) })
	}
	return false
}

// setsImage reports whether an images entry accounts for the rendered
// reference: its name is the entry's new name (or its name, when only the
// tag changes), with the entry's tag or digest.
func (e transformerEdit) setsImage(ref string) bool {
	t := e.t
	name, tag, digest := SplitImage(ref)
	want := t.Value
	if want == "" {
		want = t.Key
	}
	switch {
	case name != want && !(t.Value == "" && path.Base(name) == path.Base(t.Key)):
		return false
	case t.Digest != "":
		return digest == t.Digest
	case t.Tag != "":
		return tag == t.Tag
	}
	return t.Value != ""
}

// SplitImage splits an image reference into name, tag and digest.
func SplitImage(ref string) (name, tag, digest string) {
	name = ref
	if i := strings.Index(name, "@"); i >= 0 {
		name, digest = name[:i], name[i+1:]
	}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}

// replacement is a replacements entry's targets that select an object.
type replacement struct {
	targets []repo.ReplacementTarget
}

func replacementEdit(t *repo.Transformer, r *manifest.Resource) manifest.Edit {
	var rep replacement
	for _, rt := range t.Targets {
		if Selects(&rt.Select, r) {
			rep.targets = append(rep.targets, rt)
		}
	}
	if len(rep.targets) == 0 {
		return nil
	}
	return rep
}

// Writes implements manifest.Edit: a replacement writes the fields its
// targets' fieldPaths name (or below them, when it copies a subtree).
func (rep replacement) Writes(obj map[string]any, pointer string, _ any) (manifest.Origin, bool) {
	toks := manifest.SplitPointer(pointer)
	for _, rt := range rep.targets {
		for _, fp := range rt.FieldPaths {
			if matchFieldPath(splitFieldPath(fp), toks, obj) {
				return rt.Pos, true
			}
		}
	}
	return manifest.Origin{}, false
}

// splitFieldPath splits a kustomize field path ("spec.template.spec.
// containers.[name=app].image") at the dots outside brackets.
func splitFieldPath(fp string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range fp {
		switch c {
		case '[':
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				out = append(out, fp[start:i])
				start = i + 1
			}
		}
	}
	return append(out, fp[start:])
}

// matchFieldPath reports whether the pointer lies at or under the field
// path: [k=v] picks list items by a field, * any item or key.
func matchFieldPath(fp, toks []string, obj map[string]any) bool {
	if len(toks) < len(fp) {
		return false
	}
	var cur any = obj
	for i, f := range fp {
		tok := toks[i]
		switch {
		case f == "*" || f == tok:
		case strings.HasPrefix(f, "[") && strings.HasSuffix(f, "]"):
			k, v, ok := strings.Cut(f[1:len(f)-1], "=")
			items, isList := cur.([]any)
			idx, err := strconv.Atoi(tok)
			if !ok || !isList || err != nil || idx < 0 || idx >= len(items) {
				return false
			}
			item, _ := items[idx].(map[string]any)
			if s, _ := item[k].(string); s != v {
				return false
			}
		default:
			return false
		}
		cur = manifest.Child(cur, tok)
	}
	return true
}

// generatorInputs is a generator entry: a data key comes from a literal
// or a files entry by that key, or from the line of an env file.
type generatorInputs struct {
	b   *Builder
	dir string
	g   *repo.Generator
}

// GeneratorEdit is a generator entry as an edit: a merging generator
// writes the data keys it provides into an object made elsewhere.
func (b *Builder) GeneratorEdit(dir string, g *repo.Generator) manifest.Edit {
	return generatorInputs{b: b, dir: dir, g: g}
}

func (e generatorInputs) Writes(_ map[string]any, pointer string, _ any) (manifest.Origin, bool) {
	toks := manifest.SplitPointer(pointer)
	if len(toks) == 0 || (toks[0] != "data" && toks[0] != "binaryData") {
		return manifest.Origin{}, false
	}
	if len(toks) == 1 {
		return e.g.Pos, true
	}
	key := toks[1]
	k := e.b.repo.Kustomizations[e.dir]
	// Later inputs win in kustomize only by failing on duplicates, so the
	// first that provides the key is the one.
	for _, in := range e.g.Inputs {
		switch in.Field {
		case "literals", "files":
			if in.Key == key {
				return in.Pos, true
			}
		case "envs":
			ref, ok := k.RefAt(in.Pos)
			if !ok || ref.Kind != repo.RefFile {
				continue
			}
			for _, v := range e.b.env(ref.Path) {
				if v.Key == key {
					return manifest.Origin{File: ref.Path, Line: v.Line, Col: 1}, true
				}
			}
		}
	}
	return manifest.Origin{}, false
}

func (b *Builder) env(file string) []repo.EnvVar {
	return b.envs.Get(file, func() []repo.EnvVar {
		data, err := b.read(file)
		if err != nil {
			return nil
		}
		vars := repo.ParseEnv(data)
		for i := range vars {
			vars[i].Value = "" // positions only: values may be secrets
		}
		return vars
	})
}
