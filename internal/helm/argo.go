package helm

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/strvals"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// ArgoSource is one source of an Argo CD Application (argoproj.io) whose
// path in this repository holds a chart, with what Argo CD's repo server
// hands `helm template` for it.
type ArgoSource struct {
	// Chart is the repository-relative chart directory (source.path).
	Chart string
	// Helm is source.helm (nil when absent).
	Helm map[string]any
	// AppName is the Application's name: the release name unless
	// helm.releaseName says otherwise.
	AppName string
	// Namespace is spec.destination.namespace.
	Namespace string
	// ValueFile resolves an entry of helm.valueFiles to a
	// repository-relative file: relative to the chart, or "$ref/..." to
	// the root of a source with that ref. An error says why it cannot be
	// read (remote, outside the repository).
	ValueFile func(entry string) (string, error)
	// Loaded, when set, is the chart to render instead of Chart's: one of
	// a --chart-dir for a source whose chart is in a Helm repository.
	Loaded *Chart
}

// errMissingValueFile is a values file of an Argo CD source that is
// absent while helm.ignoreMissingValueFiles is not set.
var errMissingValueFile = errors.New("values file not found")

// RenderArgoSource renders an Argo CD Helm source as the repo server
// does: `helm template` with the chart's path, helm.valueFiles in order,
// then helm.valuesObject (or the helm.values text), then
// helm.parameters as --set (--set-string with forceString); the release
// named helm.releaseName or the Application; in helm.namespace or the
// destination namespace; CRDs unless helm.skipCrds.
func RenderArgoSource(ctx context.Context, fsys *rootfs.FS, src ArgoSource) (*FluxOutput, error) {
	ch := src.Loaded
	if ch == nil {
		var err error
		if ch, err = Load(fsys, src.Chart); err != nil {
			return nil, err
		}
	}
	h := src.Helm
	vals, reads, err := argoValues(fsys, src)
	if err != nil {
		return nil, err
	}
	rel := Release{Name: src.AppName, Namespace: src.Namespace, Values: vals}
	if n, _ := h["releaseName"].(string); n != "" {
		rel.Name = n
	}
	if n, _ := h["namespace"].(string); n != "" {
		rel.Namespace = n
	}
	skipCrds, _ := h["skipCrds"].(bool)
	rel.IncludeCRDs = !skipCrds
	rel.SkipTests, _ = h["skipTests"].(bool)
	rel.KubeVersion, _ = h["kubeVersion"].(string)
	if av, ok := h["apiVersions"].([]any); ok {
		for _, v := range av {
			if s, ok := v.(string); ok {
				rel.APIVersions = append(rel.APIVersions, s)
			}
		}
	}
	objs, err := renderObjects(ctx, ch, rel)
	if err != nil {
		return nil, err
	}
	if rel.Namespace != "" {
		for _, o := range objs {
			setNamespace(o.Object, rel.Namespace)
		}
	}
	fields, err := Attribute(ctx, ch, rel)
	if err != nil {
		return nil, err
	}
	reads = append(reads, ch.Files...)
	sort.Strings(reads)
	return &FluxOutput{Release: rel, Chart: ch, Objects: objs, Reads: reads, Fields: fields}, nil
}

// argoValues merges an Argo CD source's values in the order the repo
// server passes them to helm, and returns the values files read.
func argoValues(fsys *rootfs.FS, src ArgoSource) (map[string]any, []string, error) {
	h := src.Helm
	out := map[string]any{}
	var reads []string
	ignoreMissing, _ := h["ignoreMissingValueFiles"].(bool)
	files, _ := h["valueFiles"].([]any)
	for _, f := range files {
		entry, _ := f.(string)
		rel, err := src.ValueFile(entry)
		var data []byte
		if err == nil {
			data, err = fsys.ReadFile(rel)
		}
		switch {
		case errors.Is(err, fs.ErrNotExist) && ignoreMissing:
			continue
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, fmt.Errorf("helm.valueFiles %s: %w", entry, errMissingValueFile)
		case err != nil:
			return nil, nil, fmt.Errorf("helm.valueFiles %s: %w", entry, err)
		}
		reads = append(reads, rel)
		vals, err := common.ReadValues(data)
		if err != nil {
			return nil, nil, fmt.Errorf("helm.valueFiles %s: %w", entry, err)
		}
		out = loader.MergeMaps(out, vals.AsMap())
	}
	inline, err := argoInlineValues(h)
	if err != nil {
		return nil, nil, err
	}
	out = loader.MergeMaps(out, inline)
	if err := argoParameters(fsys, src, out, &reads); err != nil {
		return nil, nil, err
	}
	return out, reads, nil
}

// argoInlineValues are helm.valuesObject, else the helm.values text: Argo
// CD writes whichever it has to one more values file.
func argoInlineValues(h map[string]any) (map[string]any, error) {
	var data []byte
	if obj, ok := h["valuesObject"].(map[string]any); ok {
		b, err := sigsyaml.Marshal(obj)
		if err != nil {
			return nil, err
		}
		data = b
	} else if s, ok := h["values"].(string); ok {
		data = []byte(s)
	}
	if len(data) == 0 {
		return map[string]any{}, nil
	}
	vals, err := common.ReadValues(data)
	if err != nil {
		return nil, fmt.Errorf("helm.values: %w", err)
	}
	return vals.AsMap(), nil
}

// argoParameters applies helm.parameters (--set, or --set-string with
// forceString) and helm.fileParameters (--set-file, a file of the
// repository relative to the chart) onto vals.
func argoParameters(fsys *rootfs.FS, src ArgoSource, vals map[string]any, reads *[]string) error {
	params, _ := src.Helm["parameters"].([]any)
	for _, p := range params {
		m, _ := p.(map[string]any)
		name, _ := m["name"].(string)
		value := fmt.Sprint(m["value"])
		if m["value"] == nil {
			value = ""
		}
		force, _ := m["forceString"].(bool)
		set := strvals.ParseInto
		if force {
			set = strvals.ParseIntoString
		}
		if err := set(name+"="+cleanSetParameter(value), vals); err != nil {
			return fmt.Errorf("helm.parameters %s: %w", name, err)
		}
	}
	fileParams, _ := src.Helm["fileParameters"].([]any)
	for _, p := range fileParams {
		m, _ := p.(map[string]any)
		name, _ := m["name"].(string)
		file, _ := m["path"].(string)
		rel, err := src.ValueFile(file)
		if err != nil {
			return fmt.Errorf("helm.fileParameters %s: %w", name, err)
		}
		data, err := fsys.ReadFile(rel)
		if err != nil {
			return fmt.Errorf("helm.fileParameters %s: %w", name, err)
		}
		*reads = append(*reads, rel)
		if err := strvals.ParseIntoFile(name+"="+rel, vals, func([]rune) (any, error) { return string(data), nil }); err != nil {
			return fmt.Errorf("helm.fileParameters %s: %w", name, err)
		}
	}
	return nil
}

// cleanSetParameter escapes the commas of a parameter's value as Argo CD
// does before --set, unless the value is a Helm list ("{a,b}").
func cleanSetParameter(v string) string {
	if strings.HasPrefix(v, "{") && strings.HasSuffix(v, "}") {
		return v
	}
	var b strings.Builder
	for i, r := range v {
		if r == ',' && (i == 0 || v[i-1] != '\\') {
			b.WriteString(`\,`)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ArgoValueFile resolves an entry of helm.valueFiles (or a
// fileParameters path) relative to the chart directory, as Argo CD does
// for one that does not start with "$ref/". A URL, an absolute path or a
// path leaving the repository is an error.
func ArgoValueFile(chartDir, entry string) (string, error) {
	if strings.Contains(entry, "://") {
		return "", fmt.Errorf("a remote values file is not fetched")
	}
	if path.IsAbs(entry) {
		return "", rootfs.ErrOutside
	}
	p := path.Join(chartDir, entry)
	if p == ".." || strings.HasPrefix(p, "../") {
		return "", rootfs.ErrOutside
	}
	return p, nil
}
