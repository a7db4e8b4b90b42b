package gitx

import (
	"context"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// ExportStaged writes into dst (an empty directory) what a check of the
// staged changes reads, from the git index: the files scope lists (what
// the kustomizations a staged file can affect name, selected in the
// working tree, and the staged files: see engine.Scope; a directory
// stands for the files under it) and the settings files
// (repo.IsSettingsFile). The index is read while scope runs: both
// wait on the disk. The index's kustomizations may name more than the
// working tree's; what they name is added from the index until nothing
// is missing that the index has. Exporting only this much keeps a commit
// in a large repository fast: writing thousands of files costs seconds.
func (r *Repo) ExportStaged(ctx context.Context, scope func() ([]string, error), dst string) error {
	var (
		x    *Index
		xErr error
		read = make(chan struct{})
	)
	go func() {
		defer close(read)
		x, xErr = r.ReadIndex(ctx)
	}()
	files, err := scope()
	<-read
	if err != nil {
		return err
	}
	if xErr != nil {
		return xErr
	}
	return r.exportStaged(ctx, x, files, dst)
}

// exportStaged exports scope and the settings files from x, then what
// the exported kustomizations name, round after round.
func (r *Repo) exportStaged(ctx context.Context, x *Index, scope []string, dst string) error {
	exported := map[string]bool{}
	want := slices.Clone(scope)
	for _, f := range x.Files {
		if repo.IsSettingsFile(f) {
			want = append(want, f)
		}
	}
	for round := 0; len(want) > 0 && round < 64; round++ {
		var batch []string
		for _, f := range want {
			for _, g := range x.At(f) {
				if !exported[g] {
					exported[g] = true
					batch = append(batch, g)
				}
			}
		}
		if len(batch) == 0 {
			break
		}
		slices.Sort(batch)
		if err := r.ExportPaths(ctx, x, batch, dst); err != nil {
			return err
		}
		var err error
		if want, err = missingFromIndex(dst, x); err != nil {
			return err
		}
	}
	return nil
}

// missingFromIndex lists what the exported kustomizations name that is not
// exported yet but is in the index: a file, or a directory's
// kustomization file.
func missingFromIndex(dst string, x *Index) ([]string, error) {
	rp, err := repo.Discover(dst, repo.Options{})
	if err != nil {
		return nil, err
	}
	var want []string
	for _, k := range rp.Kustomizations {
		for _, ref := range k.Refs {
			switch ref.Kind {
			case repo.RefMissing:
				if x.Has(ref.Path) {
					want = append(want, ref.Path)
					continue
				}
				fallthrough
			case repo.RefPlainDir:
				want = append(want, missingDir(ref, x, want)...)
			}
		}
	}
	return want, nil
}

// missingDir lists what the index has of a directory a kustomization
// names and the export lacks: its kustomization file, else (a directory
// of plain manifests, which kustomize rejects, but the error should be
// the index's) the files directly in it. want is what is already wanted.
func missingDir(ref repo.Ref, x *Index, want []string) []string {
	var out []string
	prefix := ref.Path + "/"
	for _, name := range repo.KustomizationFiles() {
		if x.Has(prefix + name) {
			out = append(out, prefix+name)
		}
	}
	if ref.Kind == repo.RefPlainDir || !slices.ContainsFunc(slices.Concat(want, out), func(f string) bool { return strings.HasPrefix(f, prefix) }) {
		i, _ := slices.BinarySearch(x.Files, prefix)
		for ; i < len(x.Files) && strings.HasPrefix(x.Files[i], prefix); i++ {
			if !strings.Contains(x.Files[i][len(prefix):], "/") {
				out = append(out, x.Files[i])
			}
		}
	}
	return out
}
