package engine

import (
	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// Workspace is a repository opened once for a command: discovered (its
// files confined to the root, each read and decoded once however many
// targets use it), its targets selected with the settings the
// configuration file gives them, and the renderers made on first use.
// check (Run), render views (Render, Images), list and the changed-file
// scope (Scope) all start from one.
type Workspace struct {
	// Repo is the discovered repository.
	Repo *repo.Repo
	// Targets are those the configuration file leaves in the run, in
	// discovery order.
	Targets []repo.Target

	opts     Options
	cfg      *config.Scope
	settings []config.TargetSettings
	c        *checker
}

// Open discovers the repository at opts.Root and selects its targets. Of
// the options, Root, AllowRemote, LoadRestrictions, Config and GitOps
// apply here; the others to what the workspace is used for.
func Open(opts Options) (*Workspace, error) {
	c, cfg, err := discover(opts)
	if err != nil {
		return nil, err
	}
	// Argo CD Applications render their Helm sources in every view,
	// which needs the repository's URLs.
	c.gitopsOpts = opts.GitOps
	targets, settings := selectTargets(c.repo, cfg, opts.LoadRestrictions)
	return &Workspace{Repo: c.repo, Targets: targets, opts: opts, cfg: cfg, settings: settings, c: c}, nil
}
