package engine

import (
	"bytes"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// mayHoldSubstitution reports whether a file may hold a Flux
// Kustomization or an object its postBuild.substituteFrom reads; only
// such files are decoded for the substitution, and only in a repository
// where a Flux Kustomization has a postBuild.
func mayHoldSubstitution(data []byte) bool {
	return bytes.Contains(data, []byte("postBuild")) || bytes.Contains(data, []byte("ConfigMap")) || bytes.Contains(data, []byte("Secret"))
}

// substitutions works out Flux's post-build substitution per target from
// the repository's files (gitops.Substitutions), for assemble to apply,
// and returns its findings.
func (c *checker) substitutions(targets []repo.Target, files []string, opts gitops.Options) []rules.Finding {
	docs := map[string][]*manifest.Document{}
	flux := false
	for _, f := range files {
		d := c.sources.get(f).docs
		docs[f] = d
		for _, doc := range d {
			if doc.Object != nil && doc.ID().Kind == "Kustomization" {
				_, has := manifest.Lookup(doc.Object, "/spec/postBuild")
				flux = flux || has
			}
		}
	}
	if !flux {
		return nil
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
