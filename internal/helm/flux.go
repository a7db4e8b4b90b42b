package helm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/strvals"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// Object is one rendered object and the chart template that wrote it.
type Object struct {
	Object map[string]any
	// Template is the repository-relative template file, "" when a
	// post-renderer made the object.
	Template string
	// Key names the object in the release's Attribution.
	Key string
}

// FluxOutput is a rendered Flux HelmRelease.
type FluxOutput struct {
	// Release is what the chart was rendered with.
	Release Release
	// Chart is the chart rendered.
	Chart *Chart
	// Objects are the rendered objects, post-renderers applied.
	Objects []Object
	// Reads are the repository-relative files read (chart files).
	Reads []string
	// Fields say which rendered fields came from which values.
	Fields Attribution
}

// RemoteChart is the error of a HelmRelease whose chart is not in the
// repository: it is not fetched.
type RemoteChart struct {
	// Chart names the chart as the release does.
	Chart string
	// Source is the kind/name of the source it comes from.
	Source string
	// Name and Version are the chart's name and version constraint, when
	// known: what a --chart-dir is searched for.
	Name, Version string
	// RepoURL is the Helm repository's URL, when known.
	RepoURL string
	// NotFound says why no --chart-dir held it, when some were given.
	NotFound error
}

func (e *RemoteChart) Error() string {
	if e.NotFound != nil {
		return HideUserinfo(fmt.Sprintf("chart %s comes from %s, which is not this repository; %v", e.Chart, e.Source, e.NotFound), e.RepoURL)
	}
	return HideUserinfo(fmt.Sprintf("chart %s comes from %s, which is not this repository; it is not fetched (--allow-remote fetches it, --chart-dir DIR reads it from a directory of charts)", e.Chart, e.Source), e.RepoURL)
}

// HideUserinfo removes from text the user and password that repoURL is
// written with ("https://user:password@host"), wherever text repeats
// them: a message names the repository, never its credentials.
func HideUserinfo(text, repoURL string) string {
	_, rest, ok := strings.Cut(repoURL, "://")
	if !ok {
		return text
	}
	authority, _, _ := strings.Cut(rest, "/")
	at := strings.LastIndex(authority, "@")
	if at <= 0 {
		return text
	}
	return strings.ReplaceAll(text, authority[:at+1], "")
}

// Lookup finds an object of the repository (a ConfigMap or Secret a
// release takes values from, a GitRepository), nil when none.
type Lookup func(kind, namespace, name string) map[string]any

// IsLocalSource says whether a Flux source (kind, namespace, name) is this
// repository.
type IsLocalSource func(kind, namespace, name string) bool

// RenderHelmRelease renders a Flux HelmRelease (helm.toolkit.fluxcd.io)
// whose chart is in this repository, as helm-controller would: values
// from valuesFrom in order, then spec.values; the release named
// [<targetNamespace>-]<name> unless spec.releaseName says otherwise; the
// chart rendered into targetNamespace (or the release's namespace);
// postRenderers' kustomize patches and images applied.
//
// A chart from a Helm or OCI repository is taken from charts when one of
// its directories holds it, else the error is a *RemoteChart.
func RenderHelmRelease(ctx context.Context, fsys *rootfs.FS, hr map[string]any, local IsLocalSource, lookup Lookup, charts *Charts) (*FluxOutput, error) {
	meta, _ := hr["metadata"].(map[string]any)
	spec, _ := hr["spec"].(map[string]any)
	name, _ := meta["name"].(string)
	ns, _ := meta["namespace"].(string)
	ch, err := fluxChart(fsys, spec, ns, local, lookup, charts)
	if err != nil {
		return nil, err
	}
	vals, err := fluxValues(spec, ns, lookup)
	if err != nil {
		return nil, err
	}
	targetNS, _ := spec["targetNamespace"].(string)
	rel := Release{Name: fluxReleaseName(spec, name, targetNS), Namespace: targetNS, Values: vals}
	if rel.Namespace == "" {
		rel.Namespace = ns
	}
	if install, ok := spec["install"].(map[string]any); ok {
		// Flux installs CRDs by default ("Create"); "Skip" leaves them out.
		rel.IncludeCRDs = install["crds"] != "Skip"
	} else {
		rel.IncludeCRDs = true
	}
	objs, err := renderObjects(ctx, ch, rel)
	if err != nil {
		return nil, err
	}
	if objs, err = postRender(spec, objs); err != nil {
		return nil, fmt.Errorf("postRenderers: %w", err)
	}
	for _, o := range objs {
		setNamespace(o.Object, rel.Namespace)
	}
	fields, err := Attribute(ctx, ch, rel)
	if err != nil {
		return nil, err
	}
	return &FluxOutput{Release: rel, Chart: ch, Objects: objs, Reads: ch.Files, Fields: fields}, nil
}

// fluxChart loads the chart of a release: from the repository, else from
// charts; or returns a *RemoteChart error.
func fluxChart(fsys *rootfs.FS, spec map[string]any, ns string, local IsLocalSource, lookup Lookup, charts *Charts) (*Chart, error) {
	chartPath, err := fluxChartPath(fsys, spec, ns, local, lookup)
	var remote *RemoteChart
	if errors.As(err, &remote) && charts.any() && remote.Name != "" {
		ch, ferr := charts.Find(remote.RepoURL, remote.Name, remote.Version)
		if ferr == nil {
			return ch, nil
		}
		remote.NotFound = ferr
	}
	if err != nil {
		return nil, err
	}
	return Load(fsys, chartPath)
}

// fluxChartPath is the repository-relative chart directory of a release,
// or a *RemoteChart error.
func fluxChartPath(fsys *rootfs.FS, spec map[string]any, ns string, local IsLocalSource, lookup Lookup) (string, error) {
	var chart, kind, srcName, srcNS string
	if ref, ok := spec["chartRef"].(map[string]any); ok {
		// A chartRef names a HelmChart or OCIRepository object, never
		// a path in this repository.
		kind, _ = ref["kind"].(string)
		srcName, _ = ref["name"].(string)
		srcNS, _ = ref["namespace"].(string)
		if srcNS == "" {
			srcNS = ns
		}
		remote := &RemoteChart{Chart: srcName, Source: kind + "/" + srcName}
		switch kind {
		case "OCIRepository":
			remote.Name, remote.Version, remote.RepoURL = ociChart(lookup(kind, srcNS, srcName))
		case "HelmChart":
			remote.Name, remote.Version, remote.RepoURL = helmChartSource(lookup(kind, srcNS, srcName), srcNS, lookup)
		}
		return "", remote
	}
	cs, _ := spec["chart"].(map[string]any)
	cspec, _ := cs["spec"].(map[string]any)
	chart, _ = cspec["chart"].(string)
	ref, _ := cspec["sourceRef"].(map[string]any)
	kind, _ = ref["kind"].(string)
	srcName, _ = ref["name"].(string)
	srcNS, _ = ref["namespace"].(string)
	if srcNS == "" {
		srcNS = ns
	}
	if kind != "GitRepository" || !local(kind, srcNS, srcName) {
		v, _ := cspec["version"].(string)
		remote := &RemoteChart{Chart: chart, Source: kind + "/" + srcName, Version: v}
		if kind == "HelmRepository" {
			remote.Name = chart // a Bucket's is a path in another place
			remote.RepoURL = repositoryURL(lookup(kind, srcNS, srcName))
		}
		if v != "" {
			remote.Chart += "@" + v
		}
		return "", remote
	}
	p := path.Clean(strings.TrimPrefix(chart, "/"))
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", fmt.Errorf("chart %s: %w", chart, rootfs.ErrOutside)
	}
	if _, err := fsys.Stat(path.Join(p, "Chart.yaml")); err != nil && !errors.Is(err, rootfs.ErrOutside) {
		// A GitRepository of another repository: the path is in that one.
		return "", &RemoteChart{Chart: chart, Source: kind + "/" + srcName}
	}
	return p, nil
}

// ociChart is the chart name and version an OCIRepository (found in the
// repository, else nil) names: its URL ends in the chart's name, and its
// ref gives the version: semver, else tag, followed by "@" and the digest
// when there is one, which a registry pull prefers as Flux does (a
// --chart-dir matches the version before it). repoURL is the URL without the chart's name, the form a HelmRepository
// of type oci has, so that every OCI chart is found the same way.
func ociChart(src map[string]any) (name, version, repoURL string) {
	spec, _ := src["spec"].(map[string]any)
	url, _ := spec["url"].(string)
	url = strings.TrimSuffix(url, "/")
	name = path.Base(strings.TrimPrefix(url, "oci://"))
	ref, _ := spec["ref"].(map[string]any)
	if version, _ = ref["semver"].(string); version == "" {
		version, _ = ref["tag"].(string)
	}
	if digest, _ := ref["digest"].(string); digest != "" {
		version = strings.TrimPrefix(version+"@"+digest, "@")
	}
	if name == "." || name == "/" || !strings.HasPrefix(url, "oci://") {
		return "", version, url
	}
	return name, version, strings.TrimSuffix(url, "/"+name)
}

// helmChartSource is the chart, version and repository URL of a Flux
// HelmChart object (nil when the repository has none): the URL is its
// sourceRef's, a HelmRepository of the repository.
func helmChartSource(hc map[string]any, ns string, lookup Lookup) (name, version, repoURL string) {
	spec, _ := hc["spec"].(map[string]any)
	name, _ = spec["chart"].(string)
	version, _ = spec["version"].(string)
	ref, _ := spec["sourceRef"].(map[string]any)
	if kind, _ := ref["kind"].(string); kind == "HelmRepository" {
		srcName, _ := ref["name"].(string)
		repoURL = repositoryURL(lookup(kind, ns, srcName))
	}
	return name, version, repoURL
}

// repositoryURL is a HelmRepository object's spec.url ("" for nil).
func repositoryURL(obj map[string]any) string {
	spec, _ := obj["spec"].(map[string]any)
	url, _ := spec["url"].(string)
	return url
}

// fluxReleaseName is helm-controller's default: [<targetNamespace>-]<name>,
// shortened with a hash past Helm's 53 characters.
func fluxReleaseName(spec map[string]any, name, targetNS string) string {
	if rn, _ := spec["releaseName"].(string); rn != "" {
		return rn
	}
	rn := name
	if targetNS != "" {
		rn = targetNS + "-" + name
	}
	if len(rn) > 53 {
		sum := sha256.Sum256([]byte(rn))
		rn = rn[:40] + "-" + fmt.Sprintf("%x", sum)[:12]
	}
	return rn
}

// fluxValues merges valuesFrom in order, then spec.values, as
// helm-controller does.
func fluxValues(spec map[string]any, ns string, lookup Lookup) (map[string]any, error) {
	out := map[string]any{}
	for _, ref := range ValuesFrom(spec) {
		kind, name, key, target := ref.Kind, ref.Name, ref.Key, ref.TargetPath
		obj := lookup(kind, ns, name)
		if obj == nil {
			if ref.Optional {
				continue
			}
			return nil, fmt.Errorf("valuesFrom %s/%s: not found in the repository", kind, name)
		}
		data, _, found := ObjectValue(obj, key)
		if !found {
			if ref.Optional {
				continue
			}
			return nil, fmt.Errorf("valuesFrom %s/%s: no key %q", kind, name, key)
		}
		if target != "" {
			// As helm-controller: --set-string semantics for the value.
			if err := strvals.ParseIntoString(target+"="+data, out); err != nil {
				return nil, fmt.Errorf("valuesFrom %s/%s targetPath %q: %w", kind, name, target, err)
			}
			continue
		}
		vals, err := common.ReadValues([]byte(data))
		if err != nil {
			return nil, fmt.Errorf("valuesFrom %s/%s key %q: %w", kind, name, key, err)
		}
		out = loader.MergeMaps(out, vals.AsMap())
	}
	if v, ok := spec["values"].(map[string]any); ok {
		// Through YAML, so numbers are what Helm makes of them.
		data, err := sigsyaml.Marshal(v)
		if err != nil {
			return nil, err
		}
		vals, err := common.ReadValues(data)
		if err != nil {
			return nil, err
		}
		out = loader.MergeMaps(out, vals.AsMap())
	}
	return out, nil
}

// ObjectValue is what Flux reads at key of a ConfigMap or Secret:
// stringData[key], else data[key], base64-decoded in a Secret; field is
// the JSON pointer of the field that holds it.
func ObjectValue(obj map[string]any, key string) (value, field string, ok bool) {
	if sd, ok := obj["stringData"].(map[string]any); ok {
		if v, ok := sd[key].(string); ok {
			return v, "/stringData/" + manifest.EscapeToken(key), true
		}
	}
	field = "/data/" + manifest.EscapeToken(key)
	d, _ := obj["data"].(map[string]any)
	v, ok := d[key].(string)
	if !ok {
		return "", field, false
	}
	if obj["kind"] == "Secret" {
		b, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			return "", field, false
		}
		return string(b), field, true
	}
	return v, field, true
}

// ValuesRef is one entry of a HelmRelease's spec.valuesFrom.
type ValuesRef struct {
	Kind, Name string
	// Key is valuesKey, "values.yaml" when unset, as helm-controller
	// reads it.
	Key        string
	TargetPath string
	Optional   bool
}

// ValuesFrom lists a HelmRelease spec's valuesFrom entries, in order.
func ValuesFrom(spec map[string]any) []ValuesRef {
	from, _ := spec["valuesFrom"].([]any)
	out := make([]ValuesRef, 0, len(from))
	for _, f := range from {
		m, _ := f.(map[string]any)
		var r ValuesRef
		r.Kind, _ = m["kind"].(string)
		r.Name, _ = m["name"].(string)
		r.Key, _ = m["valuesKey"].(string)
		r.TargetPath, _ = m["targetPath"].(string)
		r.Optional, _ = m["optional"].(bool)
		if r.Key == "" {
			r.Key = "values.yaml"
		}
		out = append(out, r)
	}
	return out
}

// objectsOf decodes the rendered manifests, each with its template (none
// for a chart outside the repository: no line of it can be edited there).
// renderObjects renders a release of a chart and decodes what it
// installs, as a Flux or Argo CD release does.
func renderObjects(ctx context.Context, ch *Chart, rel Release) ([]Object, error) {
	out, err := Render(ctx, ch, rel)
	if err != nil {
		return nil, err
	}
	return objectsOf(out, ch)
}

func objectsOf(out *Output, ch *Chart) ([]Object, error) {
	var objs []Object
	for _, m := range out.Manifests {
		docs, err := decodeAll(m.YAML)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", m.Template, err)
		}
		_, inChart, _ := strings.Cut(m.Template, "/")
		template := path.Join(ch.Dir, inChart)
		if ch.External {
			template = ""
		}
		for i, d := range docs {
			objs = append(objs, Object{Object: d, Template: template, Key: Key(m.Template, i)})
		}
	}
	return objs, nil
}

func decodeAll(s string) ([]map[string]any, error) {
	var out []map[string]any
	for _, doc := range strings.Split("\n"+s, "\n---") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		obj, err := decodeDoc([]byte(doc))
		if err != nil {
			return nil, err
		}
		if obj != nil {
			out = append(out, obj)
		}
	}
	return out, nil
}

// decodeDoc decodes one YAML document with integers as int64, as the
// objects kustomize renders hold them (and as the API server reads them).
func decodeDoc(doc []byte) (map[string]any, error) {
	j, err := sigsyaml.YAMLToJSON(doc)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(j))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, err
	}
	numbers(obj)
	return obj, nil
}

// numbers replaces the json.Numbers under v, in place: int64 when whole,
// else float64.
func numbers(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			t[k] = numbers(x)
		}
	case []any:
		for i, x := range t {
			t[i] = numbers(x)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	}
	return v
}

// postRender applies spec.postRenderers[].kustomize (patches, images) with
// kustomize in memory, as helm-controller's built-in post-renderer does.
func postRender(spec map[string]any, objs []Object) ([]Object, error) {
	prs, _ := spec["postRenderers"].([]any)
	for _, pr := range prs {
		k, _ := pr.(map[string]any)["kustomize"].(map[string]any)
		if k == nil {
			continue
		}
		fs := filesys.MakeFsInMemory()
		var res strings.Builder
		for _, o := range objs {
			b, err := sigsyaml.Marshal(o.Object)
			if err != nil {
				return nil, err
			}
			res.WriteString("---\n")
			res.Write(b)
		}
		kust := map[string]any{"resources": []string{"resources.yaml"}}
		for _, f := range []string{"patches", "patchesStrategicMerge", "patchesJson6902", "images"} {
			if v, ok := k[f]; ok {
				kust[f] = v
			}
		}
		kb, err := sigsyaml.Marshal(kust)
		if err != nil {
			return nil, err
		}
		if err := fs.WriteFile("/r/resources.yaml", []byte(res.String())); err != nil {
			return nil, err
		}
		if err := fs.WriteFile("/r/kustomization.yaml", kb); err != nil {
			return nil, err
		}
		opts := krusty.MakeDefaultOptions()
		opts.PluginConfig = types.DisabledPluginConfig()
		m, err := krusty.MakeKustomizer(opts).Run(fs, "/r")
		if err != nil {
			return nil, err
		}
		before := map[string]Object{}
		for _, o := range objs {
			before[kindName(o.Object)] = o
		}
		var next []Object
		for _, r := range m.Resources() {
			obj, err := r.Map()
			if err != nil {
				return nil, err
			}
			b := before[kindName(obj)]
			next = append(next, Object{Object: obj, Template: b.Template, Key: b.Key})
		}
		objs = next
	}
	return objs, nil
}

func kindName(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	return fmt.Sprintf("%v/%v/%v", obj["kind"], meta["namespace"], meta["name"])
}

// setNamespace puts a namespaced object that names none into the release
// namespace, where Helm's client creates it.
func setNamespace(obj map[string]any, ns string) {
	meta, _ := obj["metadata"].(map[string]any)
	if meta == nil {
		return
	}
	if cur, _ := meta["namespace"].(string); cur != "" {
		return
	}
	av, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if openapi.IsCertainlyClusterScoped(kyaml.TypeMeta{APIVersion: av, Kind: kind}) {
		return
	}
	meta["namespace"] = ns
}
