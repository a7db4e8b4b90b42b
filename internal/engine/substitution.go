package engine

import (
	"bytes"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// substFile is a file that may hold what Flux's post-build substitution
// reads: a Flux Kustomization with a postBuild, or an object its
// substituteFrom names.
type substFile struct {
	file string
	// postBuild is set when the file mentions postBuild at all.
	postBuild bool
}

// mayHoldSubstitution reports whether a file may hold a Flux
// Kustomization with a postBuild or an object substituteFrom reads. The
// files are decoded only in a repository where one of the first kind
// has a postBuild.
func mayHoldSubstitution(file string, data []byte) (substFile, bool) {
	pb := bytes.Contains(data, []byte("postBuild"))
	return substFile{file: file, postBuild: pb}, pb || bytes.Contains(data, []byte("ConfigMap")) || bytes.Contains(data, []byte("Secret"))
}

// substitutions works out Flux's post-build substitution per target from
// the repository's files (gitops.Substitutions), for assemble to apply,
// and returns its findings.
func (c *checker) substitutions(targets []repo.Target, files []substFile, opts gitops.Options) []rules.Finding {
	flux := false
	for _, f := range files {
		if !f.postBuild {
			continue
		}
		for _, doc := range c.sources.get(f.file).docs {
			if doc.Object != nil && doc.ID().Kind == "Kustomization" {
				_, has := manifest.Lookup(doc.Object, "/spec/postBuild")
				flux = flux || has
			}
		}
	}
	if !flux {
		return nil
	}
	docs := make(map[string][]*manifest.Document, len(files))
	for _, f := range files {
		docs[f.file] = c.sources.get(f.file).docs
	}
	subst, findings := gitops.Substitutions(gitops.SubstitutionInput{Repo: c.repo, Targets: targets, Docs: docs, Read: c.sources.read}, opts)
	c.subst = subst
	return findings
}

// substitute applies the target's post-build substitution to its
// resources, keeping each changed object as written for tracing fields
// to the line that holds the placeholder.
func (c *checker) substitute(t repo.Target, res []manifest.Resource) {
	s := c.subst[t.Path]
	if s == nil {
		return
	}
	for i := range res {
		r := &res[i]
		if obj, ok := s.Substitute(r.Object); ok {
			r.Presubst, r.Object = r.Object, obj
			r.ID = manifest.IDOf(obj)
		}
	}
}
