// Package helm renders Helm charts in process, the way `helm template`
// does, without ever letting Helm touch the disk, the network or a
// program.
//
// The contract:
//
//   - a chart is read only through the repository-confined rootfs.FS and
//     handed to Helm's loader as files in memory (loader.LoadFiles), so a
//     chart path or a symlink that leaves the repository is refused before
//     Helm sees a byte, and .helmignore is applied as `helm` applies it;
//   - rendering is action.Install with a client-side dry run, the code path
//     of `helm template`: `lookup` returns nothing, there is no cluster, no
//     plugin, no post-renderer and no DNS;
//   - values.schema.json is checked by this package, not by Helm, whose
//     validator would follow a `$ref` to a file on this machine or to the
//     network; only references inside the schema document are followed.
package helm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart"
	"helm.sh/helm/v4/pkg/chart/common"
	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
	releasev1 "helm.sh/helm/v4/pkg/release/v1"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// maxChartFiles bounds how many files one chart may hold: a chart is a
// few dozen files, and a directory of a million is an attack on memory.
const maxChartFiles = 10000

// Chart is a chart read from the repository.
type Chart struct {
	// Dir is the repository-relative chart directory or packed chart.
	Dir string
	// Files are the repository-relative files read to load it, sorted:
	// a change to any of them changes the render.
	Files []string
	// Name and Version are from Chart.yaml.
	Name, Version string
	// External is set for a chart of a --chart-dir: Dir and its files are
	// not the repository's.
	External bool
	// Remote is set for a chart fetched from a Helm or OCI repository: what
	// it resolved to.
	Remote *Resolution

	// schema is the chart as loaded, read only: its values schemas.
	schema  *chartv2.Chart
	files   []*archive.BufferedFile // a directory chart's files
	archive []byte                  // or a packed chart
}

// DefaultValues is the chart's own values.yaml, nil when it has none.
func (ch *Chart) DefaultValues() []byte {
	for _, f := range ch.schema.Raw {
		if f.Name == "values.yaml" {
			return f.Data
		}
	}
	return nil
}

// load makes a fresh chart from the bytes read.
func (ch *Chart) load() (*chartv2.Chart, error) {
	if ch.archive != nil {
		return loader.LoadArchive(bytes.NewReader(ch.archive))
	}
	return loader.LoadFiles(ch.files)
}

// Load reads the chart at the repository-relative dir, a chart directory
// or a packed chart (.tgz), through fsys.
func Load(fsys *rootfs.FS, dir string) (*Chart, error) {
	dir = path.Clean(dir)
	info, err := fsys.Stat(dir)
	if err != nil {
		return nil, err
	}
	ch := &Chart{Dir: dir}
	if info.IsDir() {
		if ch.files, ch.Files, err = readDir(fsys, dir); err != nil {
			return nil, err
		}
	} else {
		if ch.archive, err = fsys.ReadFile(dir); err != nil {
			return nil, err
		}
		ch.Files = []string{dir}
	}
	c, err := ch.load()
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", dir, err)
	}
	sort.Strings(ch.Files)
	ch.Name, ch.Version, ch.schema = c.Metadata.Name, c.Metadata.Version, c
	return ch, nil
}

// readDir reads the files of a chart directory as Helm's directory
// loader would (.helmignore applied, symlinks followed), but confined.
func readDir(fsys *rootfs.FS, dir string) ([]*archive.BufferedFile, []string, error) {
	rules := ignore.Empty()
	if data, err := fsys.ReadFile(path.Join(dir, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", path.Join(dir, ignore.HelmIgnore), err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	rules.AddDefaults()
	var files []*archive.BufferedFile
	var names []string
	var walk func(rel string) error
	walk = func(rel string) error {
		entries, err := fsys.ReadDir(path.Join(dir, rel))
		if err != nil {
			return err
		}
		for _, e := range entries {
			n := path.Join(rel, e.Name())
			full := path.Join(dir, n)
			// Stat follows a symlink, confined: one that leaves the
			// repository is an error here, as Helm would follow it.
			fi, err := fsys.Stat(full)
			if err != nil {
				return err
			}
			if rules.Ignore(n, fi) {
				continue
			}
			if fi.IsDir() {
				if err := walk(n); err != nil {
					return err
				}
				continue
			}
			if len(files) >= maxChartFiles {
				return fmt.Errorf("chart %s: more than %d files", dir, maxChartFiles)
			}
			data, err := fsys.ReadFile(full)
			if err != nil {
				return err
			}
			files = append(files, &archive.BufferedFile{Name: n, Data: bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))})
			names = append(names, full)
		}
		return nil
	}
	if err := walk(""); err != nil {
		return nil, nil, err
	}
	return files, names, nil
}

// Release says how to render a chart: what `helm template` is told on its
// command line.
type Release struct {
	// Name is the release name.
	Name string
	// Namespace is the release namespace ("default" when empty, as Helm).
	Namespace string
	// Values are the user-supplied values, already merged in the order
	// the caller's tool merges them; the chart's own values.yaml is
	// coalesced under them here.
	Values map[string]any
	// IncludeCRDs adds the chart's crds/ to the output.
	IncludeCRDs bool
	// SkipTests leaves out test hooks; SkipHooks every hook.
	SkipTests, SkipHooks bool
	// KubeVersion (e.g. "1.31.0") and APIVersions set .Capabilities.
	KubeVersion string
	APIVersions []string
	// IsUpgrade sets .Release.IsUpgrade instead of .Release.IsInstall.
	IsUpgrade bool
}

// Manifest is the output of one chart template.
type Manifest struct {
	// Template is the chart-relative template path as Helm names it in
	// its "# Source:" comment (e.g. "app/templates/deployment.yaml"; a
	// subchart's is "app/charts/sub/templates/x.yaml").
	Template string
	// YAML is the template's rendered documents.
	YAML string
	// Hook is set for hook manifests.
	Hook bool
}

// Output is a rendered release.
type Output struct {
	// Manifests are in the order `helm template` prints them.
	Manifests []Manifest
	// YAML is the output exactly as `helm template` prints it.
	YAML string
}

// Render renders the chart as `helm template` would with rel.
func Render(ctx context.Context, ch *Chart, rel Release) (out *Output, err error) {
	defer func() {
		// A template engine fed a hostile chart must not take the run down.
		if p := recover(); p != nil {
			out, err = nil, fmt.Errorf("chart %s: helm panicked: %v", ch.Dir, p)
		}
	}()
	if rel.Namespace == "" {
		rel.Namespace = "default"
	}
	if err := validateSchemas(ch.schema, rel.Values); err != nil {
		return nil, fmt.Errorf("chart %s: %w", ch.Dir, err)
	}
	inst := action.NewInstall(action.NewConfiguration())
	inst.DryRunStrategy = action.DryRunClient
	inst.Replace = true // no release storage to check the name against
	inst.ReleaseName = rel.Name
	inst.Namespace = rel.Namespace
	inst.IncludeCRDs = rel.IncludeCRDs
	inst.DisableHooks = rel.SkipHooks
	inst.IsUpgrade = rel.IsUpgrade
	inst.APIVersions = common.VersionSet(rel.APIVersions)
	// Checked above, offline: Helm's own validator resolves remote refs.
	inst.SkipSchemaValidation = true
	if rel.KubeVersion != "" {
		kv, err := common.ParseKubeVersion(rel.KubeVersion)
		if err != nil {
			return nil, fmt.Errorf("invalid kube version %q: %w", rel.KubeVersion, err)
		}
		inst.KubeVersion = kv
	}
	// An install rewrites the chart it is given (dependency processing,
	// values), and one chart serves many releases: each render loads its
	// own from the files already in memory.
	c, err := ch.load()
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", ch.Dir, err)
	}
	if err := installable(c); err != nil {
		return nil, fmt.Errorf("chart %s: %w", ch.Dir, err)
	}
	vals := rel.Values
	if vals == nil {
		vals = map[string]any{}
	}
	r, err := inst.RunWithContext(ctx, c, vals)
	if err != nil {
		return nil, fmt.Errorf("chart %s: %w", ch.Dir, err)
	}
	res, ok := r.(*releasev1.Release)
	if !ok {
		return nil, fmt.Errorf("chart %s: unexpected release type %T", ch.Dir, r)
	}
	return output(res, rel.SkipTests), nil
}

// installable makes the checks `helm template` makes before it renders:
// a library chart is refused, and so is a chart whose Chart.yaml (or
// requirements.yaml) declares a dependency that its charts/ lacks —
// helm would need `helm dependency build`, which fetches.
func installable(c *chartv2.Chart) error {
	if t := c.Metadata.Type; t != "" && t != "application" {
		return fmt.Errorf("%s charts are not installable", t)
	}
	if deps := c.Metadata.Dependencies; len(deps) > 0 {
		req := make([]chart.Dependency, len(deps))
		for i, d := range deps {
			req[i] = d
		}
		if err := action.CheckDependencies(c, req); err != nil {
			return fmt.Errorf("dependencies are missing from charts/ (helm dependency build would fetch them): %w", err)
		}
	}
	return nil
}

// output assembles the release as `helm template` prints it.
func output(res *releasev1.Release, skipTests bool) *Output {
	var b strings.Builder
	b.WriteString(strings.TrimSpace(res.Manifest))
	b.WriteString("\n")
	out := &Output{}
	out.Manifests = append(out.Manifests, splitSources(res.Manifest)...)
	for _, h := range res.Hooks {
		if skipTests && isTestHook(h) {
			continue
		}
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", h.Path, h.Manifest)
		out.Manifests = append(out.Manifests, Manifest{Template: h.Path, YAML: h.Manifest, Hook: true})
	}
	out.YAML = b.String()
	return out
}

func isTestHook(h *releasev1.Hook) bool {
	for _, e := range h.Events {
		if e == releasev1.HookTest {
			return true
		}
	}
	return false
}

// splitSources splits Helm's manifest text at its "# Source:" comments.
func splitSources(manifest string) []Manifest {
	var out []Manifest
	for _, doc := range strings.Split("\n"+manifest, "\n---\n") {
		doc = strings.TrimLeft(doc, "\n")
		src, rest, ok := strings.Cut(doc, "\n")
		name, found := strings.CutPrefix(src, "# Source: ")
		if !ok || !found {
			if strings.TrimSpace(doc) != "" && len(out) > 0 {
				out[len(out)-1].YAML += "\n---\n" + doc
			}
			continue
		}
		if n := len(out); n > 0 && out[n-1].Template == name {
			out[n-1].YAML += "\n---\n" + rest
			continue
		}
		out = append(out, Manifest{Template: name, YAML: rest})
	}
	return out
}
