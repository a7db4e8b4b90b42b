package secrets

import (
	"context"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
)

// fakes are the run-time fake credentials of secretstest.
type fakes = secretstest.Fakes

func newFakes() *fakes { return secretstest.NewFakes() }

// materialise copies testdata/<name> with its placeholders filled in.
func materialise(t testing.TB, f *fakes, name string) string {
	t.Helper()
	return f.Materialise(t, filepath.Join("testdata", name))
}

// scanRepo runs what the engine runs over a repository: the file scan,
// every kustomization, and every object written in a YAML file as a plain
// resource of the target of its directory. It returns the merged findings.
func scanRepo(t testing.TB, dir string) []rules.Finding {
	t.Helper()
	_, all := scanTree(t, dir)
	return all
}

// scanTree is scanRepo that also returns the discovered repository.
func scanTree(t testing.TB, dir string) (*repo.Repo, []rules.Finding) {
	t.Helper()
	s, rp := newScanner(t, dir)
	all := s.ScanFiles(context.Background(), rp.Files, 2)
	for _, k := range rp.Kustomizations {
		all = append(all, s.ScanKustomization(k)...)
	}
	for _, file := range rp.Files {
		for _, r := range sourceResources(t, rp.Root, file) {
			all = append(all, s.ScanResource(&r)...)
		}
	}
	return rp, rules.Merge(all)
}

// sourceResources decodes the objects written in a YAML file, as the
// engine does for plain targets.
func sourceResources(t testing.TB, root, file string) []manifest.Resource {
	if ext := path.Ext(file); ext != ".yaml" && ext != ".yml" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := manifest.DecodeFile(file, data)
	var res []manifest.Resource
	for _, d := range docs {
		if d.Object == nil || !manifest.IsKubernetesObject(d.Object) {
			continue
		}
		res = append(res, manifest.Resource{
			ID: d.ID(), SourceID: d.ID(), Object: d.Object, Doc: d,
			Origin: manifest.Origin{File: file, Line: d.Line, Col: 1}, Target: path.Dir(file),
		})
	}
	return res
}

// leaks returns the fake secrets that appear anywhere in the findings.
func leaks(f *fakes, fs []rules.Finding) []string {
	var text strings.Builder
	for _, x := range fs {
		text.WriteString(x.Message + "\x00" + x.Path + "\x00" + x.Fingerprint + "\x00")
	}
	var out []string
	for _, s := range f.Secret {
		if strings.Contains(text.String(), s) {
			out = append(out, s[:4]+"…")
		}
	}
	return slices.Compact(out)
}
