package engine

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
	"github.com/gitops-lint/gitops-lint/policies"
)

// TestRepositoryChecksKeepWhatTheyRead shows what a check run keeps of
// each target's rendered resources for the repository-level checks once
// the target's own checks are done: what those checks read (Check.keeps),
// everything when a Flux Kustomization may read it all, and everything
// for a check that does not say.
func TestRepositoryChecksKeepWhatTheyRead(t *testing.T) {
	base := map[string]string{
		"apps/web/base/kustomization.yaml":          "resources: [deployment.yaml, worker.yaml, config.yaml]\n",
		"apps/web/base/deployment.yaml":             deployment("web", "nginx:1.28-rc1"),
		"apps/web/base/worker.yaml":                 deployment("worker", "busybox:1.36"),
		"apps/web/base/config.yaml":                 "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\ndata: {a: b}\n",
		"apps/web/overlays/dev/kustomization.yaml":  "resources: [../../base]\nnamePrefix: dev-\n",
		"apps/web/overlays/prod/kustomization.yaml": "resources: [../../base]\nnamePrefix: prod-\n",
	}
	flux := map[string]string{"clusters/prod/apps.yaml": `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps/web/overlays/prod
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
`}
	everything := map[string][]string{
		"apps/web/overlays/dev":  {"ConfigMap/dev-web", "Deployment/dev-web", "Deployment/dev-worker"},
		"apps/web/overlays/prod": {"ConfigMap/prod-web", "Deployment/prod-web", "Deployment/prod-worker"},
	}
	tests := []struct {
		name  string
		files []map[string]string
		keeps func(*checker, bool, *manifest.Resource) bool
		want  map[string][]string
	}{
		{
			name:  "GitOps checks without Flux: the workloads of production that run a pre-release image",
			files: []map[string]string{base},
			keeps: keepsGitOps,
			want:  map[string][]string{"apps/web/overlays/dev": {}, "apps/web/overlays/prod": {"Deployment/prod-web"}},
		},
		{
			name:  "GitOps checks with a Flux Kustomization: everything",
			files: []map[string]string{base, flux},
			keeps: keepsGitOps,
			want: map[string][]string{
				"apps/web/overlays/dev":  everything["apps/web/overlays/dev"],
				"apps/web/overlays/prod": everything["apps/web/overlays/prod"],
				"clusters/prod":          {"Kustomization/apps"},
			},
		},
		{
			name:  "a check that does not say: everything",
			files: []map[string]string{base},
			want:  everything,
		},
	}
	schemas := t.TempDir()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			for _, fs := range tt.files {
				treetest.Write(t, root, fs)
			}
			var mu sync.Mutex
			got := map[string][]string{}
			recorder := &Check{
				Name:  "recorder",
				Rules: []*rules.Rule{{ID: "recorder", Severity: rules.Info, Doc: "Records what it reads\nA test check.", Remediation: "None."}},
				Scope: RepositoryScope,
				keeps: tt.keeps,
				Run: func(p *Pass) error {
					mu.Lock()
					defer mu.Unlock()
					for target, res := range p.Rendered {
						got[target] = []string{}
						for _, r := range res {
							got[target] = append(got[target], r.ID.Kind+"/"+r.ID.Name)
						}
						slices.Sort(got[target])
					}
					return nil
				},
			}
			if _, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: schemas, Checks: append(Checks(), recorder)}); err != nil {
				t.Fatal(err)
			}
			for target, want := range tt.want {
				if !slices.Equal(got[target], want) {
					t.Errorf("%s: kept %s, want %s", target, strings.Join(got[target], " "), strings.Join(want, " "))
				}
			}
		})
	}
}

// TestChecksLetGoOfDecodedSources: once the last target that includes a
// kustomization is checked, the documents decoded from the files it names
// and its patches are let go (checked, checker.forget), while what is
// located in them is still reported for every target.
func TestChecksLetGoOfDecodedSources(t *testing.T) {
	root := t.TempDir()
	treetest.Write(t, root, map[string]string{
		"apps/web/base/kustomization.yaml":          "resources: [deployment.yaml]\n",
		"apps/web/base/deployment.yaml":             deployment("web", "nginx:latest"),
		"apps/web/overlays/dev/kustomization.yaml":  "resources: [../../base]\npatches: [{path: replicas.yaml}]\n",
		"apps/web/overlays/dev/replicas.yaml":       "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n",
		"apps/web/overlays/prod/kustomization.yaml": "resources: [../../base]\n",
	})
	ctx := context.Background()
	r, err := start(ctx, Options{Root: root, SchemaCacheDir: t.TempDir(), Policy: rego.Options{Builtin: policies.FS}})
	if err != nil {
		t.Fatal(err)
	}
	defer r.stop()
	for _, phase := range []func(context.Context) error{r.plan, r.render, r.resolve, r.check} {
		if err := phase(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"apps/web/base/deployment.yaml", "apps/web/overlays/dev/replicas.yaml"} {
		if r.c.sources.files.Has(f) {
			t.Errorf("%s: still decoded after every target that includes it was checked", f)
		}
	}
	res, err := r.finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	for _, f := range res.Findings {
		if f.RuleID == "image-tag-latest" && f.Location.String() == "apps/web/base/deployment.yaml:9:32" {
			targets = append(targets, f.Targets...)
		}
	}
	slices.Sort(targets)
	if want := []string{"apps/web/overlays/dev", "apps/web/overlays/prod"}; !slices.Equal(targets, want) {
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.RuleID+" "+f.Location.String())
		}
		t.Errorf("image-tag-latest at the base's image for %v, want %v; findings:\n%s", targets, want, strings.Join(got, "\n"))
	}
}

// deployment is a Deployment of one container named name; its image is
// on line 9.
func deployment(name, image string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s}
spec:
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:
      containers: [{name: %[1]s, image: %[2]q}]
`, name, image)
}
