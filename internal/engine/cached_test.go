package engine

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/synth"
	"github.com/gitops-lint/gitops-lint/policies"
)

// TestResultCacheInvalidatesExactlyTheAffectedTargets edits, one after the
// other, files that targets read - an overlay's .env, an app's base, a
// component - and checks that exactly the targets reading the file are
// rendered and checked again, the others come from the cache, and the
// findings are those of a run without the cache.
func TestResultCacheInvalidatesExactlyTheAffectedTargets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "argo")
	if _, err := synth.Generate(dir, synth.Options{Apps: 3, Layout: synth.Argo}); err != nil {
		t.Fatal(err)
	}
	cacheDir, schemas := t.TempDir(), t.TempDir()
	run := func(cached bool) *Result {
		t.Helper()
		opts := Options{Root: dir, SchemaCacheDir: schemas, Policy: rego.Options{Builtin: policies.FS}}
		if cached {
			opts.CacheDir = cacheDir
		}
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	rp, err := repo.Discover(dir, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, tg := range rp.Targets {
		all = append(all, tg.Path)
	}
	readers := func(file string) []string {
		var out []string
		for _, tg := range rp.Targets {
			if slices.Contains(rp.Dependencies(tg.Path), file) {
				out = append(out, tg.Path)
			}
		}
		return out
	}
	appendTo := func(file, text string) {
		p := filepath.Join(dir, filepath.FromSlash(file))
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, append(data, text...), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	if res := run(true); len(res.Cached) != 0 {
		t.Fatalf("cold run served %v from the cache", res.Cached)
	}
	tests := []struct {
		name string
		file string // edited before the run; "" for none
		text string
	}{
		{name: "nothing changed"},
		{name: "an overlay's .env", file: "apps/billing-001/overlays/prod/.env", text: "NEW_SETTING=1\n"},
		{name: "an app's base", file: "apps/catalog-002/base/service.yaml", text: "# edited\n"},
		{name: "a component", file: "components/monitoring/sidecar.yaml", text: "# edited\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var changed []string
			if tc.file != "" {
				appendTo(tc.file, tc.text)
				changed = readers(tc.file)
				if len(changed) == 0 || len(changed) == len(all) {
					t.Fatalf("%s is read by %v: the case shows nothing", tc.file, changed)
				}
			}
			res := run(true)
			want := slices.DeleteFunc(slices.Clone(all), func(p string) bool { return slices.Contains(changed, p) })
			if diff := cmp.Diff(want, res.Cached); diff != "" {
				t.Errorf("targets from the cache (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(run(false).Findings, res.Findings); diff != "" {
				t.Errorf("findings differ from a run without the cache (-uncached +cached):\n%s", diff)
			}
		})
	}
}
