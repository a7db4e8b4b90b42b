package engine

import (
	"context"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
	"github.com/gitops-lint/gitops-lint/internal/suppress"
)

// CheckScope says what one pass of a check looks at, and so when the driver
// runs it.
type CheckScope int

const (
	// FileScope checks see one repository file in the run's scope at a
	// time (Pass.File), beside the renders: they need no rendered output.
	FileScope CheckScope = iota
	// KustomizationScope checks see one kustomization file at a time
	// (Pass.Kustomization).
	KustomizationScope
	// ResourceScope checks see one rendered resource of one target at a
	// time (Pass.Target, Pass.Resource).
	ResourceScope
	// TargetScope checks see one rendered target, its resources together
	// (Pass.Target, Pass.Resources).
	TargetScope
	// RepositoryScope checks run once, with every rendered target
	// (Pass.Rendered).
	RepositoryScope
	// FindingsScope checks run once at the end, after suppressions are
	// applied, with every other check's findings (Pass.Findings): checks
	// about the findings themselves.
	FindingsScope
)

// String names the scope: "file", "resource"...
func (s CheckScope) String() string {
	switch s {
	case FileScope:
		return "file"
	case KustomizationScope:
		return "kustomization"
	case ResourceScope:
		return "resource"
	case TargetScope:
		return "target"
	case RepositoryScope:
		return "repository"
	case FindingsScope:
		return "findings"
	}
	return fmt.Sprintf("CheckScope(%d)", int(s))
}

// Check is a runnable piece of the rule catalogue, in the spirit of
// go/analysis' Analyzer: it carries the rules it reports, the scope it
// runs at and its code. Checks are plain values handed to the engine in
// one explicit list (Checks, or Options.Checks); the driver runs a check
// only when at least one of its rules is enabled.
type Check struct {
	// Name identifies the check in errors and in the result cache's key.
	Name string
	// Rules are the rules the check reports. Several checks of one family
	// may share a rule (the same ID): the catalogue lists it once, where
	// it first appears, and it is enabled for all of them.
	Rules []*rules.Rule
	// Scope says what each pass sees.
	Scope CheckScope
	// Run reports the check's findings through the pass. An error stops
	// the run: return one only when the run cannot go on (a cancelled
	// context); problems in the repository are findings.
	Run func(*Pass) error

	// policy marks the check that evaluates the Rego rules, which are
	// enabled one by one through rego.Options.Disabled: it runs when any
	// loaded policy rule is, whatever its own rules say.
	policy bool
	// perTarget marks a repository-level check whose findings about one
	// target are kept with that target in the result cache, for runs
	// that do not render it again.
	perTarget bool
	// keeps says which rendered resources of a target a repository-level
	// check reads through Pass.Rendered; the run keeps only those once the
	// target's own checks are done (see checker.retained). Nil keeps them
	// all, as for a check given through Options.Checks.
	keeps func(c *checker, production bool, r *manifest.Resource) bool
}

// keepsNothing is keeps for a repository-level check that reads no
// rendered resource.
func keepsNothing(*checker, bool, *manifest.Resource) bool { return false }

// keepsGitOps is what the GitOps checks read (gitops.Reads).
func keepsGitOps(c *checker, production bool, r *manifest.Resource) bool {
	return gitops.Reads(r, production, c.fluxDeploys)
}

// Pass is one run of a check over what its scope gives it, and where it
// reports. Only the fields of the check's scope are set.
type Pass struct {
	Context context.Context
	// Check is the check being run.
	Check *Check
	// Repo is the discovered repository.
	Repo *repo.Repo
	// File is the repository-relative file of a FileScope pass.
	File string
	// Kustomization is the kustomization of a KustomizationScope pass.
	Kustomization *repo.Kustomization
	// Target is the target of a ResourceScope or TargetScope pass.
	Target repo.Target
	// Resource is the resource of a ResourceScope pass.
	Resource *manifest.Resource
	// Resources are the target's resources in a TargetScope pass.
	Resources []manifest.Resource
	// Rendered are the resources of every rendered target, by target
	// path, in a RepositoryScope pass: those that some repository-level
	// check of the run keeps (Check.keeps), all of them when one of
	// them does not say.
	Rendered map[string][]manifest.Resource
	// Findings are every other check's findings in a FindingsScope pass.
	Findings []rules.Finding

	// run is the run's state, which the built-in checks reach into.
	run      *checker
	settings targetSettings
	out      []rules.Finding
	// uncached is set by KeepOutOfCache.
	uncached bool
}

// KeepOutOfCache says that what this pass reported may not be replayed
// from the result cache in a later run, because the pass did more than
// report: the credential scan teaches the run's redaction the values it
// finds. The result cache keeps a FileScope pass's findings by the file's
// content otherwise, so a FileScope check must depend on nothing but the
// file and the run's options, or call this.
func (p *Pass) KeepOutOfCache() { p.uncached = true }

// targetSettings is what a target pass needs of the configuration file.
type targetSettings struct {
	environment string
}

// Report records a finding. A finding of a rule that is switched off is
// dropped here, so that a check need not ask.
func (p *Pass) Report(f rules.Finding) {
	if !p.run.enabled(f.RuleID) {
		return
	}
	p.out = append(p.out, f)
}

// ReportAll records each finding as Report does.
func (p *Pass) ReportAll(fs []rules.Finding) {
	for _, f := range fs {
		p.Report(f)
	}
}

// Checks returns the built-in checks, in catalogue order: the pipeline's
// own rules, the Rego policies, schema and API checks, suppressions, the
// CRD facts, the secret checks, the GitOps references and the API-server
// rules. Each call returns new values.
func Checks() []*Check {
	builtin := rules.Builtin()
	sec := secrets.Rules()
	ops := gitops.Rules()
	api := apiserver.Rules()
	return []*Check{
		{
			Name:  "pipeline",
			Rules: pickRules(builtin, rules.RenderError, rules.RemoteResource, rules.PathEscape, rules.KustomizationCycle, rules.YAMLSyntax, rules.TemplateSkipped, rules.FileTooLarge, rules.HelmChartRemote),
			Scope: RepositoryScope,
			Run:   runPipeline,
			keeps: keepsNothing,
		},
		{
			Name:   "policy",
			Rules:  pickRules(builtin, rules.PolicyError),
			Scope:  TargetScope,
			Run:    runPolicy,
			policy: true,
		},
		{
			Name:  "schema",
			Rules: pickRules(builtin, rules.SchemaInvalid, rules.MissingSchema, rules.RemovedAPI, rules.DeprecatedAPI),
			Scope: ResourceScope,
			Run:   func(p *Pass) error { p.run.validate(p.Resource, p.Report); return nil },
		},
		{
			Name:  "suppression",
			Rules: pickRules(builtin, rules.SuppressionMissingReason, rules.SuppressionUnused),
			Scope: FindingsScope,
			Run:   runSuppression,
		},
		{
			Name:  "crds",
			Rules: pickRules(builtin, rules.CRDConflict),
			Scope: RepositoryScope,
			Run:   func(p *Pass) error { p.ReportAll(p.run.crdFindings); return nil },
			keeps: keepsNothing,
		},
		{
			Name:  "secrets-resource",
			Rules: pickRules(sec, secrets.LeakedCredential, secrets.PlaintextSecret),
			Scope: ResourceScope,
			Run:   func(p *Pass) error { p.ReportAll(p.run.secrets.ScanResource(p.Resource)); return nil },
		},
		{
			Name:  "secrets-kustomization",
			Rules: pickRules(sec, secrets.SecretGeneratorPlaintext),
			Scope: KustomizationScope,
			Run:   func(p *Pass) error { p.ReportAll(p.run.secrets.ScanKustomization(p.Kustomization)); return nil },
		},
		{
			Name:  "secrets-file",
			Rules: pickRules(sec, secrets.LeakedCredential, secrets.PlaintextSecret, secrets.SOPSUnencrypted, secrets.SecretScanSkipped),
			Scope: FileScope,
			Run:   runSecretsFile,
		},
		{
			Name:      "gitops",
			Rules:     ops,
			Scope:     RepositoryScope,
			Run:       runGitOps,
			perTarget: true,
			keeps:     keepsGitOps,
		},
		{
			// Flux's post-build substitution is applied before the
			// targets are checked (resolve); this reports what it found.
			Name:  "flux-substitution",
			Rules: pickRules(ops, gitops.FluxVarUndefined, gitops.FluxSubstituteFromMissing),
			Scope: RepositoryScope,
			Run:   runSubstitution,
			keeps: keepsNothing,
		},
		{
			Name:  "apiserver",
			Rules: api,
			Scope: ResourceScope,
			Run:   func(p *Pass) error { p.ReportAll(p.run.apiserver.Check(p.Context, p.Resource)); return nil },
		},
		{
			// The API server refuses a CRD whose CEL rule does not
			// compile whether or not a target renders it: the CRD files
			// of the repository, read for their schemas, are checked too.
			Name:  "apiserver-crd-files",
			Rules: pickRules(api, apiserver.CELRuleInvalid),
			Scope: RepositoryScope,
			Run:   func(p *Pass) error { p.ReportAll(p.run.crdFileFindings); return nil },
			keeps: keepsNothing,
		},
	}
}

// pickRules returns the rules of a family's list with these IDs, in the order
// given; an ID the list lacks is a programmer error.
func pickRules(family []*rules.Rule, ids ...string) []*rules.Rule {
	out := make([]*rules.Rule, 0, len(ids))
	for _, id := range ids {
		i := slices.IndexFunc(family, func(r *rules.Rule) bool { return r.ID == id })
		if i < 0 {
			panic("engine: no rule " + id)
		}
		out = append(out, family[i])
	}
	return out
}

// checkRules lists the rules of the checks once each, in order. Checks
// of one family share a rule by sharing its value; two different rules
// with one ID are an error.
func checkRules(checks []*Check) ([]*rules.Rule, error) {
	var out []*rules.Rule
	seen := map[string]*rules.Rule{}
	for _, ch := range checks {
		for _, r := range ch.Rules {
			switch first, ok := seen[r.ID]; {
			case !ok:
				seen[r.ID] = r
				out = append(out, r)
			case first != r:
				return nil, fmt.Errorf("rule %q declared twice (check %s)", r.ID, ch.Name)
			}
		}
	}
	return out, nil
}

// validateChecks rejects checks the driver cannot run.
func validateChecks(checks []*Check) error {
	names := map[string]bool{}
	for _, ch := range checks {
		switch {
		case ch.Name == "":
			return fmt.Errorf("check without a name")
		case names[ch.Name]:
			return fmt.Errorf("duplicate check %q", ch.Name)
		case ch.Run == nil:
			return fmt.Errorf("check %q has no Run", ch.Name)
		case len(ch.Rules) == 0 && !ch.policy:
			return fmt.Errorf("check %q reports no rule", ch.Name)
		case ch.Scope < FileScope || ch.Scope > FindingsScope:
			return fmt.Errorf("check %q has an unknown scope %d", ch.Name, ch.Scope)
		}
		names[ch.Name] = true
	}
	return nil
}

// enabled reports whether a rule is on in this run.
func (c *checker) enabled(id string) bool {
	_, ok := c.severity[id]
	return ok
}

// selectChecks keeps the checks that have a rule enabled, by scope.
func (c *checker) selectChecks(checks []*Check) {
	c.checks = map[CheckScope][]*Check{}
	for _, ch := range checks {
		on := ch.policy && slices.ContainsFunc(c.policy.Rules(), func(r *rules.Rule) bool { return c.enabled(r.ID) })
		for _, r := range ch.Rules {
			on = on || c.enabled(r.ID)
		}
		if on {
			c.checks[ch.Scope] = append(c.checks[ch.Scope], ch)
		}
	}
}

// hasChecks reports whether any check runs at the scope.
func (c *checker) hasChecks(s CheckScope) bool { return len(c.checks[s]) > 0 }

// pass runs the checks of a scope over what p holds and returns their
// findings; p's Check is set for each.
func (c *checker) pass(s CheckScope, p Pass) ([]rules.Finding, error) {
	out, _, err := c.passes(s, p)
	return out, err
}

// passes is pass that also says whether every check left its findings
// fit for the result cache (Pass.KeepOutOfCache).
func (c *checker) passes(s CheckScope, p Pass) (out []rules.Finding, keep bool, err error) {
	keep = true
	for _, ch := range c.checks[s] {
		q := p
		q.Check, q.run, q.Repo, q.out = ch, c, c.repo, nil
		if q.Context == nil {
			q.Context = context.Background()
		}
		if err := ch.Run(&q); err != nil {
			return out, false, fmt.Errorf("check %s: %w", ch.Name, err)
		}
		out = append(out, q.out...)
		keep = keep && !q.uncached
	}
	return out, keep, nil
}

// runPipeline reports what discovery found wrong with the repository's
// files in the run's scope. Render failures are reported by the render
// step as each target assembles, with the same rules.
func runPipeline(p *Pass) error {
	for _, f := range p.Repo.Findings {
		if p.run.scope.has(f.Location.File) {
			p.Report(f)
		}
	}
	return nil
}

// runPolicy evaluates the Rego rules over one target.
func runPolicy(p *Pass) error {
	c := p.run
	pt := c.policyTarget(p.Target, p.Resources)
	pt.Environment = p.settings.environment
	fs, err := c.policy.Check(p.Context, pt, p.Resources)
	if err != nil {
		return err
	}
	for i := range fs {
		if fs[i].RuleID == rules.PolicyError {
			// At the rule, which OPA names by the path it was loaded from.
			fs[i].Location.File = c.repoRelative(fs[i].Location.File)
		}
	}
	// Policies report only their enabled rules (rego.Options.Disabled);
	// policy-error is the pass's to filter.
	p.out = append(p.out, slices.DeleteFunc(fs, func(f rules.Finding) bool {
		return f.RuleID == rules.PolicyError && !c.enabled(f.RuleID)
	})...)
	return nil
}

// runSecretsFile scans one file for credentials and unencrypted SOPS
// files, unless the configuration allowlists it.
func runSecretsFile(p *Pass) error {
	if p.run.secretAllowed(p.File) {
		return nil
	}
	fs, learned := p.run.secrets.ScanFile(p.Context, p.File)
	if learned {
		p.KeepOutOfCache() // later runs must learn the value again
	}
	p.ReportAll(fs)
	return nil
}

// runGitOps follows the Flux and Argo CD references of the rendered
// repository; the run's summary takes its counts.
func runGitOps(p *Pass) error {
	c := p.run
	fs, stats := gitops.Check(c.gitopsInput(c.targets, c.settings, p.Rendered), c.gitopsOpts)
	c.gitopsStats = stats
	p.ReportAll(fs)
	return nil
}

// runSubstitution reports the problems of Flux's post-build substitution
// found in the resolve step, in the files of the run's scope.
func runSubstitution(p *Pass) error {
	for _, f := range p.run.substFindings {
		if p.run.scope.has(f.Location.File) {
			p.Report(f)
		}
	}
	return nil
}

// runSuppression reports the suppressions that give no reason or match
// nothing, which the finish step found as it applied them.
func runSuppression(p *Pass) error {
	p.ReportAll(p.run.suppressionFindings)
	return nil
}

// fileChecks runs the file-scope checks over the files, up to jobs at
// once. The result is sorted and does not depend on jobs; when ctx is
// cancelled the run stops early and its error says so.
func (c *checker) fileChecks(ctx context.Context, files []string, jobs int, fc *fileCache) []rules.Finding {
	if !c.hasChecks(FileScope) {
		return nil
	}
	results := make([][]rules.Finding, len(files))
	var g errgroup.Group
	g.SetLimit(jobs)
	for i, f := range files {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if ctx.Err() != nil {
				return nil
			}
			if fs, ok := fc.get(f); ok {
				results[i] = fs
				return nil
			}
			// Only a cancelled context fails a pass, and the run notices
			// that itself; what a cancelled pass found is not kept.
			fs, keep, err := c.passes(FileScope, Pass{Context: ctx, File: f})
			results[i] = fs
			fc.set(f, fs, keep && err == nil && ctx.Err() == nil)
			return nil
		})
	}
	_ = g.Wait() // workers never fail
	out := slices.Concat(results...)
	slices.SortStableFunc(out, rules.Compare)
	return out
}

// repositoryChecks runs the repository-scope checks. The findings of the
// checks whose findings are cached per target come apart (cached).
func (c *checker) repositoryChecks(ctx context.Context, rendered map[string][]manifest.Resource) (other, cached []rules.Finding, err error) {
	for _, ch := range c.checks[RepositoryScope] {
		p := Pass{Context: ctx, Check: ch, Repo: c.repo, Rendered: rendered, run: c}
		if err := ch.Run(&p); err != nil {
			return nil, nil, fmt.Errorf("check %s: %w", ch.Name, err)
		}
		if ch.perTarget {
			cached = append(cached, p.out...)
		} else {
			other = append(other, p.out...)
		}
	}
	return other, cached, nil
}

// applySuppressions marks the findings that suppressions cover and
// returns the suppressions' own findings. A suppression that names only
// rules of the catalogue switched off in this run is not reported as
// unused: nothing ran that could have used it.
func (c *checker) applySuppressions(fs []rules.Finding, ds []suppress.Directive) []rules.Finding {
	var on, off []suppress.Directive
	for _, d := range ds {
		if len(d.Rules) > 0 && !slices.ContainsFunc(d.Rules, func(id string) bool { return !c.known[id] || c.enabled(id) }) {
			off = append(off, d)
		} else {
			on = append(on, d)
		}
	}
	out := suppress.Apply(fs, on)
	for _, f := range suppress.Apply(nil, off) {
		if f.RuleID != rules.SuppressionUnused {
			out = append(out, f)
		}
	}
	return out
}
