package engine

import (
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/gitx"
	"github.com/gitops-lint/gitops-lint/internal/gitx/gittest"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/synth"
	"github.com/gitops-lint/gitops-lint/policies"
)

// benchJobs is the parallelism the performance targets are stated for.
const benchJobs = 2

func generate(b *testing.B, layout synth.Layout, apps int) string {
	b.Helper()
	dir := filepath.Join(b.TempDir(), layout.String())
	if _, err := synth.Generate(dir, synth.Options{Apps: apps, Layout: layout}); err != nil {
		b.Fatal(err)
	}
	return dir
}

// peakRSSMiB is the process's high-water mark of resident memory.
func peakRSSMiB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// BenchmarkCheck runs the whole check on the synthetic repositories in the
// two layouts teams use: one deploy target per app overlay (Argo CD) and
// one cluster kustomization per environment aggregating every app (Flux).
func BenchmarkCheck(b *testing.B) {
	tuneGC(b)
	cache := b.TempDir()
	for _, layout := range []synth.Layout{synth.Argo, synth.Flux} {
		dir := generate(b, layout, 200)
		b.Run(layout.String(), func(b *testing.B) {
			var res *Result
			for b.Loop() {
				var err error
				res, err = Run(context.Background(), Options{Root: dir, Jobs: benchJobs, SchemaCacheDir: cache, Policy: rego.Options{Builtin: policies.FS}})
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range res.Findings {
					// Policies may object to the synthetic workloads; the
					// pipeline itself must not fail.
					if slices.ContainsFunc(rules.Builtin(), func(r *rules.Rule) bool { return r.ID == f.RuleID }) {
						b.Fatalf("synthetic repository has a pipeline finding: %+v", f)
					}
				}
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(len(res.Targets))/perOp, "targets/s")
			b.ReportMetric(float64(res.Resources)/perOp, "resources/s")
			b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
		})
		// render-only is kustomize alone, in process, each target built
		// whole as `kustomize build` would: the floor the check is
		// measured against.
		b.Run(layout.String()+"/render-only", func(b *testing.B) {
			rp, err := repo.Discover(dir, repo.Options{})
			if err != nil {
				b.Fatal(err)
			}
			r := render.New(render.Options{Root: rp.Root})
			resources := 0
			for b.Loop() {
				resources = sumParallel(b, len(rp.Targets), func(i int) (int, error) {
					out, err := r.Render(rp.Targets[i].Path)
					if err != nil {
						return 0, err
					}
					return len(out.Objects), nil
				})
			}
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(float64(len(rp.Targets))/perOp, "targets/s")
			b.ReportMetric(float64(resources)/perOp, "resources/s")
		})
	}
}

// BenchmarkPolicies measures the built-in Rego library alone: every
// rendered resource of the Argo layout, per-resource and per-target rules,
// with the same parallelism as the check.
func BenchmarkPolicies(b *testing.B) {
	ctx := context.Background()
	dir := generate(b, synth.Argo, 200)
	rp, err := repo.Discover(dir, repo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	r := render.New(render.Options{Root: rp.Root})
	targets := make([][]manifest.Resource, len(rp.Targets))
	resources := 0
	for i, t := range rp.Targets {
		out, err := r.Render(t.Path)
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range out.Objects {
			id := manifest.IDOf(o.Object)
			targets[i] = append(targets[i], manifest.Resource{ID: id, SourceID: id, Object: o.Object, Target: t.Path, Origin: manifest.Origin{File: t.Path + "/kustomization.yaml", Line: 1}})
		}
		resources += len(out.Objects)
	}
	pol, err := rego.Load(ctx, rego.Options{Builtin: policies.FS})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	findings := 0
	for b.Loop() {
		findings = sumParallel(b, len(rp.Targets), func(i int) (int, error) {
			fs, err := pol.Check(ctx, rego.Target{Path: rp.Targets[i].Path, Kind: "kustomize"}, targets[i])
			return len(fs), err
		})
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(perOp/float64(resources)*1e6, "µs/resource")
	b.ReportMetric(float64(len(pol.Rules())), "rules")
	b.ReportMetric(float64(findings), "findings")
}

// sumParallel runs f for 0..n-1 with the benchmark's parallelism and
// returns the sum of what it counted.
func sumParallel(b *testing.B, n int, f func(i int) (int, error)) int {
	var g errgroup.Group
	g.SetLimit(benchJobs)
	counts := make([]int, n)
	for i := range n {
		g.Go(func() error {
			var err error
			counts[i], err = f(i)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		b.Fatal(err)
	}
	total := 0
	for _, c := range counts {
		total += c
	}
	return total
}

// BenchmarkPreCommit measures what `check --staged` does for a one-file
// change in the 800-target repositories: read the staged files, select the
// affected kustomizations, export what they read from the index (git), and
// check them.
// The target is 0.5 s on two cores.
func BenchmarkPreCommit(b *testing.B) {
	tuneGC(b)
	cache := b.TempDir()
	ctx := context.Background()
	for _, layout := range []synth.Layout{synth.Argo, synth.Flux} {
		dir := generate(b, layout, 200)
		repo := gittest.Init(b, dir)
		repo.Commit("init")
		changed := filepath.Join(dir, "apps", "billing-001", "base", "deployment.yaml")
		data, err := os.ReadFile(changed)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(changed, append(data, []byte("# touched\n")...), 0o644); err != nil {
			b.Fatal(err)
		}
		repo.Git("add", ".")
		b.Run(layout.String(), func(b *testing.B) {
			var res *Result
			for b.Loop() {
				g, err := gitx.Open(ctx, dir)
				if err != nil {
					b.Fatal(err)
				}
				files, err := g.StagedFiles(ctx)
				if err != nil {
					b.Fatal(err)
				}
				index := b.TempDir()
				scope := func() ([]string, error) { return Scope(Options{Root: dir}, files) }
				if err := g.ExportStaged(ctx, scope, index); err != nil {
					b.Fatal(err)
				}
				res, err = Run(ctx, Options{Root: index, Jobs: benchJobs, SchemaCacheDir: cache, Policy: rego.Options{Builtin: policies.FS}, Changed: files})
				if err != nil {
					b.Fatal(err)
				}
				os.RemoveAll(index)
			}
			b.ReportMetric(float64(len(res.Targets)), "targets")
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*1000, "ms/commit")
		})
	}
}

// BenchmarkWarmCache measures a second check of an unchanged 800-target
// repository, every target's result in the cache (the target is 1 s);
// BenchmarkCheck is the cold run.
func BenchmarkWarmCache(b *testing.B) {
	tuneGC(b)
	schemas := b.TempDir()
	for _, layout := range []synth.Layout{synth.Argo, synth.Flux} {
		dir := generate(b, layout, 200)
		opts := Options{Root: dir, Jobs: benchJobs, SchemaCacheDir: schemas, CacheDir: b.TempDir(), Policy: rego.Options{Builtin: policies.FS}}
		if _, err := Run(context.Background(), opts); err != nil {
			b.Fatal(err)
		}
		b.Run(layout.String(), func(b *testing.B) {
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Run(context.Background(), opts); err != nil {
					b.Fatal(err)
				}
			}
			if len(res.Cached) != len(res.Targets) {
				b.Fatalf("%d of %d targets from the cache", len(res.Cached), len(res.Targets))
			}
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N)*1000, "ms/check")
		})
	}
}

// tuneGC applies the command's collector settings (cmd/gitops-lint
// tuneGC) for the benchmark.
func tuneGC(b *testing.B) {
	gc, limit := debug.SetGCPercent(400), debug.SetMemoryLimit(1280<<20)
	b.Cleanup(func() {
		debug.SetGCPercent(gc)
		debug.SetMemoryLimit(limit)
	})
}
