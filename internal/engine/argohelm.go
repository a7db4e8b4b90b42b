package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// argoRepo answers which paths of this repository Argo CD sources name;
// made once per run, on the first Application met (it reads the git
// configuration for the repository's URLs).
type argoRepo struct {
	once sync.Once
	srcs *gitops.Sources
}

func (c *checker) argoSources() *gitops.Sources {
	c.argo.once.Do(func() { c.argo.srcs = gitops.NewSources(c.repo, c.gitopsOpts.RepoURLs) })
	return c.argo.srcs
}

// argoSource is one entry of an Application's source or sources[].
type argoSource struct {
	ptr string // its JSON pointer in the Application
	src map[string]any
}

// argoApplication renders the Helm sources of an Argo CD Application
// whose path in this repository holds a chart. A source with a chart of
// a Helm repository is a helm-chart-remote finding; other sources (a
// kustomize or plain directory, another repository) are Argo CD's to
// render and argocd-path-missing's to check.
func (c *checker) argoApplication(t repo.Target, r *manifest.Resource) ([]manifest.Resource, []rules.Finding, []string) {
	var sources []argoSource
	if src, ok := manifest.Child(manifest.Child(r.Object, "spec"), "source").(map[string]any); ok {
		sources = append(sources, argoSource{ptr: "/spec/source", src: src})
	}
	list := asList(manifest.Child(manifest.Child(r.Object, "spec"), "sources"))
	refs := map[string]string{} // ref name → repoURL, for "$ref/..." values files
	for i, s := range list {
		if src, ok := s.(map[string]any); ok {
			sources = append(sources, argoSource{ptr: "/spec/sources/" + strconv.Itoa(i), src: src})
			if ref, _ := src["ref"].(string); ref != "" {
				refs[ref], _ = src["repoURL"].(string)
			}
		}
	}
	var out []manifest.Resource
	var findings []rules.Finding
	var reads []string
	for _, s := range sources {
		objs, f, rd := c.argoHelmSource(t, r, s, refs)
		out, reads = append(out, objs...), append(reads, rd...)
		if f != nil {
			findings = append(findings, *f)
		}
	}
	return out, findings, reads
}

// argoHelmSource renders one source of an Application when it is a chart
// of this repository.
func (c *checker) argoHelmSource(t repo.Target, r *manifest.Resource, s argoSource, refs map[string]string) ([]manifest.Resource, *rules.Finding, []string) {
	url, _ := s.src["repoURL"].(string)
	var loaded *helm.Chart
	var dir string
	if chart, _ := s.src["chart"].(string); chart != "" {
		v, _ := s.src["targetRevision"].(string)
		ch, err := c.charts.Find(url, chart, v)
		if err != nil {
			c.triedChart(t, url, chart, v)
			why := err.Error()
			return nil, &rules.Finding{
				RuleID: rules.HelmChartRemote, Severity: rules.Info, Resource: r.SourceID, Location: origin.Field(r, s.ptr+"/chart"), Targets: []string{t.Path},
				Message: helm.HideUserinfo(fmt.Sprintf("Application %s: chart %s %s comes from %s, which is not this repository; %s; the objects it installs are not checked", r.ID.Name, chart, v, url, why), url),
			}, nil
		}
		loaded = ch
	} else {
		p, ok := s.src["path"].(string)
		if !ok {
			return nil, nil, nil
		}
		if dir, ok = c.argoSources().Path(url, p); !ok {
			return nil, nil, nil
		}
		if _, err := c.repo.FS.Stat(path.Join(dir, "Chart.yaml")); err != nil {
			return nil, nil, nil // not a chart: Argo CD renders it as a directory
		}
	}
	h, _ := s.src["helm"].(map[string]any)
	var valueFiles []string
	src := helm.ArgoSource{Chart: dir, Helm: h, AppName: r.ID.Name, Loaded: loaded, ValueFile: func(entry string) (string, error) {
		if loaded != nil && !strings.HasPrefix(entry, "$") {
			// A file of the packaged chart: not the repository's.
			return "", fmt.Errorf("a values file of a chart from --chart-dir is not read")
		}
		f, err := c.argoValueFile(dir, refs, entry)
		if err == nil {
			valueFiles = append(valueFiles, f)
		}
		return f, err
	}}
	src.Namespace, _ = manifest.Child(manifest.Child(manifest.Child(r.Object, "spec"), "destination"), "namespace").(string)
	rendered, err := helm.RenderArgoSource(context.Background(), c.repo.FS, src)
	switch {
	case errors.Is(err, rootfs.ErrOutside):
		return nil, &rules.Finding{
			RuleID: rules.PathEscape, Severity: rules.Error, Resource: r.SourceID, Location: origin.Field(r, s.ptr+"/helm"), Targets: []string{t.Path},
			Message: fmt.Sprintf("Application %s: %v; it is not read", r.ID.Name, err),
		}, nil
	case err != nil:
		return nil, &rules.Finding{
			RuleID: rules.RenderError, Severity: rules.Error, Resource: r.SourceID, Location: origin.Field(r, s.ptr), Targets: []string{t.Path},
			Message: fmt.Sprintf("Application %s: %v", r.ID.Name, err),
		}, nil
	}
	c.helmReads.fetched(t.Path, rendered.Chart)
	loc := c.argoValueSources(r, s, valueFiles)
	if cv, ok := helm.ChartValues(c.repo.FS, rendered.Chart); ok {
		loc.sources = append(loc.sources, cv) // defaults: the lowest priority
	}
	objs := c.releaseObjects(t, r, rendered, func(f helm.Fields) manifest.Edit {
		return valueOrigins(loc.locate(f))
	})
	return objs, nil, rendered.Reads
}

// argoValueFile resolves an entry of helm.valueFiles: "$ref/p" is p in
// the repository of the source with that ref, anything else is relative
// to the chart.
func (c *checker) argoValueFile(chartDir string, refs map[string]string, entry string) (string, error) {
	ref, rest, ok := strings.Cut(entry, "/")
	if !ok || !strings.HasPrefix(ref, "$") {
		return helm.ArgoValueFile(chartDir, entry)
	}
	url, found := refs[ref[1:]]
	if !found {
		return "", fmt.Errorf("no source has ref %q", ref[1:])
	}
	p, ok := c.argoSources().Path(url, rest)
	if !ok {
		return "", fs.ErrNotExist // or in another repository: not read
	}
	return p, nil
}

// argoValues locates the values of one Application source, highest
// priority first: helm.parameters, then helm.valuesObject or the
// helm.values text, then the values files from last to first.
type argoValues struct {
	params  []string // dotted names, by index
	at      func(i int) manifest.Origin
	sources []helm.ValuesSource
}

func (c *checker) argoValueSources(r *manifest.Resource, s argoSource, valueFiles []string) argoValues {
	h := s.ptr + "/helm"
	v := argoValues{at: func(i int) manifest.Origin {
		return origin.Field(r, h+"/parameters/"+strconv.Itoa(i)+"/value")
	}}
	params, _ := manifest.Lookup(r.Object, h+"/parameters")
	for _, p := range asList(params) {
		name, _ := manifest.Child(p, "name").(string)
		v.params = append(v.params, name)
	}
	if r.Doc != nil {
		if p := r.Doc.Resolve(nil, h+"/valuesObject"); p.Exact {
			v.sources = append(v.sources, helm.ValuesSource{File: r.Doc.File, Root: p.Node})
		} else if p := r.Doc.Resolve(nil, h+"/values"); p.Exact && p.Node.Kind == yaml.ScalarNode {
			v.sources = append(v.sources, valuesText(r.Doc.File, p.Node)...)
		}
	}
	for _, f := range slices.Backward(valueFiles) {
		data, err := c.repo.FS.ReadFile(f)
		if err != nil {
			continue
		}
		var n yaml.Node
		if yaml.Unmarshal(data, &n) == nil && len(n.Content) > 0 {
			v.sources = append(v.sources, helm.ValuesSource{File: f, Root: n.Content[0]})
		}
	}
	return v
}

// valuesText parses the helm.values text of an Application, a YAML
// string: lines inside a block scalar ("values: |") follow its indicator.
func valuesText(file string, n *yaml.Node) []helm.ValuesSource {
	var inner yaml.Node
	if yaml.Unmarshal([]byte(n.Value), &inner) != nil || len(inner.Content) == 0 {
		return nil
	}
	offset := n.Line - 1
	if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		offset = n.Line
	}
	return []helm.ValuesSource{{File: file, Root: inner.Content[0], LineOffset: offset, NoColumn: true}}
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// locate positions the attributed fields of one rendered object.
func (v argoValues) locate(fields helm.Fields) map[string]manifest.Origin {
	out := helm.LocateValues(fields, v.sources)
	for ptr, leaf := range fields {
		if i := slices.Index(v.params, dotted(leaf)); i >= 0 {
			out[ptr] = v.at(i) // --set wins over every values file
		}
	}
	return out
}

// dotted is a values path as Helm's --set names it: "a.b[0].c".
func dotted(leaf []string) string {
	var b strings.Builder
	for i, k := range leaf {
		if _, err := strconv.Atoi(k); err == nil && i > 0 {
			b.WriteString("[" + k + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strings.ReplaceAll(k, ".", `\.`))
	}
	return b.String()
}
