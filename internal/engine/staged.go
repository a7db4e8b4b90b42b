package engine

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/gitx"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// settingsFiles configure the run wherever they are: they are exported
// from the index whatever changed.
var settingsFiles = []string{".gitops-lint.yaml", ".gitleaks.toml", ".gitleaksignore", ".sops.yaml", ".gitignore"}

// ExportStaged writes into dst (an empty directory) what a check of the
// staged changes reads, from the git index: the files that the
// kustomizations a staged file can affect name (selected in the working
// tree, see Scope), the staged files, and the settings files. The index's
// kustomizations may name more than the working tree's; what they name is
// added from the index until nothing is missing that the index has.
// Exporting only this much keeps a commit in a large repository fast:
// writing thousands of files costs seconds.
func ExportStaged(ctx context.Context, g *gitx.Repo, opts Options, staged []string, dst string) error {
	index, err := g.IndexFiles(ctx)
	if err != nil {
		return err
	}
	inIndex := make(map[string]bool, len(index))
	for _, f := range index {
		inIndex[f] = true
	}
	scope, err := Scope(opts, staged)
	if err != nil {
		return err
	}
	exported := map[string]bool{}
	want := slices.Clone(scope)
	for _, f := range index {
		if slices.Contains(settingsFiles, path.Base(f)) {
			want = append(want, f)
		}
	}
	for round := 0; len(want) > 0 && round < 64; round++ {
		var batch []string
		for _, f := range want {
			if inIndex[f] && !exported[f] {
				exported[f] = true
				batch = append(batch, f)
			}
		}
		if len(batch) == 0 {
			break
		}
		slices.Sort(batch)
		if err := g.ExportPaths(ctx, batch, dst); err != nil {
			return err
		}
		if want, err = missingFromIndex(dst, index, inIndex); err != nil {
			return err
		}
	}
	return nil
}

// missingFromIndex lists what the exported kustomizations name that is not
// exported yet but is in the index: a file, or a directory's
// kustomization file.
func missingFromIndex(dst string, index []string, inIndex map[string]bool) ([]string, error) {
	rp, err := repo.Discover(dst, repo.Options{})
	if err != nil {
		return nil, err
	}
	var want []string
	for _, k := range rp.Kustomizations {
		for _, ref := range k.Refs {
			switch ref.Kind {
			case repo.RefMissing:
				if inIndex[ref.Path] {
					want = append(want, ref.Path)
					continue
				}
				fallthrough
			case repo.RefPlainDir:
				prefix := ref.Path + "/"
				for _, name := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
					if inIndex[prefix+name] {
						want = append(want, prefix+name)
					}
				}
				if ref.Kind == repo.RefPlainDir || !slices.ContainsFunc(want, func(f string) bool { return strings.HasPrefix(f, prefix) }) {
					// A directory of plain manifests (kustomize rejects
					// it, but the error should be the index's).
					i, _ := slices.BinarySearch(index, prefix)
					for ; i < len(index) && strings.HasPrefix(index[i], prefix); i++ {
						if !strings.Contains(index[i][len(prefix):], "/") {
							want = append(want, index[i])
						}
					}
				}
			}
		}
	}
	return want, nil
}
