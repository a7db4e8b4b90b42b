package gitops

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

func TestEnvironmentOrder(t *testing.T) {
	envs := []string{"prod-us", "live", "perf", "staging", "dev", "qa", "prod-eu", "preprod", "integration", "test"}
	slices.SortFunc(envs, EnvironmentOrder)
	want := []string{"dev", "test", "qa", "integration", "staging", "preprod", "perf", "prod-eu", "prod-us", "live"}
	if diff := cmp.Diff(want, envs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGroupKey(t *testing.T) {
	tests := []struct {
		target, key, env string
	}{
		{"apps/shop/overlays/prod", "apps/shop/overlays/*", "prod"},
		{"clusters/prod/apps", "clusters/*/apps", "prod"},
		{"apps/staging", "apps/*", "staging"},
		{"prod", "*", "prod"},
	}
	for _, tt := range tests {
		if key, env := groupKey(tt.target); key != tt.key || env != tt.env {
			t.Errorf("groupKey(%q) = %q, %q; want %q, %q", tt.target, key, env, tt.key, tt.env)
		}
	}
}

// deployment is a rendered Deployment running the given images.
func deployment(target string, images ...string) manifest.Resource {
	var ctrs []any
	for _, img := range images {
		ctrs = append(ctrs, map[string]any{"name": "c", "image": img})
	}
	obj := map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "x"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": ctrs}}},
	}
	return manifest.Resource{ID: manifest.IDOf(obj), Object: obj, Target: target}
}

func TestImages(t *testing.T) {
	r := &repo.Repo{Targets: []repo.Target{
		{Path: "apps/a/overlays/dev", Includes: []string{"apps/a/base"}},
		{Path: "apps/a/overlays/prod", Includes: []string{"apps/a/base", "components/x"}},
		{Path: "apps/a/overlays/staging", Includes: []string{"apps/a/base"}},
		// Siblings that share nothing are applications of their own.
		{Path: "tools/one", Kind: repo.Plain},
		{Path: "tools/two", Kind: repo.Plain},
		{Path: "tools/broken"},
		// No image at all: left out.
		{Path: "config/empty", Kind: repo.Plain},
	}}
	res := map[string][]manifest.Resource{
		"apps/a/overlays/dev":     {deployment("apps/a/overlays/dev", "app:2.0", "sidecar@sha256:abc")},
		"apps/a/overlays/staging": {deployment("apps/a/overlays/staging", "app:1.9", "app:2.0", "sidecar@sha256:abc")},
		"apps/a/overlays/prod":    {deployment("apps/a/overlays/prod", "app:1.9", "sidecar@sha256:abc", "app:1.9")},
		"tools/one":               {deployment("tools/one", "tool")},
		"tools/two":               {deployment("tools/two", "tool:1")},
		"config/empty":            {},
	}
	got := Images(Input{Repo: r, Targets: r.Targets, Resources: res})
	want := &Promotion{
		Groups: []Group{
			{
				Name:         "apps/a/overlays/*",
				Environments: []Env{{"dev", "apps/a/overlays/dev"}, {"staging", "apps/a/overlays/staging"}, {"prod", "apps/a/overlays/prod"}},
				Images: []ImageRow{
					{Name: "app", Drift: true, Refs: map[string][]Image{
						"dev":     {{Ref: "app:2.0", Name: "app", Tag: "2.0"}},
						"staging": {{Ref: "app:1.9", Name: "app", Tag: "1.9"}, {Ref: "app:2.0", Name: "app", Tag: "2.0"}},
						"prod":    {{Ref: "app:1.9", Name: "app", Tag: "1.9"}},
					}},
					{Name: "sidecar", Refs: map[string][]Image{
						"dev":     {{Ref: "sidecar@sha256:abc", Name: "sidecar", Digest: "sha256:abc"}},
						"staging": {{Ref: "sidecar@sha256:abc", Name: "sidecar", Digest: "sha256:abc"}},
						"prod":    {{Ref: "sidecar@sha256:abc", Name: "sidecar", Digest: "sha256:abc"}},
					}},
				},
			},
			{Name: "tools/one", Environments: []Env{{"one", "tools/one"}}, Images: []ImageRow{{Name: "tool", Refs: map[string][]Image{"one": {{Ref: "tool", Name: "tool"}}}}}},
			{Name: "tools/two", Environments: []Env{{"two", "tools/two"}}, Images: []ImageRow{{Name: "tool", Refs: map[string][]Image{"two": {{Ref: "tool:1", Name: "tool", Tag: "1"}}}}}},
		},
		NotRendered: []string{"tools/broken"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestImagesOfReleases checks that a Helm release is an application of
// its own: one release deployed by the environments of an application is
// one group across them, apart from the targets' own images; a release
// only one environment deploys, or one that did not render, is shown as
// such.
func TestImagesOfReleases(t *testing.T) {
	const (
		staging = "apps/staging"
		prod    = "apps/production"
		web     = "#HelmRelease/web/web"
	)
	r := &repo.Repo{Targets: []repo.Target{
		{Path: staging, Includes: []string{"apps/base"}},
		{Path: prod, Includes: []string{"apps/base"}},
		{Path: "infra", Includes: []string{"infra/base"}},
	}}
	tests := []struct {
		name      string
		resources map[string][]manifest.Resource
		releases  map[string][]string
		want      *Promotion
	}{
		{
			name: "one release in two environments, the targets run no image of their own",
			resources: map[string][]manifest.Resource{
				staging: {}, prod: {}, "infra": {},
				staging + web: {deployment(staging+web, "web:1.1")},
				prod + web:    {deployment(prod+web, "web:1.0")},
			},
			releases: map[string][]string{staging: {staging + web}, prod: {prod + web}},
			want: &Promotion{Groups: []Group{{
				Name:         "apps/*" + web,
				Environments: []Env{{"staging", staging + web}, {"production", prod + web}},
				Images: []ImageRow{{Name: "web", Drift: true, Refs: map[string][]Image{
					"staging":    {{Ref: "web:1.1", Name: "web", Tag: "1.1"}},
					"production": {{Ref: "web:1.0", Name: "web", Tag: "1.0"}},
				}}},
			}}},
		},
		{
			name: "a release of one environment beside the target's images; one not rendered",
			resources: map[string][]manifest.Resource{
				staging: {deployment(staging, "proxy:2")}, prod: {deployment(prod, "proxy:2")},
				"infra":                         {},
				"infra#HelmRelease/db/postgres": {deployment("infra#HelmRelease/db/postgres", "postgres:16")},
			},
			releases: map[string][]string{prod: {prod + web}, "infra": {"infra#HelmRelease/db/postgres"}},
			want: &Promotion{
				Groups: []Group{
					{Name: "apps/*", Environments: []Env{{"staging", staging}, {"production", prod}}, Images: []ImageRow{{Name: "proxy", Refs: map[string][]Image{
						"staging": {{Ref: "proxy:2", Name: "proxy", Tag: "2"}}, "production": {{Ref: "proxy:2", Name: "proxy", Tag: "2"}},
					}}}},
					{Name: "infra#HelmRelease/db/postgres", Environments: []Env{{"infra", "infra#HelmRelease/db/postgres"}}, Images: []ImageRow{{Name: "postgres", Refs: map[string][]Image{
						"infra": {{Ref: "postgres:16", Name: "postgres", Tag: "16"}},
					}}}},
				},
				NotRendered: []string{prod + web},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Images(Input{Repo: r, Targets: r.Targets, Resources: tt.resources, Releases: tt.releases})
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
