// Package render builds kustomize targets in process, confined to the
// repository, and records where every rendered object came from.
package render

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/openapi"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// Options configure a Renderer.
type Options struct {
	// Root is the repository root, absolute with symlinks resolved.
	Root string
	// FS reads the repository for every render, confined to Root; the
	// run's readers share one, so it holds the hash of every byte read.
	// When nil, the Renderer makes its own.
	FS *rootfs.FS
	// LoadRestrictions are kustomize's; the default (rootOnly) is what
	// `kustomize build` and Argo CD use. The sandbox confines every read to
	// the repository either way.
	LoadRestrictions types.LoadRestrictions
	// Origins enables kustomize's origin annotations so that each object
	// can be traced to the file that defines it. They are stripped from
	// the output, which stays identical to `kustomize build`.
	Origins bool
	// YAML also produces the output as `kustomize build` prints it.
	// Checking needs only the objects, and serialising them is a tenth of
	// the render's cost.
	YAML bool
	// Screen, when set, decides how each string value of the YAML output
	// is printed, so that secret values never are (Objects are left as
	// rendered: checks need them).
	Screen Screen
	// Charts finds the chart of a helmCharts entry with a repo that the
	// repository does not hold (--chart-dir, --allow-remote); nil finds
	// none.
	Charts *helm.Charts
}

// Screen hides secret values in the YAML output. Only scalar values are
// replaced, never keys or structure, so the output stays valid YAML with
// the same objects and fields.
type Screen interface {
	// SecretValue is what the value of a Secret's data or stringData
	// (field) key is printed as.
	SecretValue(field, key, value string) string
	// Scalar is what any other string value, under key, is printed as.
	Scalar(key, value string) string
	// Learn is shown every rendered object first, so that a Secret's
	// values are hidden where other objects carry them too.
	Learn(obj map[string]any)
}

// Renderer renders targets. It is safe for concurrent use.
type Renderer struct {
	opts  Options
	k     *krusty.Kustomizer
	fsErr error // the root could not be opened
	// shared is what every render finds alike: resolved paths and the
	// files read, each once however many targets include them.
	shared *shared
}

var openapiOnce sync.Once

// Prepare parses kustomize's built-in OpenAPI document, which the first
// New does otherwise. kustomize keeps it in package state, so a caller
// with time to spare before rendering (waiting on git, discovering the
// repository) calls Prepare in the background; New then finds it done.
func Prepare() {
	// Once here rather than racing in the render workers.
	openapiOnce.Do(func() { openapi.Schema() })
}

// New returns a Renderer. Plugins, exec and container KRM functions and
// Helm are always disabled: nothing in a repository can make gitops-lint
// run a program.
func New(opts Options) *Renderer {
	if opts.LoadRestrictions == types.LoadRestrictionsUnknown {
		opts.LoadRestrictions = types.LoadRestrictionsRootOnly
	}
	ko := krusty.MakeDefaultOptions()
	ko.LoadRestrictions = opts.LoadRestrictions
	ko.PluginConfig = types.DisabledPluginConfig()
	ko.PluginConfig.HelmConfig.Enabled = false
	ko.Reorder = krusty.ReorderOptionUnspecified // as the kustomize CLI: legacy order
	Prepare()
	r := &Renderer{opts: opts, k: krusty.MakeKustomizer(ko), shared: &shared{}}
	if r.opts.FS == nil {
		r.opts.FS, r.fsErr = rootfs.New(opts.Root)
	}
	return r
}

// Object is one rendered object and where it came from.
type Object struct {
	Object map[string]any
	// Source is the repository-relative file that defines the object, or
	// for generated objects the kustomization file that configures the
	// generator. Empty when unknown (origins disabled).
	Source string
	// Generator is the kind of generator that made it (e.g.
	// "ConfigMapGenerator"), empty for objects read from files.
	Generator string
	// Template is the repository-relative chart template that wrote the
	// object, for the output of a kustomization's helmCharts; "" otherwise.
	Template string
	// Values are, by JSON pointer, where the values that wrote fields of
	// a Helm object are written (valuesInline or a values file).
	Values map[string]manifest.Origin
}

// Output is a rendered target.
type Output struct {
	Objects []Object
	// YAML is the output exactly as `kustomize build` prints it (only
	// with Options.YAML).
	YAML []byte
	// Reads are the repository-relative files the render read, sorted.
	Reads []string
	// Charts are what the charts of helmCharts entries fetched from Helm
	// or OCI repositories (--allow-remote) resolved to: the render holds
	// only while they resolve the same.
	Charts []helm.Resolution
}

// Error is a failed render, with paths made repository-relative.
type Error struct {
	Target string
	Msg    string
	// Syntax is set when the render failed because a file was refused
	// before kustomize decoded it (an alias bomb): it says where.
	Syntax *manifest.SyntaxError
	// Outside is set when the render failed because a chart, or a file
	// of one, is outside the repository.
	Outside bool
	// Charts are the helmCharts entries that failed, when the render
	// failed for them: one that is not a chart of a Helm repository left
	// unfetched (*helm.RemoteChart) is the only one.
	Charts []*ChartEntryError
}

func (e *Error) Error() string { return e.Msg }

// Render builds the kustomization in the repository-relative directory target.
func (r *Renderer) Render(target string) (out *Output, err error) {
	defer func() {
		// kustomize has panicked on hostile input before; a bad
		// kustomization must not take the whole run down.
		if p := recover(); p != nil {
			out, err = nil, &Error{Target: target, Msg: fmt.Sprintf("kustomize panicked: %v", p)}
		}
	}()
	if r.fsErr != nil {
		return nil, &Error{Target: target, Msg: r.fsErr.Error()}
	}
	dir := filepath.Join(r.opts.Root, filepath.FromSlash(target))
	override := map[string][]byte{}
	if r.opts.Origins {
		if file, data, ok := r.withOrigins(dir); ok {
			override[file] = data
		}
	}
	fs := newSandbox(r.opts.FS, r.shared, override)
	fs.charts = r.opts.Charts
	m, err := r.k.Run(fs, dir)
	if err != nil {
		e := &Error{Target: target, Msg: r.relativize(err.Error()), Syntax: fs.Refused()}
		if herr := fs.HelmError(); herr != nil {
			e.Msg, e.Outside = r.relativize(herr.Error()), errors.Is(herr, rootfs.ErrOutside)
			e.Charts = chartEntryErrors(herr)
		}
		return nil, e
	}
	templates, err := helmTemplates(fs, m)
	if err != nil {
		return nil, &Error{Target: target, Msg: err.Error()}
	}
	out = &Output{Objects: r.objects(target, m)}
	for i, id := range templates {
		if id != "" {
			out.Objects[i].Template, out.Objects[i].Values = fs.Template(id)
		}
	}
	if r.opts.Origins {
		if err := m.RemoveOriginAnnotations(); err != nil {
			return nil, &Error{Target: target, Msg: err.Error()}
		}
	}
	for i, res := range m.Resources() {
		obj, err := res.Map()
		if err != nil {
			return nil, &Error{Target: target, Msg: err.Error()}
		}
		out.Objects[i].Object = manifest.Normalize(obj).(map[string]any)
	}
	if r.opts.YAML {
		if r.opts.Screen != nil {
			for _, o := range out.Objects {
				r.opts.Screen.Learn(o.Object)
			}
			for _, res := range m.Resources() {
				screen(r.opts.Screen, res.YNode(), res.GetKind() == "Secret" && res.GetApiVersion() == "v1")
			}
		}
		if out.YAML, err = m.AsYaml(); err != nil {
			return nil, &Error{Target: target, Msg: err.Error()}
		}
	}
	for _, p := range fs.Reads() {
		if rel, err := filepath.Rel(r.opts.Root, p); err == nil {
			out.Reads = append(out.Reads, filepath.ToSlash(rel))
		}
	}
	slices.Sort(out.Reads)
	out.Charts = fs.remote // kustomize is done: no read adds to it
	return out, nil
}

// objects reads the origin of every resource; the objects themselves are
// filled in after the annotations are stripped.
func (r *Renderer) objects(target string, m resmap.ResMap) []Object {
	res := m.Resources()
	objs := make([]Object, len(res))
	if !r.opts.Origins {
		return objs
	}
	for i, rs := range res {
		o, err := rs.GetOrigin()
		if err != nil || o == nil || o.Repo != "" {
			continue
		}
		switch {
		case o.ConfiguredIn != "":
			objs[i].Source = path.Join(target, filepath.ToSlash(o.ConfiguredIn))
			objs[i].Generator = o.ConfiguredBy.Kind
		case o.Path != "":
			objs[i].Source = path.Join(target, filepath.ToSlash(o.Path))
		}
	}
	return objs
}

// withOrigins returns the target's kustomization with originAnnotations
// added to buildMetadata, leaving the user's file untouched.
func (r *Renderer) withOrigins(dir string) (string, []byte, bool) {
	fs := newSandbox(r.opts.FS, r.shared, nil)
	for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		file := filepath.Join(dir, name)
		data, err := fs.ReadFile(file)
		if err != nil {
			continue
		}
		var doc yaml.Node
		if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			return "", nil, false
		}
		root := doc.Content[0]
		var bm *yaml.Node
		for i := 0; i+1 < len(root.Content); i += 2 {
			if root.Content[i].Value == "buildMetadata" {
				bm = root.Content[i+1]
			}
		}
		if bm == nil {
			bm = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "buildMetadata"}, bm)
		}
		if bm.Kind != yaml.SequenceNode {
			return "", nil, false
		}
		for _, c := range bm.Content {
			if c.Value == types.OriginAnnotations {
				return "", nil, false
			}
		}
		bm.Content = append(bm.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: types.OriginAnnotations})
		var buf bytes.Buffer
		enc := yaml.NewEncoder(&buf)
		if enc.Encode(&doc) != nil || enc.Close() != nil {
			return "", nil, false
		}
		return file, buf.Bytes(), true
	}
	return "", nil, false
}

// relativize rewrites absolute paths under the root in kustomize's messages.
func (r *Renderer) relativize(msg string) string {
	msg = strings.ReplaceAll(msg, r.opts.Root+string(filepath.Separator), "")
	return strings.ReplaceAll(msg, r.opts.Root, ".")
}

// screen replaces the string values of an object's YAML tree as sc says;
// secret is set for a v1 Secret, whose top-level data and stringData
// values are Secret values.
func screen(sc Screen, obj *yaml.Node, secret bool) {
	if obj == nil || obj.Kind != yaml.MappingNode {
		return
	}
	for i := 0; i+1 < len(obj.Content); i += 2 {
		k, v := obj.Content[i], obj.Content[i+1]
		if secret && (k.Value == "data" || k.Value == "stringData") && v.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(v.Content); j += 2 {
				if val := v.Content[j+1]; val.Kind == yaml.ScalarNode {
					setScalar(val, sc.SecretValue(k.Value, v.Content[j].Value, val.Value))
				} else {
					screenNode(sc, v.Content[j].Value, val)
				}
			}
			continue
		}
		screenNode(sc, k.Value, v)
	}
}

// screenNode screens every string scalar under n, known by the nearest
// mapping key.
func screenNode(sc Screen, key string, n *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			screenNode(sc, n.Content[i].Value, n.Content[i+1])
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			screenNode(sc, key, c)
		}
	case yaml.ScalarNode:
		if n.Tag == "" || n.Tag == "!!str" || n.Tag == "!!binary" {
			setScalar(n, sc.Scalar(key, n.Value))
		}
	}
}

// setScalar gives a scalar a new value, quoted so that it reads back as
// the same string (the marker "[redacted]" would otherwise be a list).
func setScalar(n *yaml.Node, v string) {
	if v == n.Value {
		return
	}
	n.Value, n.Tag = v, "!!str"
	if n.Style != yaml.LiteralStyle && n.Style != yaml.FoldedStyle || !strings.Contains(v, "\n") {
		n.Style = yaml.DoubleQuotedStyle
	}
}
