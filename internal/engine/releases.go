package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// ReleaseSeparator separates, in the name of a release target, the path
// of the target that deploys the release from the release:
// "clusters/prod#HelmRelease/web/web". Target directories with a '#' in
// their name are unheard of in GitOps repositories, and a release's name
// cannot hold one.
const ReleaseSeparator = "#"

// Release is a Helm release that a target deploys — a Flux HelmRelease,
// or an Argo CD Application with a Helm source — as a target of its own:
// the objects its chart installs, apart from the target's kustomize
// output (which holds the HelmRelease or Application itself).
type Release struct {
	// Path names it: the target's path, ReleaseSeparator, then
	// Kind/namespace/name of the release object as the target renders it
	// (Kind/name when it has no namespace).
	Path string
	// Target is the path of the target that deploys it.
	Target string
	// Kind is HelmRelease or Application.
	Kind string
	// Objects are the objects the release installs, as rendered.
	Objects []map[string]any
	// Reads are the repository files its render depends on: what rendering
	// the target reads (the release object, its patches, the ConfigMaps
	// and Secrets it takes values from), the chart's files and the values
	// files. Sorted.
	Reads []string
	// Error says why it was not rendered (a remote chart, a chart that
	// fails); secret values known to the run are cut out of it.
	Error string
	// findings are those Error comes from, located at the release.
	findings []rules.Finding
	// resources are Objects as check sees them, located.
	resources []manifest.Resource
}

// releaseSet are the releases of one target, or why the target itself
// did not render.
type releaseSet struct {
	list []Release
	err  error
}

// IsRelease reports whether path names a release target.
func IsRelease(path string) bool { return strings.Contains(path, ReleaseSeparator) }

// Releases renders the target at path and returns the Helm releases it
// deploys, sorted by path: none when it deploys none. A
// target that is not rendered or fails to render is an error. Each
// target is rendered for this once per workspace; it is safe for
// concurrent use.
func (w *Workspace) Releases(path string) ([]Release, error) {
	t, s, ok := w.Target(path)
	if !ok {
		return nil, fmt.Errorf("%s is not a target of the run", path)
	}
	if !w.c.mayDeployReleases(t) {
		return nil, nil // nothing to render: none of its files holds a release
	}
	set := w.releases.Get(path, func() releaseSet {
		list, err := w.renderReleases(t, s.LoadRestrictions)
		return releaseSet{list: list, err: err}
	})
	return set.list, set.err
}

// release finds the release target at path.
func (w *Workspace) release(path string) (Release, error) {
	target, _, _ := strings.Cut(path, ReleaseSeparator)
	list, err := w.Releases(target)
	if err != nil {
		return Release{}, err
	}
	for _, r := range list {
		if r.Path == path {
			return r, nil
		}
	}
	return Release{}, fmt.Errorf("%s is not a target of the run: %s deploys no such release", path, target)
}

// renderReleases renders a target's resources as check does, then its
// Helm releases. Flux's post-build substitution, a repository-level fact
// that check resolves over every target, is not applied: a release whose
// values hold ${VAR} renders with the text as written.
func (w *Workspace) renderReleases(t repo.Target, lr types.LoadRestrictions) ([]Release, error) {
	res, reads, err := w.c.targetResources(t, lr)
	if err != nil {
		return nil, err
	}
	return w.releaseTargets(t, res, reads, w.c.renderReleases(t, res)), nil
}

// releaseTargets makes targets of their own of the releases rels that a
// target deploys, rendered from its resources res; reads are what
// rendering res read. Sorted by path.
func (w *Workspace) releaseTargets(t repo.Target, res []manifest.Resource, reads []string, rels []release) []Release {
	values := &redact.Set{}
	values.Add(w.Repo.SensitiveValues(w.Repo.Closure(t.Path))...)
	for _, r := range res {
		values.Add(manifest.SecretValues(r.Object)...)
	}
	var out []Release
	for _, rel := range rels {
		r := Release{Path: releasePath(t.Path, rel.res.ID), Target: t.Path, Kind: rel.res.ID.Kind, resources: rel.objs}
		for _, o := range rel.objs {
			r.Objects = append(r.Objects, o.Object)
		}
		r.Reads = slices.Concat(reads, rel.reads)
		slices.Sort(r.Reads)
		r.Reads = slices.Compact(r.Reads)
		for i, f := range rel.findings {
			f.Message = values.Text(f.Message)
			r.findings = append(r.findings, f)
			if i == 0 {
				r.Error = f.RuleID + ": " + f.Message
			}
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Release) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// releasePath names the release target of the object id in target.
func releasePath(target string, id manifest.ResID) string {
	if id.Namespace == "" {
		return target + ReleaseSeparator + id.Kind + "/" + id.Name
	}
	return target + ReleaseSeparator + id.Kind + "/" + id.Namespace + "/" + id.Name
}

// targetResources renders a target as check assembles it, without its
// Helm releases, and lists what its render read. Units the workspace has
// already rendered (Render) are not rendered again.
func (c *checker) targetResources(t repo.Target, lr types.LoadRestrictions) ([]manifest.Resource, []string, error) {
	switch {
	case t.Blocked != "":
		return nil, nil, fmt.Errorf("not rendered: %s", t.Blocked)
	case t.Kind == repo.Plain:
		var res []manifest.Resource
		for _, f := range t.Files {
			res = append(res, plainResources(t.Path, f, c.repo.Manifests[f])...)
		}
		return res, slices.Clone(t.Files), nil
	}
	p := c.plan(t)
	var res []manifest.Resource
	reads := slices.Clone(p.files)
	for _, d := range p.units {
		out, err := c.unitOutput(d, lr)
		if err != nil {
			return nil, nil, err
		}
		res = append(res, c.resources(t, d, out)...)
		reads = append(reads, out.Reads...)
		reads = append(reads, c.repo.Dependencies(d)...)
	}
	for _, f := range p.files {
		res = append(res, plainResources(t.Path, f, c.sources.get(f).docs)...)
	}
	return res, reads, nil
}

// unitOutput is a unit's render: the one the workspace made, else a new one.
func (c *checker) unitOutput(dir string, lr types.LoadRestrictions) (*render.Output, error) {
	if u := c.units[unitKey{dir: dir, lr: lr}]; u != nil && (u.out != nil || u.err != nil) {
		return u.out, u.err
	}
	return c.renderers[lr].Render(dir)
}

// mayDeployReleases reports whether a file the target builds from holds a
// Flux HelmRelease or an Argo CD Application: only then is it rendered to
// find its releases.
func (c *checker) mayDeployReleases(t repo.Target) bool {
	for _, f := range c.targetFiles(t) {
		for _, d := range c.sources.get(f).docs {
			if d.Object != nil && isReleaseKind(d.Object) {
				return true
			}
		}
	}
	return false
}

// targetFiles are the manifest files a target is built from, as its
// kustomization files name them (or a plain target's files).
func (c *checker) targetFiles(t repo.Target) []string {
	if t.Kind == repo.Plain {
		return t.Files
	}
	return manifestFiles(c.repo.Dependencies(t.Path))
}

// manifestFiles keeps the manifest files of files, in place.
func manifestFiles(files []string) []string {
	return slices.DeleteFunc(files, func(f string) bool { return !isManifestFile(f) })
}

// isReleaseKind reports whether obj is a Flux HelmRelease or an Argo CD
// Application.
func isReleaseKind(obj map[string]any) bool {
	kind, _ := obj["kind"].(string)
	group, _, _ := strings.Cut(apiGroup(obj), "/")
	return (kind == "HelmRelease" && group == "helm.toolkit.fluxcd.io") || (kind == "Application" && group == "argoproj.io")
}

// PrintRelease prints the objects of the release target at path as
// `helm template` would install them, in `kustomize build`'s YAML. Unless
// showSecrets, every secret value is replaced, as Print does.
func (w *Workspace) PrintRelease(ctx context.Context, path string, showSecrets bool) (*Printed, error) {
	target, _, _ := strings.Cut(path, ReleaseSeparator)
	if _, _, ok := w.Target(target); !ok {
		return nil, fmt.Errorf("%s is not a target of the run", target)
	}
	if blocked := w.blocked(target); len(blocked) > 0 {
		return &Printed{Blocked: blocked}, nil
	}
	scanner, err := w.scanner(target)
	if err != nil {
		return nil, err
	}
	rel, err := w.release(path)
	var rerr *render.Error
	switch {
	case errors.As(err, &rerr):
		// kustomize quotes what it read: screened with what the target reads.
		return &Printed{Error: scanner.NewScreen(ctx, w.Repo.Dependencies(target)).Text(err.Error())}, nil
	case err != nil:
		return nil, err
	}
	screen := scanner.NewScreen(ctx, rel.Reads)
	if len(rel.findings) > 0 {
		// Located at the release, as check reports them.
		blocked := slices.Clone(rel.findings)
		for i := range blocked {
			blocked[i].Message = screen.Text(blocked[i].Message)
		}
		return &Printed{Blocked: blocked}, nil
	}
	var sc render.Screen
	if !showSecrets {
		sc = screen
	}
	out, err := render.PrintObjects(rel.Objects, sc)
	if err != nil {
		return &Printed{Error: screen.Text(err.Error())}, nil
	}
	return &Printed{YAML: out}, nil
}

// Dependencies are the repository files whose change may change what the
// target (or release target) at path renders: those its kustomization
// files name (a plain target's manifests), and the chart and values
// files of the Helm releases written in them (releaseFiles). Sorted.
func (w *Workspace) Dependencies(path string) []string {
	target, _, _ := strings.Cut(path, ReleaseSeparator)
	t, _, ok := w.Target(target)
	if !ok {
		return nil
	}
	return w.c.dependencies(t)
}

// dependencies are a target's files and those of the charts its releases
// read.
func (c *checker) dependencies(t repo.Target) []string {
	deps, manifests := slices.Clone(t.Files), t.Files
	if t.Kind == repo.Kustomize {
		// targetFiles, from the one list of what the kustomizations name.
		deps = c.repo.Dependencies(t.Path)
		manifests = manifestFiles(slices.Clone(deps))
	}
	deps = append(deps, c.releaseFiles(manifests)...)
	slices.Sort(deps)
	return slices.Compact(deps)
}

// releaseFiles are the repository files that the Helm releases written in
// files may read: every file of a chart of this repository that a
// HelmRelease's chart path or an Argo CD source's path names, and the
// values files an Argo CD source names. It reads the files as written, so
// it errs on the side of more: a chart some patch replaces still counts.
func (c *checker) releaseFiles(files []string) []string {
	var out []string
	for _, f := range files {
		out = append(out, c.releaseReads.Get(f, func() []string { return c.releaseReadsOf(f) })...)
	}
	return out
}

// releaseReadsOf are the files the Helm releases written in file read.
func (c *checker) releaseReadsOf(file string) []string {
	if !c.mayHoldRelease(file) {
		return nil
	}
	var out []string
	for _, d := range c.sources.get(file).docs {
		if d.Object == nil || !isReleaseKind(d.Object) {
			continue
		}
		for _, p := range releaseChartPaths(d.Object) {
			out = append(out, c.chartFiles(p)...)
		}
	}
	return out
}

// mayHoldRelease reports whether a file's text names the API group of a
// release kind. Pre-commit asks this of every file of every target, and
// only the few that do are worth decoding; a group written with YAML or
// JSON escapes is not recognised, which at worst leaves a chart edit out
// of a pre-commit run's scope.
func (c *checker) mayHoldRelease(file string) bool {
	data, err := c.sources.read(file)
	return err == nil && (bytes.Contains(data, []byte("helm.toolkit.fluxcd.io")) || bytes.Contains(data, []byte("argoproj.io")))
}

// releaseChartPaths are the repository paths a release object names: a
// HelmRelease's chart, an Application's source paths and the values files
// its Helm sources name ("$ref/" values files by their path in the
// repository of that ref, taken to be this one).
func releaseChartPaths(obj map[string]any) []string {
	spec := manifest.Child(obj, "spec")
	if chart, ok := manifest.Child(manifest.Child(manifest.Child(spec, "chart"), "spec"), "chart").(string); ok {
		return []string{chart}
	}
	var srcs []any
	if s := manifest.Child(spec, "source"); s != nil {
		srcs = append(srcs, s)
	}
	srcs = append(srcs, asList(manifest.Child(spec, "sources"))...)
	var out []string
	for _, s := range srcs {
		p, _ := manifest.Child(s, "path").(string)
		if p != "" {
			out = append(out, p)
		}
		for _, v := range asList(manifest.Child(manifest.Child(s, "helm"), "valueFiles")) {
			entry, _ := v.(string)
			if ref, rest, ok := strings.Cut(entry, "/"); ok && strings.HasPrefix(ref, "$") {
				out = append(out, rest)
			} else if entry != "" && p != "" {
				out = append(out, path.Join(p, entry))
			}
		}
	}
	return out
}

// chartFiles are the repository files at or under the repository path p
// (a chart directory, a packed chart or a values file); none when p
// leaves the repository.
func (c *checker) chartFiles(p string) []string {
	p = path.Clean(strings.TrimPrefix(p, "/"))
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return nil
	}
	var out []string
	if _, found := slices.BinarySearch(c.repo.Files, p); found {
		out = append(out, p) // a file: "charts/web-1.0.0.tgz", "values.yaml"
	}
	// Apart: "charts/web-x/..." sorts between "charts/web" and "charts/web/...".
	i, _ := slices.BinarySearch(c.repo.Files, p+"/")
	for _, f := range c.repo.Files[i:] {
		if !strings.HasPrefix(f, p+"/") {
			break
		}
		out = append(out, f)
	}
	return out
}
