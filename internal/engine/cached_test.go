package engine

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/synth"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
	"github.com/gitops-lint/gitops-lint/policies"
)

// TestResultCacheInvalidatesExactlyTheAffectedTargets edits, one after the
// other, files that targets read - an overlay's .env, an app's base, a
// component - and checks that exactly the targets reading the file are
// rendered and checked again, the others come from the cache, and the
// findings are those of a run without the cache.
func TestResultCacheInvalidatesExactlyTheAffectedTargets(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "argo")
	gen := synth.Options{Apps: 3, Layout: synth.Argo}
	if testing.Short() {
		// Two environments instead of four: each edit below still
		// selects some targets and not others, with half the renders.
		gen.Envs = []string{"dev", "prod"}
	}
	if _, err := synth.Generate(dir, gen); err != nil {
		t.Fatal(err)
	}
	cacheDir, schemas := t.TempDir(), t.TempDir()
	run := func(cached bool) *Result {
		t.Helper()
		opts := Options{Root: dir, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load, Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load}
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
		if errors.Is(err, fs.ErrNotExist) {
			err = nil // a new file
		}
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
		{name: "an unrelated file at the top", file: "NOTES.md", text: "notes\n"},
		{name: "an unrelated file in a base", file: "apps/catalog-002/base/NOTES.md", text: "notes\n"},
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
				if path.Base(tc.file) == "NOTES.md" {
					if len(changed) != 0 {
						t.Fatalf("%s is read by %v: the case shows nothing", tc.file, changed)
					}
				} else if len(changed) == 0 || len(changed) == len(all) {
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

// TestResultCacheRecordsWhatTheRenderRead edits a file after the render
// read it and before the entry is written (from the progress callback,
// which runs after each unit and target): the entry must record the hash
// of the bytes the render saw, so the next run misses and finds the
// error the edit introduced instead of trusting the old, clean result.
func TestResultCacheRecordsWhatTheRenderRead(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"app/kustomization.yaml": "resources:\n  - cm.yaml\n",
		"app/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n",
	}
	treetest.Write(t, dir, files)
	cacheDir, schemas := t.TempDir(), t.TempDir()
	edited := false
	opts := Options{Root: dir, SchemaCacheDir: schemas, CacheDir: cacheDir, Jobs: 1}
	opts.Progress = func(done, total int) {
		if edited {
			return
		}
		edited = true
		broken := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: [1, 2]\n" // data values must be strings
		if err := os.WriteFile(filepath.Join(dir, "app", "cm.yaml"), []byte(broken), 0o644); err != nil {
			t.Error(err)
		}
	}
	first, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !edited || len(first.Findings) != 0 {
		t.Fatalf("the first run saw the edit (edited %v, findings %v); the test proves nothing", edited, first.Findings)
	}
	opts.Progress = nil
	second, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Cached) != 0 {
		t.Errorf("the warm run trusted an entry of content the render never read: %v", second.Cached)
	}
	if len(second.Findings) == 0 {
		t.Error("the warm run misses the error the edit introduced")
	}
}

// TestResultCacheRepositoryLevelEntry: a file that no target reads but a
// repository-level check does (a directory a Flux Kustomization names
// comes into existence) changes that check's finding on a warm run,
// while every target's findings still come from the cache; an unrelated
// file changes nothing.
func TestResultCacheRepositoryLevelEntry(t *testing.T) {
	dir := copyRepo(t, filepath.Join("..", "..", "testdata", "repos", "gitops"))
	cacheDir, schemas := t.TempDir(), t.TempDir()
	run := func(cached bool) *Result {
		t.Helper()
		opts := Options{Root: dir, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load, Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load}
		if cached {
			opts.CacheDir = cacheDir
		}
		res, err := Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	pathMissing := func(res *Result) []string {
		var out []string
		for _, f := range res.Findings {
			if f.RuleID == "flux-path-missing" {
				out = append(out, f.Message)
			}
		}
		return out
	}
	cold := run(true)
	before := pathMissing(cold)
	if len(before) != 1 {
		t.Fatalf("flux-path-missing findings %q, want one: the case shows nothing", before)
	}
	tests := []struct {
		name  string
		files map[string]string
		// sameFlux says the flux-path-missing finding stays as it was.
		sameFlux bool
	}{
		{name: "an unrelated file", files: map[string]string{"NOTES.md": "notes\n"}, sameFlux: true},
		{name: "the missing path appears, without manifests", files: map[string]string{"apps/shop/overlays/production/README.md": "soon\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			treetest.Write(t, dir, tc.files)
			warm := run(true)
			if len(warm.Cached) != len(warm.Targets) {
				t.Errorf("%d of %d targets from the cache, want all", len(warm.Cached), len(warm.Targets))
			}
			if got := pathMissing(warm); cmp.Equal(got, before) != tc.sameFlux {
				t.Errorf("flux-path-missing %q, before %q; same wanted: %v", got, before, tc.sameFlux)
			}
			if diff := cmp.Diff(run(false).Findings, warm.Findings); diff != "" {
				t.Errorf("findings differ from a run without the cache (-uncached +cached):\n%s", diff)
			}
		})
	}
}
