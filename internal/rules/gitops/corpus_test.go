package gitops_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// corpusDir holds real public GitOps repositories (see
// ../shared/corpus/SOURCES.md); the test skips when it is absent.
const corpusDir = "../../../../shared/corpus"

// fluxObject and argoObject find files that declare a Flux Kustomization
// or an Argo CD Application or ApplicationSet (the document's apiVersion
// and kind, in either order), which is cheaper than rendering every entry
// of the corpus.
var (
	fluxObject = []*regexp.Regexp{regexp.MustCompile(`(?m)^apiVersion:\s*kustomize\.toolkit\.fluxcd\.io/`), regexp.MustCompile(`(?m)^kind:\s*Kustomization\s*$`)}
	argoObject = []*regexp.Regexp{regexp.MustCompile(`(?m)^apiVersion:\s*argoproj\.io/`), regexp.MustCompile(`(?m)^kind:\s*Application(Set)?\s*$`)}
)

func declaresGitOpsObjects(t *testing.T, root string) bool {
	t.Helper()
	matchAll := func(data []byte, res []*regexp.Regexp) bool {
		for _, re := range res {
			if !re.Match(data) {
				return false
			}
		}
		return true
	}
	found := false
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || found || d.IsDir() {
			return err
		}
		if ext := filepath.Ext(p); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.Contains(data, []byte("kustomize.toolkit.fluxcd.io/")) || bytes.Contains(data, []byte("argoproj.io/")) {
			found = matchAll(data, fluxObject) || matchAll(data, argoObject)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// upstreams reads the repository of each corpus entry from SOURCES.md:
// the corpus has no .git, so Argo CD's repoURLs are matched against these.
func upstreams() map[string]string {
	data, err := os.ReadFile(filepath.Join(corpusDir, "SOURCES.md"))
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) > 3 && strings.Count(cells[2], "/") == 1 {
			out[strings.TrimSpace(cells[1])] = "https://github.com/" + strings.TrimSpace(cells[2])
		}
	}
	return out
}

// TestCorpusReferences resolves every Flux Kustomization and Argo CD path
// of the corpus and prints the counts per entry. Every Flux Kustomization
// rendered from an entry must be counted exactly once; the Flux
// Kustomization documents of its files are accounted for as rendered,
// patches of another, or in no rendered target (listed).
func TestCorpusReferences(t *testing.T) {
	if os.Getenv("GITOPS_LINT_CORPUS") == "" {
		t.Skip("renders the whole corpus: make corpus runs it (GITOPS_LINT_CORPUS=1)")
	}
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	urls := upstreams()
	var total gitops.Stats
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			root := filepath.Join(corpusDir, e.Name())
			if !declaresGitOpsObjects(t, root) {
				t.Skip("no Flux Kustomization or Argo CD object in the entry's files")
			}
			r, err := engine.Render(context.Background(), engine.Options{Root: root, Jobs: 2})
			if err != nil {
				t.Fatal(err)
			}
			opts := gitops.Options{}
			if u, ok := urls[e.Name()]; ok {
				opts.RepoURLs = []string{u}
			}
			start := time.Now()
			findings, stats := gitops.Check(r.GitOps(), opts)
			t.Logf("checked %d targets in %v", len(r.Resources), time.Since(start).Round(time.Millisecond))
			byRule := map[string]int{}
			for _, f := range findings {
				byRule[f.RuleID]++
				if f.RuleID == gitops.FluxPathMissing || f.RuleID == gitops.ArgoPathMissing {
					t.Logf("%s: %s", f.Location, f.Message)
				}
			}
			t.Logf("flux: %d resolved, %d missing, %d not in repo, %d skipped; argo: %d resolved, %d missing, %d not in repo, %d skipped; findings %v",
				stats.Flux.Resolved, stats.Flux.Missing, stats.Flux.NotInRepo, stats.Flux.Skipped,
				stats.Argo.Resolved, stats.Argo.Missing, stats.Argo.NotInRepo, stats.Argo.Skipped, byRule)
			if got, want := sum(stats.Flux), fluxDocuments(r); got != want {
				t.Errorf("%d Flux Kustomizations counted, %d rendered from distinct documents", got, want)
			}
			rendered, patches, unrendered := fluxSources(t, r)
			t.Logf("flux documents in the files: %d rendered, %d patches of others, %d in no rendered target", rendered, patches, len(unrendered))
			for _, u := range unrendered {
				t.Logf("not rendered: %s", u)
			}
			addCounts(&total.Flux, stats.Flux)
			addCounts(&total.Argo, stats.Argo)
		})
	}
	t.Logf("corpus total: flux %+v, argo %+v", total.Flux, total.Argo)
}

func sum(c gitops.Counts) int { return c.Resolved + c.Missing + c.NotInRepo + c.Skipped }

func addCounts(dst *gitops.Counts, c gitops.Counts) {
	dst.Resolved += c.Resolved
	dst.Missing += c.Missing
	dst.NotInRepo += c.NotInRepo
	dst.Skipped += c.Skipped
}

// fluxDocuments counts the distinct source documents of the rendered Flux
// Kustomizations (with their path and source, which a patch may change).
func fluxDocuments(r *engine.Rendered) int {
	seen := map[string]bool{}
	for _, res := range r.Resources {
		for _, x := range res {
			if x.ID.Kind != "Kustomization" || x.ID.Group() != "kustomize.toolkit.fluxcd.io" {
				continue
			}
			var parts []string
			for _, p := range []string{"/spec/path", "/spec/sourceRef/kind", "/spec/sourceRef/name"} {
				v, _ := manifest.Lookup(x.Object, p)
				parts = append(parts, fmt.Sprint(v))
			}
			seen[x.Origin.String()+strings.Join(parts, "\x00")] = true
		}
	}
	return len(seen)
}

// fluxSources accounts for every Flux Kustomization document in the
// entry's files: rendered by some target, a patch applied to another, or
// in no rendered target (a target that is blocked or fails to render).
func fluxSources(t *testing.T, r *engine.Rendered) (rendered, patches int, unrendered []string) {
	t.Helper()
	origins := map[manifest.Origin]bool{}
	for _, res := range r.Resources {
		for _, x := range res {
			origins[x.Origin] = true
		}
	}
	patchFiles := map[string]bool{}
	for _, k := range r.Repo.Kustomizations {
		for _, ref := range k.Refs {
			if ref.Field == "patches" || ref.Field == "patchesStrategicMerge" {
				patchFiles[ref.Path] = true
			}
		}
	}
	for _, f := range r.Repo.Files {
		if ext := filepath.Ext(f); ext != ".yaml" && ext != ".yml" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.Repo.Root, f))
		if err != nil {
			t.Fatal(err)
		}
		docs, _ := manifest.DecodeFile(f, data)
		for _, d := range docs {
			if id := d.ID(); d.Object == nil || id.Kind != "Kustomization" || id.Group() != "kustomize.toolkit.fluxcd.io" {
				continue
			}
			switch o := (manifest.Origin{File: f, Line: d.Line, Col: 1}); {
			case origins[o]:
				rendered++
			case patchFiles[f]:
				patches++
			default:
				unrendered = append(unrendered, o.String())
			}
		}
	}
	return rendered, patches, unrendered
}
