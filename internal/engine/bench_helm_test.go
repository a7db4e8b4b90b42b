package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// helmBenchRepo writes a Flux repository with one local chart and, per
// environment, a cluster kustomization listing `releases` HelmReleases of
// it with values of their own.
func helmBenchRepo(b *testing.B, envs, releases int) string {
	b.Helper()
	root := b.TempDir()
	chart, err := os.ReadDir("../../testdata/repos/helm-flux/charts/web")
	if err != nil {
		b.Fatal(err)
	}
	write := func(p string, data []byte) {
		b.Helper()
		p = filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	var copyDir func(src, dst string, entries []os.DirEntry)
	copyDir = func(src, dst string, entries []os.DirEntry) {
		for _, e := range entries {
			s := filepath.Join(src, e.Name())
			if e.IsDir() {
				sub, err := os.ReadDir(s)
				if err != nil {
					b.Fatal(err)
				}
				copyDir(s, dst+"/"+e.Name(), sub)
				continue
			}
			data, err := os.ReadFile(s)
			if err != nil {
				b.Fatal(err)
			}
			write(dst+"/"+e.Name(), data)
		}
	}
	copyDir("../../testdata/repos/helm-flux/charts/web", "charts/web", chart)
	write("flux-system.yaml", []byte("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\nmetadata:\n  name: flux-system\n  namespace: flux-system\nspec:\n  url: https://example.com/fleet.git\n"))
	for e := range envs {
		kust := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"
		for r := range releases {
			name := fmt.Sprintf("app%02d", r)
			kust += "  - " + name + ".yaml\n"
			write(fmt.Sprintf("clusters/env%d/%s.yaml", e, name), fmt.Appendf(nil, `apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: %s
  namespace: env%d
spec:
  chart:
    spec:
      chart: ./charts/web
      sourceRef:
        kind: GitRepository
        name: flux-system
        namespace: flux-system
  values:
    replicaCount: %d
    image:
      tag: "1.%d"
`, name, e, r%5+1, r))
		}
		write(fmt.Sprintf("clusters/env%d/kustomization.yaml", e), []byte(kust))
	}
	return root
}

// BenchmarkHelmReleases checks 50 HelmReleases of a local chart in each of
// 4 environments: 200 chart renders (each rendered twice more for value
// attribution), then every check on their objects.
func BenchmarkHelmReleases(b *testing.B) {
	tuneGC(b)
	dir := helmBenchRepo(b, 4, 50)
	cache := b.TempDir()
	for b.Loop() {
		res, err := Run(context.Background(), Options{Root: dir, Jobs: benchJobs, SchemaCacheDir: cache, Policy: rego.Options{Builtin: policies.FS}})
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range res.Findings {
			if f.RuleID == rules.RenderError || f.RuleID == rules.HelmChartRemote {
				b.Fatalf("pipeline finding: %+v", f)
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}

// BenchmarkHelmTemplatePerRelease is the peer of BenchmarkHelmReleases:
// `helm template` run once per release of the same repository (200
// processes), as a CI job without gitops-lint renders it, before any
// check. It runs only when `make helm-equality` has installed the helm v4
// CLI into .bin.
func BenchmarkHelmTemplatePerRelease(b *testing.B) {
	hbin, err := filepath.Abs("../../.bin/helm")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := os.Stat(hbin); err != nil {
		b.Skip("helm not installed (make helm-equality installs it)")
	}
	dir := helmBenchRepo(b, 4, 50)
	home := b.TempDir()
	env := append(os.Environ(), "HELM_CACHE_HOME="+home, "HELM_CONFIG_HOME="+home, "HELM_DATA_HOME="+home)
	for b.Loop() {
		for e := range 4 {
			for r := range 50 {
				values := filepath.Join(home, "values.yaml")
				if err := os.WriteFile(values, fmt.Appendf(nil, "replicaCount: %d\nimage:\n  tag: \"1.%d\"\n", r%5+1, r), 0o644); err != nil {
					b.Fatal(err)
				}
				cmd := exec.Command(hbin, "template", fmt.Sprintf("app%02d", r), filepath.Join(dir, "charts/web"), "--namespace", fmt.Sprintf("env%d", e), "-f", values)
				cmd.Env = env
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("helm template: %v\n%s", err, out)
				}
			}
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/run")
}
