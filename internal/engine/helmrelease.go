package engine

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"go.yaml.in/yaml/v3"
)

// helmReads are, by target path, the chart files the Flux HelmReleases of
// the target read: the cache and `list --files` count them as inputs;
// and what the charts its releases fetched (--allow-remote) resolved to,
// which the cache checks again before it trusts an entry.
type helmReads struct {
	mu     sync.Mutex
	m      map[string][]string
	remote map[string][]helm.Resolution
}

// fetched records that a release of target rendered ch, when ch was
// fetched from a Helm or OCI repository.
func (h *helmReads) fetched(target string, ch *helm.Chart) {
	if ch != nil && ch.Remote != nil {
		h.record(target, *ch.Remote)
	}
}

// record records what a chart of target's releases resolved to ("" when
// it was asked for in vain).
func (h *helmReads) record(target string, r helm.Resolution) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.remote == nil {
		h.remote = map[string][]helm.Resolution{}
	}
	if !slices.Contains(h.remote[target], r) {
		h.remote[target] = append(h.remote[target], r)
	}
}

// triedChart records, when the run fetches charts, that a release of
// target asked the repository at repoURL for the chart name in vain: no
// version in the range yet, or the repository did not answer. A later run
// may find it, so the cached result holds only while it still does not.
func (c *checker) triedChart(t repo.Target, repoURL, name, constraint string) {
	if c.charts.Remote != nil && name != "" {
		c.helmReads.record(t.Path, helm.Resolution{RepoURL: repoURL, Name: name, Constraint: constraint})
	}
}

// charts are what the charts target's releases fetched resolved to.
func (h *helmReads) charts(target string) []helm.Resolution {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.remote[target]
}

func (h *helmReads) set(target string, files []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string][]string{}
	}
	h.m[target] = files
}

func (h *helmReads) get(target string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.m[target]
}

// helmReleases renders the Helm releases among a target's resources whose
// chart is in this repository — Flux HelmReleases and the Helm sources of
// Argo CD Applications — each installing objects located at the chart
// template that wrote them, a field set in values at that value. A
// release whose chart comes from elsewhere has a helm-chart-remote
// finding; one that fails to render a render-error at the release. The
// files they read are kept for the target (helmReads).
func (c *checker) helmReleases(t repo.Target, res []manifest.Resource) []release {
	rels := c.renderReleases(t, res)
	var reads []string
	for _, rel := range rels {
		reads = append(reads, rel.reads...)
	}
	slices.Sort(reads)
	c.helmReads.set(t.Path, slices.Compact(reads))
	return rels
}

// release is one Helm release of a target, rendered.
type release struct {
	// res is the HelmRelease or Application.
	res      *manifest.Resource
	objs     []manifest.Resource
	findings []rules.Finding
	// reads are the chart and values files it read.
	reads []string
}

// renderReleases renders each Helm release among a target's resources,
// in their order. An Application without a Helm source is none.
func (c *checker) renderReleases(t repo.Target, res []manifest.Resource) []release {
	var out []release
	for i := range res {
		r := &res[i]
		rel := release{res: r}
		switch {
		case r.ID.Kind == "HelmRelease" && path.Dir(apiGroup(r.Object)) == "helm.toolkit.fluxcd.io":
			rel.objs, rel.findings, rel.reads = c.fluxRelease(t, r, res)
		case r.ID.Kind == "Application" && path.Dir(apiGroup(r.Object)) == "argoproj.io":
			rel.objs, rel.findings, rel.reads = c.argoApplication(t, r)
		default:
			continue
		}
		if len(rel.objs)+len(rel.findings)+len(rel.reads) > 0 {
			out = append(out, rel)
		}
	}
	return out
}

// releaseFinding is the finding of a HelmRelease r of target t that
// did not render: its chart is elsewhere, leaves the repository, or
// failed to render (err).
func releaseFinding(t repo.Target, r *manifest.Resource, err error) rules.Finding {
	var remote *helm.RemoteChart
	switch {
	case errors.As(err, &remote):
		return rules.Finding{
			RuleID: rules.HelmChartRemote, Severity: rules.Info, Resource: r.SourceID, Location: r.Origin, Targets: []string{t.Path},
			Message: fmt.Sprintf("HelmRelease %s: %s; the objects it installs are not checked", r.ID.Name, remote.Error()),
		}
	case errors.Is(err, rootfs.ErrOutside):
		return rules.Finding{
			RuleID: rules.PathEscape, Severity: rules.Error, Resource: r.SourceID, Location: origin.Field(r, "/spec/chart/spec/chart"), Targets: []string{t.Path},
			Message: fmt.Sprintf("HelmRelease %s: the chart path leaves the repository; it is not read", r.ID.Name),
		}
	}
	return rules.Finding{
		RuleID: rules.RenderError, Severity: rules.Error, Resource: r.SourceID, Location: r.Origin, Targets: []string{t.Path},
		Message: fmt.Sprintf("HelmRelease %s: %v", r.ID.Name, err),
	}
}

// remoteChartEntries are the helm-chart-remote findings of a unit that
// did not render (err) only because helmCharts entries name charts of
// Helm repositories that were not found, one at each entry; nil when
// anything else failed.
func remoteChartEntries(t repo.Target, err error) []rules.Finding {
	re, ok := errors.AsType[*render.Error](err)
	if !ok || len(re.Charts) == 0 {
		return nil
	}
	var out []rules.Finding
	for _, ce := range re.Charts {
		if _, ok := errors.AsType[*helm.RemoteChart](ce.Err); !ok {
			return nil
		}
		out = append(out, rules.Finding{
			RuleID: rules.HelmChartRemote, Severity: rules.Info, Location: ce.At, Targets: []string{t.Path},
			Message: ce.Error() + "; the kustomization is not rendered without it",
		})
	}
	return out
}

// fluxRelease renders one Flux HelmRelease of a target.
func (c *checker) fluxRelease(t repo.Target, r *manifest.Resource, res []manifest.Resource) ([]manifest.Resource, []rules.Finding, []string) {
	local := func(kind, _, _ string) bool { return kind == "GitRepository" }
	find := func(kind, ns, name string) *manifest.Resource {
		for i := range res {
			if o := &res[i]; o.ID.Kind == kind && o.ID.Name == name && (o.ID.Namespace == ns || o.ID.Namespace == "") {
				return o
			}
		}
		return nil
	}
	lookup := func(kind, ns, name string) map[string]any {
		if o := find(kind, ns, name); o != nil {
			return o.Object
		}
		return nil
	}
	rendered, err := helm.RenderHelmRelease(context.Background(), c.repo.FS, r.Object, local, lookup, c.charts)
	if err != nil {
		if remote, ok := errors.AsType[*helm.RemoteChart](err); ok {
			c.triedChart(t, remote.RepoURL, remote.Name, remote.Version)
		}
		return nil, []rules.Finding{releaseFinding(t, r, err)}, nil
	}
	c.helmReads.fetched(t.Path, rendered.Chart)
	chart, _ := helm.ChartValues(c.repo.FS, rendered.Chart)
	objs := c.releaseObjects(t, r, rendered, func(f helm.Fields) manifest.Edit {
		return releaseValues{fields: f, release: r, user: rendered.Release.Values, chart: chart, from: valuesSources(r, find)}
	})
	return objs, nil, rendered.Reads
}

// releaseObjects makes resources of a rendered release's objects: each
// located at its template (at the release when a post-renderer made it),
// with values(fields) locating the fields its values wrote.
func (c *checker) releaseObjects(t repo.Target, r *manifest.Resource, rendered *helm.FluxOutput, values func(helm.Fields) manifest.Edit) []manifest.Resource {
	var out []manifest.Resource
	for _, o := range rendered.Objects {
		if !manifest.IsKubernetesObject(o.Object) {
			continue
		}
		obj := manifest.Normalize(o.Object).(map[string]any)
		id := manifest.IDOf(obj)
		origin := r.Origin // a post-renderer made it
		if o.Template != "" {
			origin = manifest.Origin{File: o.Template, Line: 1}
		}
		res := manifest.Resource{ID: id, SourceID: id, Object: obj, Origin: origin, Target: t.Path}
		if f := rendered.Fields[o.Key]; len(f) > 0 {
			res.Edits = append(res.Edits, values(f))
		}
		if o.Template != "" {
			res.Edits = append(res.Edits, c.templateLines(o.Template))
		}
		out = append(out, res)
	}
	return out
}

// apiGroup is the apiVersion of an object ("group/version").
func apiGroup(obj map[string]any) string {
	v, _ := obj["apiVersion"].(string)
	return v
}

// releaseValues locates the fields a HelmRelease's values wrote: at the
// value in spec.values, in the ConfigMap or Secret of valuesFrom that
// sets it (valuesSource.locate), and at the chart's values.yaml for a
// default no user value overrides.
type releaseValues struct {
	fields  helm.Fields
	release *manifest.Resource
	// user are the values the release gives (valuesFrom and values).
	user  map[string]any
	chart helm.ValuesSource
	// from are the ConfigMaps and Secrets valuesFrom names, in its order.
	from []valuesSource
}

// valuesSource is one valuesFrom entry and the object it names.
type valuesSource struct {
	res             *manifest.Resource
	key, targetPath string
}

// valuesSources are the valuesFrom entries of a HelmRelease whose
// ConfigMap or Secret the target renders; find looks one up.
func valuesSources(r *manifest.Resource, find func(kind, ns, name string) *manifest.Resource) []valuesSource {
	var out []valuesSource
	spec, _ := manifest.Child(r.Object, "spec").(map[string]any)
	for _, ref := range helm.ValuesFrom(spec) {
		if o := find(ref.Kind, r.ID.Namespace, ref.Name); o != nil && (ref.Kind == "ConfigMap" || ref.Kind == "Secret") {
			out = append(out, valuesSource{res: o, key: ref.Key, targetPath: ref.TargetPath})
		}
	}
	return out
}

// locate finds where the source writes the value at leaf: the line in
// the YAML a ConfigMap holds as a literal block, else the key that holds
// it. holds is false when the source does not set the value.
func (s valuesSource) locate(leaf []string, ptr string) (at manifest.Origin, holds bool) {
	str, field, ok := helm.ObjectValue(s.res.Object, s.key)
	if s.targetPath != "" {
		return origin.Field(s.res, field), strings.Join(leaf, ".") == s.targetPath
	}
	if !ok {
		return manifest.Origin{}, false // Flux cannot read it either
	}
	encoded := s.res.ID.Kind == "Secret" && strings.HasPrefix(field, "/data/")
	var root yaml.Node
	if yaml.Unmarshal([]byte(str), &root) != nil || len(root.Content) != 1 {
		return manifest.Origin{}, false
	}
	in := (&manifest.Document{Node: root.Content[0], Line: 1}).Resolve(nil, ptr)
	if !in.Exact {
		return manifest.Origin{}, false
	}
	// Written in this file as a literal block, the values' lines are the
	// file's lines after the block's "|".
	if d := s.res.Doc; !encoded && d != nil && d.File == s.res.Origin.File {
		if blk := d.Resolve(nil, field); blk.Exact && blk.Node.Style == yaml.LiteralStyle {
			return manifest.Origin{File: d.File, Line: blk.Node.Line + in.Line}, true
		}
	}
	// Base64 data, a generated object, values not written as a block:
	// the key that holds them.
	return origin.Field(s.res, field), true
}

// Writes implements manifest.Edit.
func (v releaseValues) Writes(_ map[string]any, pointer string, _ any) (manifest.Origin, bool) {
	leaf, ok := v.fields[pointer]
	if !ok {
		return manifest.Origin{}, false
	}
	ptr := ""
	for _, k := range leaf {
		ptr += "/" + manifest.EscapeToken(k)
	}
	if _, set := manifest.Lookup(v.user, ptr); !set && v.chart.Root != nil {
		return v.chart.Locate(leaf)
	}
	if _, inline := manifest.Lookup(v.release.Object, "/spec/values"+ptr); inline && v.release.Doc != nil {
		if line, col, exact := v.release.Doc.Locate("/spec/values" + ptr); exact {
			return manifest.Origin{File: v.release.Doc.File, Line: line, Col: col}, true
		}
	}
	for i := len(v.from) - 1; i >= 0; i-- { // the last source that sets it wins
		if at, holds := v.from[i].locate(leaf, ptr); holds {
			return at, true
		}
	}
	return origin.Field(v.release, "/spec/valuesFrom"), true
}

// templateLines locates a field a chart template writes by itself: at the
// one line of the template that writes its key, else the template's
// first line.
func (c *checker) templateLines(file string) manifest.Edit {
	data, _ := c.repo.FS.ReadFile(file)
	return templateEdit{file: file, lines: strings.Split(string(data), "\n")}
}

type templateEdit struct {
	file  string
	lines []string
}

// Writes implements manifest.Edit.
func (e templateEdit) Writes(_ map[string]any, pointer string, _ any) (manifest.Origin, bool) {
	toks := manifest.SplitPointer(pointer)
	if len(toks) == 0 {
		return manifest.Origin{}, false
	}
	last := toks[len(toks)-1]
	item := false
	if _, err := strconv.Atoi(last); err == nil && len(toks) > 1 {
		// A list item: its list's key, then the item's first line.
		last, item = toks[len(toks)-2], true
	}
	line := e.uniqueKey(last + ":")
	if line > 0 && item {
		for i := line; i < len(e.lines); i++ {
			if strings.HasPrefix(strings.TrimLeft(e.lines[i], " "), "-") {
				line = i + 1
				break
			}
		}
	}
	return manifest.Origin{File: e.file, Line: max(line, 1)}, true
}

// uniqueKey is the 1-based line of the one line that starts with key (in
// a mapping or a list item), 0 when none or several do.
func (e templateEdit) uniqueKey(key string) int {
	found := 0
	for i, l := range e.lines {
		t := strings.TrimLeft(strings.TrimLeft(l, " "), "- ")
		if strings.HasPrefix(t, key) {
			if found != 0 {
				return 0
			}
			found = i + 1
		}
	}
	return found
}

// helmOrigin locates an object a kustomization's helmCharts rendered: at
// its chart template, a field set in values at the value.
func (c *checker) helmOrigin(r *manifest.Resource, o render.Object) {
	r.Origin = manifest.Origin{File: o.Template, Line: 1}
	if len(o.Values) > 0 {
		r.Edits = append(r.Edits, valueOrigins(o.Values))
	}
	r.Edits = append(r.Edits, c.templateLines(o.Template))
}

// valueOrigins locates fields by JSON pointer.
type valueOrigins map[string]manifest.Origin

// Writes implements manifest.Edit.
func (v valueOrigins) Writes(_ map[string]any, pointer string, _ any) (manifest.Origin, bool) {
	o, ok := v[pointer]
	return o, ok
}
