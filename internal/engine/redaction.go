package engine

import (
	"context"
	"maps"
	"slices"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// The run's redaction Set (c.red) learns every secret value of the run as
// the run meets it: the secretGenerators' inputs when the repository is
// discovered, every credential the secret scan finds, the values of every
// rendered Secret, and those of the Secrets in the files of a target that
// fails to render (kustomize may quote them). It learns the names that are
// never hidden the same way. Every finding passes through it before it is
// cached, merged or returned, so a message from any source (kustomize,
// schema validation, policies, the repository-level checks) is screened
// with every value the run knows, and two targets never word one finding
// two ways.

// learnRepository records what discovery knows: the secretGenerators'
// inputs, and the paths of the repository and of its targets.
func (c *checker) learnRepository() {
	c.red.Add(c.repo.SensitiveValues(slices.Collect(maps.Keys(c.repo.Kustomizations)))...)
	c.red.AddPublic(c.repo.Files...)
	for dir := range c.repo.Kustomizations {
		c.red.AddPublic(dir)
	}
}

// learnResources records the values of a target's Secrets and the names
// of its resources, before any message about them is built.
func (c *checker) learnResources(res []manifest.Resource) {
	for i := range res {
		r := &res[i]
		c.red.Add(manifest.SecretValues(r.Object)...)
		c.red.AddPublic(redact.Names(r.Object)...)
		c.red.AddPublic(r.SourceID.Name, r.SourceID.Namespace)
	}
}

// learnSources records the values of the Secrets written in the files a
// unit reads: a failed render has no rendered Secrets, and kustomize may
// quote a value of one in its error.
func (c *checker) learnSources(unit string) {
	for _, f := range c.repo.Dependencies(unit) {
		if !isManifestFile(f) {
			continue
		}
		for _, d := range c.sources.get(f).docs {
			if d.Object != nil {
				c.red.Add(manifest.SecretValues(d.Object)...)
			}
		}
	}
}

// hide screens the findings in place: their messages and field paths (a
// policy chooses its own path, and may build it from a value).
func (c *checker) hide(fs []rules.Finding) {
	for i := range fs {
		fs[i].Message = c.red.Text(fs[i].Message)
		fs[i].Path = c.red.Text(fs[i].Path)
	}
}

// hideReasons screens the reasons written in suppression comments, once
// suppressions are applied.
func (c *checker) hideReasons(fs []rules.Finding) {
	for i := range fs {
		if s := fs[i].Suppression; s != nil && s.Justification != "" {
			cp := *s // shared by the findings one comment silences
			cp.Justification = c.red.Text(s.Justification)
			fs[i].Suppression = &cp
		}
	}
}

// secretValue reports whether a value a validation error quotes is secret:
// one the run knows, or one gitleaks recognises written under its key.
func (c *checker) secretValue(key, v string) bool {
	return c.red.Has(v) || redact.Strong(v) && c.red.Text(v) != v || c.secrets.Credential(context.Background(), key, v)
}

// hideImages screens the image references of a promotion view: a
// replacement can write any value, a Secret's too, into an image field.
func (c *checker) hideImages(p *gitops.Promotion) {
	for g := range p.Groups {
		rows := p.Groups[g].Images
		for i := range rows {
			rows[i].Name = c.red.Text(rows[i].Name)
			for _, refs := range rows[i].Refs {
				for j := range refs {
					im := &refs[j]
					im.Ref, im.Name, im.Tag, im.Digest = c.red.Text(im.Ref), c.red.Text(im.Name), c.red.Text(im.Tag), c.red.Text(im.Digest)
				}
			}
		}
	}
}
