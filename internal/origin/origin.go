// Package origin works out which line of the repository wrote each field
// of a rendered object: the source document, a strategic-merge or JSON 6902
// patch (in its own file or inline in a kustomization), a transformer entry
// of a kustomization (images, replicas, namespace, name prefix and suffix,
// labels, annotations, replacements) or a generator's input.
//
// kustomize's own origin and transformer annotations cannot answer this:
// the origin annotation names a file, never a field, and the transformer
// annotation is added to every object by every transformer configured,
// whether it changed the object or not. So the edits that can have
// written a field are listed from the kustomization graph, and an edit is
// taken to have written a field when it holds the field's rendered value.
//
// It is the one place that answers "which file and line wrote this
// field" for a check: Trace (and Field) walk a resource's source
// document and edits, FieldFinding and KeyFinding build a finding located
// that way. The manifest package holds the data (Resource, Document,
// Edit); this package the answer.
package origin

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// Builder lists the edits that apply to rendered objects. It decodes each
// patch once, however many targets apply it, and is safe for concurrent use.
type Builder struct {
	repo *repo.Repo
	// read returns a repository file's content (inside the repository only).
	read    func(file string) ([]byte, error)
	patches memo.Table[string, decoded]
	repls   memo.Table[string, []repo.Transformer]
	envs    memo.Table[string, []repo.EnvVar]
	reach   memo.Table[string, map[string]bool]
}

// decoded is a patch after decoding: strategic-merge documents or JSON 6902
// operations.
type decoded struct {
	docs []*manifest.Document
	ops  []op
}

// New returns a Builder over a discovered repository; read must confine
// itself to the repository.
func New(rp *repo.Repo, read func(file string) ([]byte, error)) *Builder {
	return &Builder{repo: rp, read: read}
}

// Source says where a rendered object comes from: the file that holds its
// document, or the kustomization directory whose generator made it.
type Source struct {
	File      string
	Generator *repo.Generator
	GenDir    string
}

// Edits lists the edits that may have written fields of the rendered
// object r, given the kustomizations of its unit outermost first: those of
// every kustomization whose build includes the object's source, each
// kustomization's in the reverse of the order kustomize applies them, so
// that the first edit holding a field's value is the one that set it last.
func (b *Builder) Edits(r *manifest.Resource, chain []string, src Source) []manifest.Edit {
	var out []manifest.Edit
	if src.Generator != nil {
		out = append(out, b.GeneratorEdit(src.GenDir, src.Generator))
	}
	for _, dir := range chain {
		k := b.repo.Kustomizations[dir]
		if k == nil || !b.reaches(dir, chain, src) {
			continue
		}
		for i := len(k.Transformers) - 1; i >= 0; i-- {
			t := &k.Transformers[i]
			switch t.Field {
			case "replacements":
				if rep := replacementEdit(t, r); rep != nil {
					out = append(out, rep)
				}
			case "replicas":
				if strings.Contains(r.ID.Name, t.Key) {
					out = append(out, transformerEdit{t})
				}
			default:
				out = append(out, transformerEdit{t})
			}
		}
		for _, ref := range k.Refs {
			if ref.Field == "replacements" && ref.Kind == repo.RefFile {
				for _, t := range b.replacementsFile(ref.Path) {
					if rep := replacementEdit(&t, r); rep != nil {
						out = append(out, rep)
					}
				}
			}
		}
		for i := len(k.Patches) - 1; i >= 0; i-- {
			out = append(out, b.patchEdits(&k.Patches[i], r)...)
		}
	}
	return out
}

// Includes reports whether the kustomization in dir builds the source:
// its transformers and patches only reach what it includes.
func (b *Builder) Includes(dir string, src Source) bool {
	if src.Generator != nil && src.GenDir == dir {
		return true
	}
	reach := b.reach.Get(dir, func() map[string]bool {
		m := map[string]bool{}
		for _, d := range b.repo.Closure(dir) {
			m[d+"/"] = true
			for _, ref := range b.repo.Kustomizations[d].Refs {
				if ref.Kind == repo.RefFile && ref.Includes() {
					m[ref.Path] = true
				}
			}
		}
		return m
	})
	if src.Generator != nil {
		return reach[src.GenDir+"/"]
	}
	return reach[src.File]
}

// reaches reports whether the edits of the kustomization in dir apply to
// the source. A component's apply to what the kustomization that lists
// it builds, not to what the component itself lists.
func (b *Builder) reaches(dir string, chain []string, src Source) bool {
	if b.Includes(dir, src) {
		return true
	}
	if !b.repo.Kustomizations[dir].Component {
		return false
	}
	for _, parent := range chain {
		if parent == dir {
			continue
		}
		for _, ref := range b.repo.Kustomizations[parent].Refs {
			if ref.Field == "components" && ref.Path == dir && b.reaches(parent, chain, src) {
				return true
			}
		}
	}
	return false
}

// patchEdits returns the patch's edits when it applies to r.
func (b *Builder) patchEdits(p *repo.Patch, r *manifest.Resource) []manifest.Edit {
	if p.Target != nil && !Selects(p.Target, r) {
		return nil
	}
	d := b.decode(p)
	var out []manifest.Edit
	if len(d.ops) > 0 && (p.Target != nil || p.Field == "patchesJson6902") {
		out = append(out, jsonPatch{ops: d.ops})
	}
	for _, doc := range d.docs {
		if p.Target == nil && !namesObject(doc, r) {
			continue
		}
		out = append(out, manifest.PatchEdit{Doc: doc})
	}
	return out
}

// namesObject reports whether a strategic-merge patch without a target
// names the object: same kind, and a name the rendered one grew from.
func namesObject(doc *manifest.Document, r *manifest.Resource) bool {
	id := doc.ID()
	return id.Kind == r.ID.Kind && id.Name != "" && (id.Name == r.SourceID.Name || strings.Contains(r.ID.Name, id.Name))
}

// patchKey is what a patch's decoding is remembered by: its file, or
// where an inline patch is written; "" for neither. file is the file that
// holds its text.
func patchKey(p *repo.Patch) (key, file string) {
	switch {
	case p.Ref != nil && p.Ref.Kind == repo.RefFile:
		return p.Ref.Path, p.Ref.Path
	case p.Inline != "":
		return p.InlineAt.String(), p.InlineAt.File
	}
	return "", ""
}

// Forget lets go of what the Builder decoded for the kustomization in
// dir: its patches, replacements and env files and what it reaches. A
// run calls it once no target it has still to check includes dir; an
// Edits call for dir after it decodes them again.
func (b *Builder) Forget(dir string) {
	k := b.repo.Kustomizations[dir]
	if k == nil {
		return
	}
	b.reach.Forget(dir)
	for i := range k.Patches {
		if key, _ := patchKey(&k.Patches[i]); key != "" {
			b.patches.Forget(key)
		}
	}
	for _, ref := range k.Refs {
		if ref.Kind == repo.RefFile {
			b.repls.Forget(ref.Path)
			b.envs.Forget(ref.Path)
		}
	}
}

// decode reads a patch as kustomize would: a YAML list of operations is a
// JSON 6902 patch, anything else strategic-merge documents.
func (b *Builder) decode(p *repo.Patch) decoded {
	key, file := patchKey(p)
	if key == "" {
		return decoded{}
	}
	return b.patches.Get(key, func() decoded {
		data := []byte(p.Inline)
		if p.Inline == "" {
			var err error
			if data, err = b.read(file); err != nil {
				return decoded{}
			}
		}
		if manifest.CheckAliases(file, data) != nil {
			return decoded{} // refused by the render, which reports it
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err == nil && len(root.Content) == 1 && root.Content[0].Kind == yaml.SequenceNode {
			if p.Inline != "" {
				shift(&root, p.InlineAt)
			}
			return decoded{ops: parseOps(file, root.Content[0])}
		}
		docs, _ := manifest.DecodeFile(file, data)
		if p.Inline != "" {
			for _, d := range docs {
				if d.Node != nil {
					shift(d.Node, p.InlineAt)
					d.Line = d.Node.Line
				}
			}
		}
		return decoded{docs: slices.DeleteFunc(docs, func(d *manifest.Document) bool { return d.Object == nil })}
	})
}

// shift moves the positions of a document decoded from inline text to
// where that text is in its kustomization file.
func shift(n *yaml.Node, at manifest.Origin) {
	if n.Line > 0 {
		n.Line += at.Line - 1
		n.Column += at.Col - 1
	}
	for _, c := range n.Content {
		shift(c, at)
	}
}

func (b *Builder) replacementsFile(file string) []repo.Transformer {
	return b.repls.Get(file, func() []repo.Transformer {
		data, err := b.read(file)
		if err != nil {
			return nil
		}
		return repo.ParseReplacements(file, data)
	})
}

// Selects reports whether a kustomize target selector picks the object.
// Names are matched against the rendered name and the name in the source,
// since kustomize matches the name the object has at the stage where the
// selector runs, which is in between.
func Selects(s *repo.Selector, r *manifest.Resource) bool {
	id := r.ID
	group, version := id.Group(), id.APIVersion
	if i := strings.LastIndex(version, "/"); i >= 0 {
		version = version[i+1:]
	}
	switch {
	case s.Kind != "" && s.Kind != id.Kind,
		s.Group != "" && s.Group != group,
		s.Version != "" && s.Version != version,
		s.Name != "" && !anchored(s.Name, id.Name) && !anchored(s.Name, r.SourceID.Name),
		s.Namespace != "" && !anchored(s.Namespace, id.Namespace) && !anchored(s.Namespace, r.SourceID.Namespace):
		return false
	}
	md, _ := r.Object["metadata"].(map[string]any)
	labels, _ := md["labels"].(map[string]any)
	annotations, _ := md["annotations"].(map[string]any)
	return MatchLabels(s.LabelSelector, labels) && MatchLabels(s.AnnotationSelector, annotations)
}

// anchored matches s against a kustomize selector pattern. Most patterns
// are plain names, compared as they are rather than compiled once per
// object and patch.
func anchored(pattern, s string) bool {
	if regexp.QuoteMeta(pattern) == pattern {
		return pattern == s
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return pattern == s
	}
	return re.MatchString(s)
}

// MatchLabels evaluates a Kubernetes label selector ("app=web,tier!=db,
// env in (dev,qa),!legacy") against labels; an empty selector matches.
func MatchLabels(selector string, labels map[string]any) bool {
	for _, req := range splitRequirements(selector) {
		if !matchRequirement(req, labels) {
			return false
		}
	}
	return true
}

func splitRequirements(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	out = append(out, s[start:])
	return slices.DeleteFunc(out, func(r string) bool { return strings.TrimSpace(r) == "" })
}

var setRequirement = regexp.MustCompile(`^\s*([^\s!=]+)\s+(in|notin)\s*\(([^)]*)\)\s*$`)

func matchRequirement(req string, labels map[string]any) bool {
	value := func(k string) (string, bool) {
		v, ok := labels[k]
		return fmt.Sprint(v), ok
	}
	if m := setRequirement.FindStringSubmatch(req); m != nil {
		v, ok := value(m[1])
		in := false
		for _, want := range strings.Split(m[3], ",") {
			in = in || (ok && strings.TrimSpace(want) == v)
		}
		return in == (m[2] == "in")
	}
	req = strings.TrimSpace(req)
	for _, opr := range []string{"!=", "==", "="} {
		if k, want, ok := strings.Cut(req, opr); ok {
			v, has := value(strings.TrimSpace(k))
			eq := has && v == strings.TrimSpace(want)
			return eq == (opr != "!=")
		}
	}
	if k, ok := strings.CutPrefix(req, "!"); ok {
		_, has := value(strings.TrimSpace(k))
		return !has
	}
	_, has := value(req)
	return has
}

// op is one JSON 6902 operation with where it is written.
type op struct {
	op, path string
	value    *yaml.Node
	file     string
	at       manifest.Origin
	// pathAt is where the path is written: the line that names the field
	// the operation sets.
	pathAt manifest.Origin
}

func parseOps(file string, seq *yaml.Node) []op {
	var ops []op
	for _, n := range seq.Content {
		if n.Kind != yaml.MappingNode {
			continue
		}
		o := op{file: file, at: manifest.Origin{File: file, Line: n.Line, Col: n.Column}}
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch v := n.Content[i+1]; n.Content[i].Value {
			case "op":
				o.op = v.Value
			case "path":
				o.path = v.Value
				o.pathAt = manifest.Origin{File: file, Line: v.Line, Col: v.Column}
			case "value":
				o.value = v
			}
		}
		ops = append(ops, o)
	}
	return ops
}

// jsonPatch is a JSON 6902 patch: an operation that adds, replaces, copies
// or moves to a field (or to one of its ancestors) wrote it.
type jsonPatch struct{ ops []op }

func (j jsonPatch) Writes(obj map[string]any, pointer string, value any) (manifest.Origin, bool) {
	return j.writes(obj, pointer, value, false)
}

// WritesKey implements manifest.KeyEdit: a field an operation's path names
// is named on the path's line.
func (j jsonPatch) WritesKey(obj map[string]any, pointer string, value any) (manifest.Origin, bool) {
	return j.writes(obj, pointer, value, true)
}

func (j jsonPatch) writes(obj map[string]any, pointer string, value any, key bool) (manifest.Origin, bool) {
	want := manifest.SplitPointer(pointer)
	for i := len(j.ops) - 1; i >= 0; i-- { // the last operation wins
		o := j.ops[i]
		switch o.op {
		case "add", "replace", "copy", "move":
		default:
			continue
		}
		have := manifest.SplitPointer(o.path)
		if len(have) > len(want) || !prefixMatches(have, want, obj) {
			continue
		}
		rest := want[len(have):]
		if o.value == nil || o.op == "copy" || o.op == "move" {
			if len(rest) == 0 {
				return o.at, true
			}
			continue
		}
		if len(rest) == 0 {
			switch {
			case key && o.pathAt.Line > 0:
				if isComposite(value) || equalScalar(manifest.ValueOf(o.value), value) {
					return o.pathAt, true
				}
			case isComposite(value):
				return o.at, true // the operation itself sets the field
			case equalScalar(manifest.ValueOf(o.value), value):
				// A scalar is edited where it is written, which is
				// the operation's line only when written inline.
				return manifest.Origin{File: o.file, Line: o.value.Line, Col: o.value.Column}, true
			}
			continue
		}
		sub, _ := manifest.Lookup(obj, "/"+strings.Join(escape(want[:len(have)]), "/"))
		doc := &manifest.Document{File: o.file, Line: o.value.Line, Node: o.value}
		pos := doc.Resolve(sub, "/"+strings.Join(escape(rest), "/"))
		if pos.Exact && (isComposite(value) || equalScalar(manifest.ValueOf(pos.Node), value)) {
			return manifest.Origin{File: o.file, Line: pos.Line, Col: pos.Col}, true
		}
	}
	return manifest.Origin{}, false
}

// prefixMatches compares an operation's path with the start of a field's
// pointer; "-" (append) matches the last item of the rendered list.
func prefixMatches(have, want []string, obj map[string]any) bool {
	for i, h := range have {
		if h == want[i] {
			continue
		}
		if h != "-" {
			return false
		}
		list, _ := manifest.Lookup(obj, "/"+strings.Join(escape(want[:i]), "/"))
		items, ok := list.([]any)
		if !ok || strconv.Itoa(len(items)-1) != want[i] {
			return false
		}
	}
	return true
}

func escape(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
	}
	return out
}

func isComposite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// equalScalar compares scalars across the types YAML and JSON give them.
func equalScalar(a, b any) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// Nearest implements manifest.Adder: an operation that adds a subtree (a
// sidecar container) holds the nearest ancestor of a field missing in it.
func (j jsonPatch) Nearest(obj map[string]any, pointer string) (manifest.Origin, int) {
	want := manifest.SplitPointer(pointer)
	best, depth := manifest.Origin{}, 0
	for _, o := range j.ops {
		if (o.op != "add" && o.op != "replace") || o.value == nil {
			continue
		}
		have := manifest.SplitPointer(o.path)
		if len(have) > len(want) || !prefixMatches(have, want, obj) {
			continue
		}
		sub, _ := manifest.Lookup(obj, "/"+strings.Join(escape(want[:len(have)]), "/"))
		doc := &manifest.Document{File: o.file, Line: o.value.Line, Node: o.value}
		pos := doc.Resolve(sub, "/"+strings.Join(escape(want[len(have):]), "/"))
		at := o.at
		if pos.Depth > 0 {
			at = manifest.Origin{File: o.file, Line: pos.Line, Col: pos.Col}
		}
		if d := len(have) + pos.Depth; d > depth {
			best, depth = at, d
		}
	}
	return best, depth
}

// Operation finds the JSON 6902 operation of the kustomizations in dirs
// that has the op ("replace") and path kustomize names when one does not
// apply; ok is false unless exactly one does.
func (b *Builder) Operation(dirs []string, opName, path string) (manifest.Origin, bool) {
	var found []manifest.Origin
	for _, dir := range dirs {
		k := b.repo.Kustomizations[dir]
		if k == nil {
			continue
		}
		for i := range k.Patches {
			for _, o := range b.decode(&k.Patches[i]).ops {
				if o.op == opName && o.path == path {
					found = append(found, o.at)
				}
			}
		}
	}
	if len(found) != 1 {
		return manifest.Origin{}, false
	}
	return found[0], true
}
