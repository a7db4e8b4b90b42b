package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/kio"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	"sigs.k8s.io/kustomize/kyaml/yaml/merge2"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// kustomize's HelmChartInflationGenerator runs the helm binary. It stays
// disabled; instead, a kustomization with helmCharts is rewritten, in the
// render's sandbox only, into one whose resources list the chart's
// rendered output, held in memory under helmDir. The rest of the
// kustomization (patches, transformers, namespace) then applies to it as
// it would with `kustomize build --enable-helm`.

// helmDir is the directory, under a kustomization's own, that holds the
// rendered charts of its helmCharts entries. It never exists on disk.
const helmDir = ".gitops-lint-helm"

// inflated is what a kustomization's helmCharts became.
type inflated struct {
	// kustomization is the rewritten kustomization file.
	kustomization []byte
	// files are the rendered charts by absolute path.
	files map[string][]byte
	// templates maps each rendered file, repository-relative, to the
	// chart template it holds the output of, repository-relative.
	templates map[string]string
	// reads are the repository-relative chart and values files read.
	reads []string
	// remote are what the charts fetched from Helm or OCI repositories
	// resolved to.
	remote []helm.Resolution
	// objects maps "kind/name" of each rendered object to its ID (see
	// markHelmGenerated), for an object whose annotations a patch replaced.
	objects map[string]string
	// values maps an object's ID to where the values that wrote its
	// fields are, by JSON pointer.
	values map[string]map[string]manifest.Origin
}

// helmKustomization is the part of a kustomization Helm rendering reads.
type helmKustomization struct {
	HelmGlobals *types.HelmGlobals `json:"helmGlobals,omitempty"`
	HelmCharts  []types.HelmChart  `json:"helmCharts,omitempty"`
}

// hasHelmCharts is the cheap test before parsing.
func hasHelmCharts(data []byte) bool { return bytes.Contains(data, []byte("helmCharts")) }

// inflateHelmCharts renders the helmCharts of the kustomization file (an
// absolute path) whose content is data. ok is false when it has none.
// An entry whose chart is not in the repository is found with charts.
func inflateHelmCharts(fsys *rootfs.FS, charts *helm.Charts, file string, data []byte) (in *inflated, ok bool, err error) {
	if !hasHelmCharts(data) {
		return nil, false, nil
	}
	var k helmKustomization
	if err := sigsyaml.Unmarshal(data, &k); err != nil || len(k.HelmCharts) == 0 {
		return nil, false, nil // kustomize reports a malformed file itself
	}
	dir := filepath.Dir(file)
	relDir := fsys.Rel(dir)
	chartHome := types.HelmDefaultHome
	if k.HelmGlobals != nil && k.HelmGlobals.ChartHome != "" {
		chartHome = k.HelmGlobals.ChartHome
	}
	if filepath.IsAbs(chartHome) {
		return nil, true, fmt.Errorf("helmGlobals.chartHome %q: an absolute path is outside the repository; it is not read", chartHome)
	}
	in = &inflated{files: map[string][]byte{}, templates: map[string]string{}, objects: map[string]string{}, values: map[string]map[string]manifest.Origin{}}
	var doc yaml.Node
	_ = yaml.Unmarshal(data, &doc) // decoded above: positions of valuesInline
	var resources []string
	var remote []error
	for i, hc := range k.HelmCharts {
		names, err := inflateOne(fsys, charts, in, relDir, chartHome, i, hc, inlineNode(&doc, i))
		if err != nil {
			err = &ChartEntryError{At: entryOrigin(&doc, fsys.Rel(file), i), Name: hc.Name, Err: err}
			if _, ok := errors.AsType[*helm.RemoteChart](err); !ok {
				return nil, true, err
			}
			remote = append(remote, err) // one finding each
			continue
		}
		resources = append(resources, names...)
	}
	if len(remote) > 0 {
		return nil, true, errors.Join(remote...)
	}
	if in.kustomization, err = rewriteKustomization(data, resources); err != nil {
		return nil, true, err
	}
	return in, true, nil
}

// inflateOne renders one helmCharts entry into in and returns the
// kustomization-relative names of its files.
func inflateOne(fsys *rootfs.FS, charts *helm.Charts, in *inflated, relDir, chartHome string, i int, hc types.HelmChart, inline *yaml.Node) ([]string, error) {
	ch, err := entryChart(fsys, charts, relDir, chartHome, hc)
	if err != nil {
		return nil, err
	}
	in.reads = append(in.reads, ch.Files...)
	if ch.Remote != nil {
		in.remote = append(in.remote, *ch.Remote)
	}
	vals, sources, err := chartValues(fsys, in, relDir, ch, hc, inline)
	if err != nil {
		return nil, err
	}
	rel := helm.Release{
		Name:        hc.ReleaseName,
		Namespace:   hc.Namespace,
		Values:      vals,
		IncludeCRDs: hc.IncludeCRDs,
		SkipTests:   hc.SkipTests,
		SkipHooks:   hc.SkipHooks,
		KubeVersion: hc.KubeVersion,
		APIVersions: hc.ApiVersions,
	}
	if rel.Name == "" {
		// kustomize passes --generate-name, which Helm turns into a
		// random name; a lint must be deterministic.
		rel.Name = "release-name"
	}
	out, err := helm.Render(context.Background(), ch, rel)
	if err != nil {
		return nil, err
	}
	attr, err := helm.Attribute(context.Background(), ch, rel)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, m := range out.Manifests {
		name, err := in.addManifest(fsys, relDir, ch, path.Join(helmDir, strconv.Itoa(i), m.Template), m, attr, sources)
		if err != nil {
			return nil, err
		}
		if name != "" {
			names = append(names, name)
		}
	}
	return names, nil
}

// ChartEntryError is a helmCharts entry that did not render. Its Err is a
// *helm.RemoteChart when the entry names a chart of a Helm repository
// that is neither in the repository nor found (no --chart-dir holds it,
// and --allow-remote is off or the fetch failed), as for a HelmRelease.
type ChartEntryError struct {
	// At is the entry in its kustomization file.
	At manifest.Origin
	// Name is the entry's chart name.
	Name string
	Err  error
}

func (e *ChartEntryError) Error() string {
	return fmt.Sprintf("helmCharts entry %q: %v", e.Name, e.Err)
}

func (e *ChartEntryError) Unwrap() error { return e.Err }

// chartEntryErrors are the entries err holds: one, or several joined.
func chartEntryErrors(err error) []*ChartEntryError {
	switch e := err.(type) {
	case *ChartEntryError:
		return []*ChartEntryError{e}
	case interface{ Unwrap() []error }:
		var out []*ChartEntryError
		for _, x := range e.Unwrap() {
			out = append(out, chartEntryErrors(x)...)
		}
		return out
	case interface{ Unwrap() error }:
		return chartEntryErrors(e.Unwrap())
	}
	return nil
}

// errNotInRepository says a helmCharts entry with a repo has no chart
// where kustomize would have pulled it to.
var errNotInRepository = errors.New("is not in the repository")

// entryChart loads the chart of a helmCharts entry: from the repository
// where kustomize lays it out, else, for an entry with a repo, with
// charts (a --chart-dir, or the repo itself with --allow-remote); a
// chart neither finds is a *helm.RemoteChart.
func entryChart(fsys *rootfs.FS, charts *helm.Charts, relDir, chartHome string, hc types.HelmChart) (*helm.Chart, error) {
	chartDir, err := localChart(fsys, relDir, chartHome, hc)
	if errors.Is(err, errNotInRepository) {
		if charts == nil {
			charts = &helm.Charts{} // finds none, and says how to
		}
		ch, ferr := charts.Find(hc.Repo, hc.Name, hc.Version)
		if ferr != nil {
			chart := hc.Name
			if hc.Version != "" {
				chart += "@" + hc.Version
			}
			return nil, &helm.RemoteChart{
				Chart: chart, Source: "the Helm repository " + hc.Repo, Name: hc.Name, Version: hc.Version, RepoURL: hc.Repo,
				// How to enable it, or why the chart directories and the
				// fetch did not find it; and where kustomize looks.
				NotFound: fmt.Errorf("%w, nor vendored at %s", ferr, chartDir),
			}
		}
		return ch, nil
	}
	if err != nil {
		return nil, err
	}
	return helm.Load(fsys, chartDir)
}

// localChart returns the repository-relative directory of the chart a
// helmCharts entry names, as kustomize lays out its chart home; for an
// entry with a repo whose chart is not there, the error is
// errNotInRepository, the directory where kustomize looks for it.
func localChart(fsys *rootfs.FS, relDir, chartHome string, hc types.HelmChart) (string, error) {
	home := path.Join(relDir, filepath.ToSlash(chartHome))
	if hc.Version != "" && hc.Repo != "" {
		home = path.Join(home, hc.Name+"-"+hc.Version) // where kustomize pulls to
	}
	chartDir := path.Join(home, hc.Name)
	if strings.HasPrefix(chartDir, "../") || chartDir == ".." {
		return "", fmt.Errorf("chart %s: %w", chartDir, rootfs.ErrOutside)
	}
	if info, err := fsys.Stat(chartDir); err != nil || !info.IsDir() {
		if errors.Is(err, rootfs.ErrOutside) {
			return "", err
		}
		if hc.Repo != "" {
			return chartDir, fmt.Errorf("chart %s %s from %s %w at %s", hc.Name, hc.Version, hc.Repo, errNotInRepository, chartDir)
		}
		return "", fmt.Errorf("no chart found at %s", chartDir)
	}
	return chartDir, nil
}

// chartValues are the values of a helmCharts entry (helmChartValues) and
// the sources that wrote them, in the order Helm coalesces them: the
// chart's defaults under a values file, valuesInline before or after the
// files as valuesMerge says.
func chartValues(fsys *rootfs.FS, in *inflated, relDir string, ch *helm.Chart, hc types.HelmChart, inline *yaml.Node) (map[string]any, []helm.ValuesSource, error) {
	vals, sources, err := helmChartValues(fsys, in, relDir, ch, hc)
	if err != nil {
		return nil, nil, err
	}
	if chartDir := ch.Dir; hc.ValuesFile != "" && !ch.External {
		// Helm coalesces the chart's defaults under what it is given.
		if data, err := fsys.ReadFile(path.Join(chartDir, "values.yaml")); err == nil {
			var n yaml.Node
			if yaml.Unmarshal(data, &n) == nil && len(n.Content) > 0 {
				sources = append(sources, helm.ValuesSource{File: path.Join(chartDir, "values.yaml"), Root: n.Content[0]})
			}
		}
	}
	if inline != nil {
		src := helm.ValuesSource{File: path.Join(relDir, "kustomization.yaml"), Root: inline}
		if hc.ValuesMerge == "merge" {
			sources = append(sources, src) // the values file wins
		} else {
			sources = append([]helm.ValuesSource{src}, sources...)
		}
	}
	return vals, sources, nil
}

// addManifest writes one manifest m of a chart rendered for the
// kustomization at relDir into in, as the file name (relative to the
// kustomization), each object marked with its template and located
// through attr and sources. It returns the name when it is a new file,
// "" when the manifest is empty or joins a file already written.
func (in *inflated) addManifest(fsys *rootfs.FS, relDir string, ch *helm.Chart, name string, m helm.Manifest, attr helm.Attribution, sources []helm.ValuesSource) (string, error) {
	if m.Hook {
		name += ".hook" // a hook may share its template's name
	}
	data, err := markHelmGenerated(m.YAML, func(j int, kindName string) string {
		id := path.Join(relDir, name) + "#" + strconv.Itoa(j)
		if _, dup := in.objects[kindName]; dup {
			in.objects[kindName] = "" // two objects: the name cannot tell
		} else {
			in.objects[kindName] = id
		}
		if fields := attr[helm.Key(m.Template, j)]; len(fields) > 0 {
			in.values[id] = helm.LocateValues(fields, sources)
		}
		return id
	})
	if err != nil {
		return "", fmt.Errorf("%s: %w", m.Template, err)
	}
	if len(data) == 0 {
		return "", nil
	}
	abs := filepath.Join(fsys.Root(), filepath.FromSlash(relDir), filepath.FromSlash(name))
	if prev, ok := in.files[abs]; ok {
		// Helm lists each hook document on its own.
		in.files[abs] = append(append(prev, "---\n"...), data...)
		return "", nil
	}
	in.files[abs] = data
	// Helm names a template after the chart, not its directory.
	if !ch.External { // a template outside the repository is no place to edit
		_, inChart, _ := strings.Cut(m.Template, "/")
		in.templates[path.Join(relDir, name)] = path.Join(ch.Dir, inChart)
	}
	return name, nil
}

// helmChartValues are the values kustomize hands helm: the values file
// (the chart's own values.yaml by default) with valuesInline merged as
// valuesMerge says, then each additional values file.
func helmChartValues(fsys *rootfs.FS, in *inflated, relDir string, ch *helm.Chart, hc types.HelmChart) (map[string]any, []helm.ValuesSource, error) {
	var sources []helm.ValuesSource // highest priority first
	note := func(file string, data []byte) {
		var n yaml.Node
		if yaml.Unmarshal(data, &n) == nil && len(n.Content) > 0 {
			sources = append([]helm.ValuesSource{{File: file, Root: n.Content[0]}}, sources...)
		}
	}
	read := func(p string) ([]byte, error) {
		if strings.Contains(p, "://") {
			return nil, fmt.Errorf("values file %s is remote; gitops-lint does not fetch it", p)
		}
		if filepath.IsAbs(p) {
			return nil, fmt.Errorf("values file %s: %w", p, rootfs.ErrOutside)
		}
		rel := path.Join(relDir, filepath.ToSlash(p))
		data, err := fsys.ReadFile(rel)
		if err != nil {
			return nil, err
		}
		in.reads = append(in.reads, rel)
		note(rel, data)
		return data, nil
	}
	var base []byte
	var err error
	if hc.ValuesFile == "" && ch.External {
		base = ch.DefaultValues() // not the repository's: no values source
	} else if hc.ValuesFile == "" {
		rel := path.Join(ch.Dir, "values.yaml")
		if base, err = fsys.ReadFile(rel); err != nil {
			return nil, nil, err
		}
		note(rel, base)
	} else if base, err = read(hc.ValuesFile); err != nil {
		return nil, nil, err
	}
	if len(hc.ValuesInline) > 0 {
		if base, err = mergeInline(base, hc); err != nil {
			return nil, nil, err
		}
	}
	vals, err := common.ReadValues(base)
	if err != nil {
		return nil, nil, fmt.Errorf("values: %w", err)
	}
	out := vals.AsMap()
	for _, f := range hc.AdditionalValuesFiles {
		data, err := read(f)
		if err != nil {
			return nil, nil, err
		}
		more, err := common.ReadValues(data)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", f, err)
		}
		out = loader.MergeMaps(out, more.AsMap())
	}
	return out, sources, nil
}

// mergeInline merges valuesInline into the values file as kustomize does,
// with kyaml's merge, and returns the values file helm would be given.
func mergeInline(base []byte, hc types.HelmChart) ([]byte, error) {
	mode := hc.ValuesMerge
	if mode == "" {
		mode = "override"
	}
	inline := hc.ValuesInline
	if mode == "override" || mode == "merge" {
		file, err := kyaml.Parse(string(base))
		if err != nil {
			return nil, fmt.Errorf("could not parse values file: %w", err)
		}
		inl, err := kyaml.FromMap(hc.ValuesInline)
		if err != nil {
			return nil, err
		}
		var merged *kyaml.RNode
		if mode == "override" {
			merged, err = merge2.Merge(inl, file.Copy(), kyaml.MergeOptions{})
		} else {
			merged, err = merge2.Merge(file, inl.Copy(), kyaml.MergeOptions{})
		}
		if err != nil {
			return nil, fmt.Errorf("could not merge values: %w", err)
		}
		if inline, err = merged.Map(); err != nil {
			return nil, err
		}
	} else if mode != "replace" {
		return nil, fmt.Errorf("valuesMerge must be one of [override replace merge]")
	}
	return sigsyaml.Marshal(inline)
}

// templateAnnotation carries, through kustomize, the rendered file an
// object of a chart came from; Render reads and removes it.
const templateAnnotation = "internal.gitops-lint.dev/helm-file"

// helmTemplates reads, for each resource of a render, the ID of the Helm
// object it is ("" for other resources; see sandbox.Template), and removes
// the annotation that said so, so the output is what kustomize prints.
func helmTemplates(fs *sandbox, m resmap.ResMap) ([]string, error) {
	out := make([]string, len(m.Resources()))
	for i, res := range m.Resources() {
		annos := res.GetAnnotations()
		id, ok := annos[templateAnnotation]
		if !ok {
			// A patch replaced the annotations: the object's name before
			// kustomize renamed it says which template wrote it.
			if out[i] = fs.TemplateOf(res.OrgId().Kind + "/" + res.OrgId().Name); out[i] == "" {
				out[i] = fs.TemplateWithin(res.GetKind(), res.GetName())
			}
			continue
		}
		out[i] = id
		delete(annos, templateAnnotation)
		// An empty map is removed, as kustomize removes its own.
		if err := res.SetAnnotations(annos); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// markHelmGenerated sets the annotation kustomize's generator sets on
// Helm's output: kustomize's namespace transformer leaves those objects
// alone, as Helm has set their namespace. It also names the rendered file,
// for helmTemplates.
func markHelmGenerated(manifest string, id func(doc int, kindName string) string) ([]byte, error) {
	nodes, err := (&kio.ByteReader{Reader: strings.NewReader(manifest), OmitReaderAnnotations: true}).Read()
	if err != nil {
		return nil, err
	}
	if len(nodes) == 0 {
		return nil, nil
	}
	for j, n := range nodes {
		if err := n.PipeE(kyaml.SetAnnotation(konfig.HelmGeneratedAnnotation, "true")); err != nil {
			return nil, err
		}
		if err := n.PipeE(kyaml.SetAnnotation(templateAnnotation, id(j, n.GetKind()+"/"+n.GetName()))); err != nil {
			return nil, err
		}
	}
	var buf bytes.Buffer
	if err := (kio.ByteWriter{Writer: &buf}).Write(nodes); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// rewriteKustomization drops helmCharts and helmGlobals and appends the
// rendered charts to resources, keeping the rest of the file as written.
func rewriteKustomization(data []byte, resources []string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("kustomization is not a mapping")
	}
	root := doc.Content[0]
	var res *yaml.Node
	kept := root.Content[:0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "helmCharts", "helmGlobals":
			continue
		case "resources":
			if root.Content[i+1].Kind != yaml.SequenceNode {
				// "resources:" left empty is null: a list now.
				root.Content[i+1] = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
			}
			res = root.Content[i+1]
		}
		kept = append(kept, root.Content[i], root.Content[i+1])
	}
	root.Content = kept
	if res == nil {
		res = &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		root.Content = append(root.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "resources"}, res)
	}
	for _, r := range resources {
		res.Content = append(res.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: r})
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// entryOrigin is where the i-th helmCharts entry of the kustomization
// file (repository-relative) doc is; line 1 when it is not found.
func entryOrigin(doc *yaml.Node, file string, i int) manifest.Origin {
	at := manifest.Origin{File: file, Line: 1}
	if len(doc.Content) == 0 {
		return at
	}
	charts := manifest.MappingValue(doc.Content[0], "helmCharts")
	if charts == nil || charts.Kind != yaml.SequenceNode || i >= len(charts.Content) {
		return at
	}
	at.Line, at.Col = charts.Content[i].Line, charts.Content[i].Column
	return at
}

// inlineNode is the valuesInline mapping of the i-th helmCharts entry of a
// kustomization document, nil when it has none.
func inlineNode(doc *yaml.Node, i int) *yaml.Node {
	if len(doc.Content) == 0 {
		return nil
	}
	charts := manifest.MappingValue(doc.Content[0], "helmCharts")
	if charts == nil || charts.Kind != yaml.SequenceNode || i >= len(charts.Content) {
		return nil
	}
	return manifest.MappingValue(charts.Content[i], "valuesInline")
}
