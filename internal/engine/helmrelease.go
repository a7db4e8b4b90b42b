package engine

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// helmReads are, by target path, the chart files the Flux HelmReleases of
// the target read: the cache and `list --files` count them as inputs.
type helmReads struct {
	mu sync.Mutex
	m  map[string][]string
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

// helmReleases renders the Flux HelmReleases among a target's resources
// whose chart is in this repository, and returns the objects they
// install, each located at the chart template that wrote it. A release
// whose chart comes from elsewhere is a helm-chart-remote finding; one
// that fails to render a render-error at the release.
func (c *checker) helmReleases(t repo.Target, res []manifest.Resource) ([]manifest.Resource, []rules.Finding) {
	var out []manifest.Resource
	var findings []rules.Finding
	var reads []string
	for i := range res {
		r := &res[i]
		if r.ID.Kind != "HelmRelease" || path.Dir(apiGroup(r.Object)) != "helm.toolkit.fluxcd.io" {
			continue
		}
		local := func(kind, _, _ string) bool { return kind == "GitRepository" }
		lookup := func(kind, ns, name string) map[string]any {
			for _, o := range res {
				if o.ID.Kind == kind && o.ID.Name == name && (o.ID.Namespace == ns || o.ID.Namespace == "") {
					return o.Object
				}
			}
			return nil
		}
		rendered, err := helm.RenderHelmRelease(context.Background(), c.repo.FS, r.Object, local, lookup)
		var remote *helm.RemoteChart
		switch {
		case errors.As(err, &remote):
			findings = append(findings, rules.Finding{
				RuleID: rules.HelmChartRemote, Severity: rules.Info, Resource: r.SourceID, Location: r.Origin, Targets: []string{t.Path},
				Message: fmt.Sprintf("HelmRelease %s: %s; the objects it installs are not checked", r.ID.Name, remote.Error()),
			})
			continue
		case errors.Is(err, rootfs.ErrOutside):
			findings = append(findings, rules.Finding{
				RuleID: rules.PathEscape, Severity: rules.Error, Resource: r.SourceID, Location: r.FieldOrigin("/spec/chart/spec/chart"), Targets: []string{t.Path},
				Message: fmt.Sprintf("HelmRelease %s: the chart path leaves the repository; it is not read", r.ID.Name),
			})
			continue
		case err != nil:
			findings = append(findings, rules.Finding{
				RuleID: rules.RenderError, Severity: rules.Error, Resource: r.SourceID, Location: r.Origin, Targets: []string{t.Path},
				Message: fmt.Sprintf("HelmRelease %s: %v", r.ID.Name, err),
			})
			continue
		}
		reads = append(reads, rendered.Reads...)
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
			out = append(out, manifest.Resource{ID: id, SourceID: id, Object: obj, Origin: origin, Target: t.Path})
		}
	}
	slices.Sort(reads)
	c.helmReads.set(t.Path, slices.Compact(reads))
	return out, findings
}

// apiGroup is the apiVersion of an object ("group/version").
func apiGroup(obj map[string]any) string {
	v, _ := obj["apiVersion"].(string)
	return v
}
