// Package engine runs a check end to end: discover targets, render them in
// parallel, validate every resource, and merge the findings into one
// deterministic result.
package engine

import (
	"context"
	"fmt"
	"maps"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
	"github.com/gitops-lint/gitops-lint/internal/schema"
	"github.com/gitops-lint/gitops-lint/internal/suppress"
)

// Options configure a run.
type Options struct {
	// Changed, when not nil, limits the run to what these repository-
	// relative files can affect (a pre-commit hook's staged files, a pull
	// request's changes): the smallest kustomizations that read one and
	// build on their own, or with Full the whole targets including them;
	// only changed files are scanned for credentials.
	Changed []string
	// Full makes a run limited by Changed check whole targets.
	Full bool
	// CacheDir, when set, keeps each target's results there between runs
	// (internal/cache): a target none of whose inputs changed is neither
	// rendered nor checked again, unless other targets' checks need it.
	CacheDir string
	// Root is the repository to check.
	Root string
	// Jobs bounds how many targets are rendered at once (default GOMAXPROCS).
	Jobs int
	// KubernetesVersion is the release to check against ("" for the
	// newest): any minor of the API table (see apis.Index.Resolve).
	// Schemas are that minor's when embedded, else the nearest embedded.
	KubernetesVersion string
	// SchemaLocations are extra kubeconform-style schema locations.
	SchemaLocations []string
	// SchemaCacheDir is where embedded schemas are materialised ("" for the
	// user cache directory).
	SchemaCacheDir string
	// CRDPaths are CRD files or directories named on the command line
	// (--crds): relative to the working directory or absolute, and read even
	// outside the repository, because the user named them. Their CRDs come
	// before the repository's (see crds.go).
	CRDPaths []string
	// RepoCRDPaths are CRD files or directories named by the repository's
	// configuration: repository-relative, and refused when they leave the
	// repository. They come after CRDPaths.
	RepoCRDPaths []string
	// AllowRemote permits network access: remote kustomize resources and
	// http(s) schema locations.
	AllowRemote bool
	// LoadRestrictions are kustomize's (default rootOnly, as `kustomize build`).
	LoadRestrictions types.LoadRestrictions
	// Progress, when set, is called after each target with the number of
	// targets done and the total. It may be called from several goroutines.
	Progress func(done, total int)
	// Policy configures Rego evaluation: the built-in library and user
	// policies. Its Disabled field is set from Rules.
	Policy rego.Options
	// Rules switch rules off and change their severities.
	Rules rules.Settings
	// Config is the repository's configuration file, for what only the
	// file says: which targets and files the run covers, per-target
	// settings, per-path overrides and the secret allowlist. What flags
	// can also say is merged into the fields above by the caller. Nil
	// means no file.
	Config *config.Config
	// GitOps configures the repository-level checks (Flux and Argo CD
	// references, image tags per environment).
	GitOps gitops.Options
}

// stepper returns the function workers call after each unit or target:
// it reports progress, when asked for, counting up to total.
func (o Options) stepper(total int) func() {
	if o.Progress == nil {
		return func() {}
	}
	var (
		mu   sync.Mutex // called from the workers
		done int
	)
	return func() {
		mu.Lock()
		done++
		o.Progress(done, total)
		mu.Unlock()
	}
}

func (o Options) jobs() int {
	if o.Jobs <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return o.Jobs
}

// Result is the outcome of a run.
type Result struct {
	Root string
	// KubernetesVersion is the release checked against, e.g. "1.34.8".
	KubernetesVersion string
	// SchemaVersion is the release whose schemas validated resources; it
	// differs from KubernetesVersion when that one's are not embedded.
	SchemaVersion string
	Targets       []repo.Target
	// Findings are merged across targets and sorted.
	Findings []rules.Finding
	// Rules is the catalogue that ran.
	Rules []*rules.Rule
	// Resources counts rendered resources over all targets.
	Resources int
	// References count the Flux and Argo CD paths that were followed.
	References gitops.Stats
	// Cached are the targets whose results came from the result cache.
	Cached []string
	// SkippedTransitionRules counts the evaluations of CRD validation rules
	// that compare with the stored object (oldSelf), skipped because a
	// create has none; targets from the result cache are not counted.
	SkippedTransitionRules int64
}

// Run checks the repository. Problems in the repository are findings; an
// error means the run itself could not happen (bad options, unreadable
// root) and maps to exit code 2.
func Run(ctx context.Context, opts Options) (*Result, error) {
	policy, catalogue, err := load(ctx, opts)
	if err != nil {
		return nil, err
	}
	index, err := apis.Load()
	if err != nil {
		return nil, err
	}
	target, err := index.Resolve(opts.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	validator, err := schema.New(schema.Options{
		KubernetesVersion: schema.NearestVersion(target.Release),
		Locations:         opts.SchemaLocations,
		AllowNetwork:      opts.AllowRemote,
		CacheDir:          opts.SchemaCacheDir,
	})
	if err != nil {
		return nil, err
	}
	c, cfg, err := discover(opts)
	if err != nil {
		return nil, err
	}
	rp := c.repo
	scanner, err := secrets.New(rp, secrets.Options{AllowRegexes: cfg.Secrets.Regexes, Ignore: cfg.Secrets.Fingerprints})
	if err != nil {
		return nil, err
	}
	explicitCRDs, err := loadCRDPaths(rp.Root, opts.CRDPaths, false)
	if err != nil {
		return nil, err
	}
	repoCRDs, err := loadCRDPaths(rp.Root, opts.RepoCRDPaths, true)
	if err != nil {
		return nil, err
	}
	c.validator, c.policy, c.secrets = validator, policy, scanner
	c.severity, c.apis, c.target = severities(catalogue), index, target
	jobs := opts.jobs()
	targets, settings := selectTargets(rp, cfg, opts.LoadRestrictions)
	var sc *scope
	if opts.Changed != nil {
		targets, settings, sc = c.narrow(targets, settings, opts.Changed, opts.Full)
	}
	plans, unitKeys := c.planAll(targets, settings)
	step := opts.stepper(len(unitKeys) + len(targets))
	// The credential scan reads every file once, whatever includes it, and
	// runs beside the renders: it needs no rendered output.
	var fileFindings []rules.Finding
	scanned := make(chan struct{})
	scanCtx, stopScan := context.WithCancel(ctx)
	defer stopScan() // an early return must not leave the scan running
	files := slices.DeleteFunc(slices.Clone(rp.Files), func(f string) bool {
		return cfg.Excluded(f) || cfg.SecretAllowed(f) || (sc != nil && !sc.changed[f])
	})
	go func() {
		defer close(scanned)
		fileFindings = scanner.ScanFiles(scanCtx, files, jobs)
	}()
	// Phase 1: render every unit once, however many targets include it;
	// meanwhile find the CRDs in the repository's files.
	var (
		fileCRDs []crdDef
		inline   []suppress.Directive
	)
	crdsFound := make(chan struct{})
	go func() {
		defer close(crdsFound)
		fileCRDs, inline = c.readFiles(sc)
	}()
	// With the result cache, only the targets whose inputs changed are
	// rendered and checked; when one is, so is every target that other
	// targets' checks read (CRDs, Flux and Argo CD objects), and then all
	// targets are rendered for the repository-level checks.
	rc, err := newResultCache(opts, rp, cfg)
	if err != nil {
		return nil, err
	}
	hits := make([]*cachedTarget, len(targets))
	anyMiss, anyShared := false, false
	for i, t := range targets {
		hits[i] = rc.get(t, plans[i])
		anyMiss = anyMiss || hits[i] == nil
		anyShared = anyShared || (hits[i] != nil && hits[i].Shared)
	}
	err = c.renderUnits(ctx, c.unitsOf(plans, func(i int) bool { return hits[i] == nil }), jobs, step)
	<-crdsFound
	if err != nil {
		return nil, err
	}
	renderAll := anyMiss && (anyShared || c.anyShared(unitKeys))
	if renderAll {
		if err := c.renderUnits(ctx, c.unitsOf(plans, func(int) bool { return true }), jobs, step); err != nil {
			return nil, err
		}
	}
	// Every CRD of the run validates the custom resources of every target.
	crdKinds, crdFindings := resolveCRDs(slices.Concat(explicitCRDs, repoCRDs), slices.Concat(c.renderedCRDs(c.rendered(unitKeys)), fileCRDs))
	c.validator = validator.WithCRDs(crdKinds)
	c.apiserver = apiserver.New(apiserver.Options{CRDs: crdKinds, KubernetesMinor: target.Minor})
	fileKinds, _ := resolveCRDs(slices.Concat(explicitCRDs, repoCRDs), fileCRDs)
	crds, fileCRDsHash := crdHash(crdInputs(crdKinds)), crdHash(crdInputs(fileKinds))
	for i, h := range hits {
		if h != nil && (h.FileCRDs != fileCRDsHash || (renderAll && h.CRDs != crds)) {
			hits[i] = nil // validated against other CRDs: check it again
		}
	}
	if err := c.renderUnits(ctx, c.unitsOf(plans, func(i int) bool { return hits[i] == nil }), jobs, step); err != nil {
		return nil, err
	}
	// Phase 2: assemble and check each target.
	results := make([]targetResult, len(targets))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, t := range targets {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			defer step()
			if h := hits[i]; h != nil {
				results[i] = targetResult{findings: h.Findings, missing: h.Missing, directives: h.Directives, resources: h.Resources, cached: true}
				if renderAll {
					results[i].rendered, _, results[i].built = c.assemble(t, plans[i])
				}
				return nil
			}
			var err error
			results[i], err = c.checkTarget(gctx, t, plans[i])
			return err
		})
	}
	err = g.Wait()
	<-scanned
	if err != nil {
		return nil, err
	}
	var cached []string
	for i, r := range results {
		if r.cached {
			cached = append(cached, targets[i].Path)
		}
	}

	all := slices.Concat(slices.DeleteFunc(slices.Clone(rp.Findings), func(f rules.Finding) bool { return !sc.has(f.Location.File) }), fileFindings, crdFindings)
	for _, dir := range slices.Sorted(maps.Keys(rp.Kustomizations)) {
		if k := rp.Kustomizations[dir]; sc.has(k.File) {
			all = append(all, scanner.ScanKustomization(k)...)
		}
	}
	missing := map[string]*rules.Finding{}
	resources := 0
	directives := inline
	for _, r := range results {
		all = append(all, r.findings...)
		directives = append(directives, r.directives...)
		resources += r.resources
		for _, m := range r.missing {
			addMissing(missing, m)
		}
	}
	for _, f := range missing {
		all = append(all, *f)
	}
	// Repository-level checks need every target's resources at once.
	rendered := make(map[string][]manifest.Resource, len(targets))
	for i, t := range targets {
		if results[i].built {
			rendered[t.Path] = results[i].rendered
		}
	}
	refs, stats := gitops.Check(c.gitopsInput(targets, settings, rendered), opts.GitOps)
	for i, t := range targets {
		switch h := hits[i]; {
		case h != nil && !renderAll:
			refs = append(refs, h.GitOps...) // not rendered: its own, from the cache
		case h == nil:
			rc.put(t, plans[i], c.reads(t, plans[i]), cachedTarget{
				Findings: results[i].findings, Missing: results[i].missing, Directives: results[i].directives,
				Resources: results[i].resources, CRDs: crds, FileCRDs: fileCRDsHash, Shared: shared(results[i].rendered),
				GitOps: ownFindings(refs, t.Path),
			})
		}
	}
	if rc != nil {
		_ = rc.c.Prune()
	}
	all = append(all, refs...)
	all = append(all, suppress.Apply(all, directives)...)
	all = slices.DeleteFunc(all, func(f rules.Finding) bool {
		_, enabled := c.severity[f.RuleID]
		return !enabled
	})
	for i := range all {
		f := &all[i]
		f.Severity = c.severity[f.RuleID]
		if f.Fingerprint == "" {
			disc := ""
			if f.Resource.IsZero() {
				disc = f.Message
			}
			f.Fingerprint = rules.Fingerprint(f.RuleID, f.Location.File, f.Resource, f.Path, disc)
		}
	}
	return &Result{
		Root:              rp.Root,
		KubernetesVersion: target.Release,
		SchemaVersion:     validator.KubernetesVersion(),
		Targets:           targets,
		Findings:          applyConfig(rules.Merge(all), cfg, targets),
		Rules:             catalogue,
		Resources:         resources,
		References:        stats,
		Cached:            cached,

		SkippedTransitionRules: c.apiserver.SkippedTransitionRules(),
	}, nil
}

// Catalogue returns every rule a run with these options knows, enabled
// or not, with default severities: the Go rules, then the Rego library,
// then user policies.
func Catalogue(ctx context.Context, opts Options) ([]*rules.Rule, error) {
	policy := opts.Policy
	policy.Disabled = func(string) bool { return true }
	_, all, err := catalogue(ctx, policy)
	return all, err
}

// load compiles the policies once for the whole run and returns the rules
// that run, with their effective severities.
func load(ctx context.Context, opts Options) (*rego.Engine, []*rules.Rule, error) {
	policy := opts.Policy
	policy.Disabled = opts.Rules.IsDisabled
	policy.AllowNetwork = opts.AllowRemote
	e, all, err := catalogue(ctx, policy)
	if err != nil {
		return nil, nil, err
	}
	// Before Apply, so that a rule ID the file gets wrong is reported at
	// its line.
	if err := opts.Config.CheckRules(all); err != nil {
		return nil, nil, err
	}
	active, err := opts.Rules.Apply(all)
	if err != nil {
		return nil, nil, err
	}
	return e, active, nil
}

// catalogue loads the policies and lists every rule of every family.
func catalogue(ctx context.Context, policy rego.Options) (*rego.Engine, []*rules.Rule, error) {
	e, err := rego.Load(ctx, policy)
	if err != nil {
		return nil, nil, err
	}
	all := slices.Concat(rules.Builtin(), secrets.Rules(), gitops.Rules(), apiserver.Rules(), e.Rules())
	if err := rules.Validate(all); err != nil {
		return nil, nil, fmt.Errorf("rule catalogue: %w", err)
	}
	return e, all, nil
}

// selectTargets returns the targets the configuration file leaves in the
// run, with their settings (the run's load restriction where the file
// sets none); a plain target loses its excluded files.
// discover finds the repository's targets and makes the checker every
// entry point (Run, Render, Scope) starts from: discovery, the source
// documents and the renderers, with the configuration file (empty when
// there is none).
func discover(opts Options) (*checker, *config.Config, error) {
	rp, err := repo.Discover(opts.Root, repo.Options{AllowRemote: opts.AllowRemote})
	if err != nil {
		return nil, nil, err
	}
	cfg := opts.Config
	if cfg == nil {
		cfg = &config.Config{}
	}
	c := &checker{
		repo:      rp,
		renderers: map[types.LoadRestrictions]*render.Renderer{},
		sources:   newSourceCache(rp.Root),
		units:     map[unitKey]*unit{},
	}
	c.edits = origin.New(rp, c.sources.read)
	return c, cfg, nil
}

func selectTargets(rp *repo.Repo, cfg *config.Config, lr types.LoadRestrictions) ([]repo.Target, []config.TargetSettings) {
	if lr == types.LoadRestrictionsUnknown {
		lr = types.LoadRestrictionsRootOnly
	}
	var targets []repo.Target
	var settings []config.TargetSettings
	for _, t := range rp.Targets {
		s := cfg.Target(t.Path, t.Files)
		if s.Skipped != "" {
			continue
		}
		if s.LoadRestrictions == types.LoadRestrictionsUnknown {
			s.LoadRestrictions = lr
		}
		t.Files = s.Files
		targets = append(targets, t)
		settings = append(settings, s)
	}
	return targets, settings
}

// applyConfig keeps the merged findings that the configuration file
// leaves in the run - none located in an excluded file, none of the
// secret checks in an allowlisted file, none that only targets out of the
// run show - and applies its per-path overrides.
func applyConfig(fs []rules.Finding, cfg *config.Config, targets []repo.Target) []rules.Finding {
	checked := make(map[string]bool, len(targets))
	for _, t := range targets {
		checked[t.Path] = true
	}
	secretRule := map[string]bool{}
	for _, r := range secrets.Rules() {
		secretRule[r.ID] = true
	}
	out := fs[:0]
	for _, f := range fs {
		if cfg.Excluded(f.Location.File) || (secretRule[f.RuleID] && cfg.SecretAllowed(f.Location.File)) {
			continue
		}
		if len(f.Targets) > 0 {
			f.Targets = slices.DeleteFunc(f.Targets, func(t string) bool { return !checked[t] })
			if len(f.Targets) == 0 {
				continue
			}
		}
		if cfg.Adjust(&f) {
			out = append(out, f)
		}
	}
	return out
}

func severities(rs []*rules.Rule) map[string]rules.Severity {
	m := make(map[string]rules.Severity, len(rs))
	for _, r := range rs {
		m[r.ID] = r.Severity
	}
	return m
}

type checker struct {
	repo      *repo.Repo
	validator *schema.Validator
	apiserver *apiserver.Checker
	// renderers by load restriction: the configuration file may set one
	// per target.
	renderers map[types.LoadRestrictions]*render.Renderer
	apis      *apis.Index
	target    apis.Target
	sources   *sourceCache
	edits     *origin.Builder
	policy    *rego.Engine
	secrets   *secrets.Scanner
	severity  map[string]rules.Severity
	// units are written before the workers start and read-only after;
	// each unit's fields are set by exactly one worker.
	units map[unitKey]*unit
}

// unitKey names a unit: a kustomization rendered with a load restriction.
type unitKey struct {
	dir string
	lr  types.LoadRestrictions
}

// unit is a kustomization rendered on its own. A target is the union of
// its units: itself, or the parts of a kustomization that only aggregates
// others (a Flux cluster listing every app overlay), which render faster
// apart than together and are shared between targets that list them.
type unit struct {
	out *render.Output
	err error
}

// plan says how a target is built: from which units, plus which manifest
// files an aggregating kustomization lists directly, with the settings
// the configuration file gives it.
type plan struct {
	units    []string
	files    []string
	settings config.TargetSettings
}

// planAll plans the targets of the run, each with its settings, and
// lists the units to render, each once per load restriction.
func (c *checker) planAll(targets []repo.Target, settings []config.TargetSettings) ([]plan, []unitKey) {
	plans := make([]plan, len(targets))
	var unitKeys []unitKey
	for i, t := range targets {
		plans[i] = c.plan(t)
		plans[i].settings = settings[i]
		lr := settings[i].LoadRestrictions
		c.renderer(lr)
		for _, d := range plans[i].units {
			k := unitKey{dir: d, lr: lr}
			if _, ok := c.units[k]; !ok {
				c.units[k] = &unit{}
				unitKeys = append(unitKeys, k)
			}
		}
	}
	return plans, unitKeys
}

// renderer returns the renderer for a load restriction, made on first
// use; only called before the workers start or after they are done.
func (c *checker) renderer(lr types.LoadRestrictions) *render.Renderer {
	if c.renderers[lr] == nil {
		// Origin annotations would switch on kustomize's per-transformer
		// bookkeeping, which doubles render time; sources are inferred
		// from the kustomization graph instead (see origin.go).
		c.renderers[lr] = render.New(render.Options{Root: c.repo.Root, LoadRestrictions: lr})
	}
	return c.renderers[lr]
}

// renderUnits renders the units in parallel; a failed render is kept on
// its unit, only a cancelled context is an error.
func (c *checker) renderUnits(ctx context.Context, keys []unitKey, jobs int, step func()) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, k := range keys {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			u := c.units[k]
			u.out, u.err = c.renderers[k.lr].Render(k.dir)
			step()
			return nil
		})
	}
	return g.Wait()
}

func (c *checker) plan(t repo.Target) plan {
	if t.Kind != repo.Kustomize || t.Blocked != "" {
		return plan{}
	}
	var p plan
	if !c.expand(t.Path, &p, map[string]bool{}) {
		return plan{units: []string{t.Path}}
	}
	return p
}

// expand decomposes an aggregating kustomization into its parts; it
// reports false when the kustomization must be rendered as a whole
// (anything but directories of kustomizations and manifest files). A
// manifest file outside the kustomization's directory also needs the whole
// render: only kustomize knows whether the load restrictor allows it.
func (c *checker) expand(dir string, p *plan, seen map[string]bool) bool {
	k := c.repo.Kustomizations[dir]
	if !k.Aggregator {
		p.units = append(p.units, dir)
		return true
	}
	for _, ref := range k.Refs {
		switch {
		case ref.Kind == repo.RefFile && (dir == "." || strings.HasPrefix(ref.Path, dir+"/")) && c.sources.get(ref.Path).plainObjects():
			p.files = append(p.files, ref.Path)
		case ref.Kind == repo.RefDir && !c.repo.Kustomizations[ref.Path].Component && !seen[ref.Path]:
			seen[ref.Path] = true
			if !c.expand(ref.Path, p, seen) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

type targetResult struct {
	// cached is set when the findings come from the result cache.
	cached     bool
	findings   []rules.Finding
	missing    []rules.Finding
	directives []suppress.Directive
	resources  int
	// rendered are the target's resources, for the repository-level
	// checks, when built says it rendered.
	rendered []manifest.Resource
	built    bool
}

func (c *checker) checkTarget(ctx context.Context, t repo.Target, p plan) (targetResult, error) {
	var out targetResult
	res, failed, ok := c.assemble(t, p)
	if !ok {
		out.findings = failed
		return out, nil
	}
	out.resources = len(res)
	out.rendered, out.built = res, true
	for i := range res {
		c.validate(&res[i], &out)
		out.findings = append(out.findings, c.apiserver.Check(ctx, &res[i])...)
		out.findings = append(out.findings, c.secrets.ScanResource(&res[i])...)
		if d, ok := suppress.FromResource(&res[i]); ok {
			out.directives = append(out.directives, d)
		}
	}
	pt := c.policyTarget(t, res)
	pt.Environment = p.settings.Environment
	fs, err := c.policy.Check(ctx, pt, res)
	if err != nil {
		return out, err
	}
	out.findings = append(out.findings, fs...)
	return out, nil
}

// assemble gathers a target's resources from its rendered units and
// manifest files. It reports false when there is nothing to check: the
// target is blocked (discovery said why) or did not render (the returned
// findings say why).
func (c *checker) assemble(t repo.Target, p plan) ([]manifest.Resource, []rules.Finding, bool) {
	var res []manifest.Resource
	switch {
	case t.Blocked != "":
		return nil, nil, false
	case t.Kind == repo.Plain:
		for _, f := range t.Files {
			res = append(res, plainResources(t.Path, f, c.repo.Manifests[f])...)
		}
	default:
		for _, d := range p.units {
			u := c.units[unitKey{dir: d, lr: p.settings.LoadRestrictions}]
			if u.err != nil {
				return nil, []rules.Finding{c.renderError(t, d, u.err)}, false
			}
			res = append(res, c.resources(t, d, u.out)...)
		}
		for _, f := range p.files {
			res = append(res, plainResources(t.Path, f, c.sources.get(f).docs)...)
		}
		if len(p.units)+len(p.files) > 1 {
			if f, dup := c.duplicateIDs(t, res); dup {
				return nil, []rules.Finding{f}, false
			}
		}
	}
	return res, nil, true
}

// policyTarget describes a target to policies; findings about the target
// as a whole are shown at its kustomization file (or first manifest).
func (c *checker) policyTarget(t repo.Target, res []manifest.Resource) rego.Target {
	pt := rego.Target{Path: t.Path, Kind: t.Kind.String()}
	if k, ok := c.repo.Kustomizations[t.Path]; ok {
		pt.Anchor = manifest.Origin{File: k.File, Line: 1}
	} else if len(t.Files) > 0 {
		pt.Anchor = manifest.Origin{File: t.Files[0], Line: 1}
	}
	for _, r := range res {
		pt.Files = append(pt.Files, r.Origin.File)
	}
	slices.Sort(pt.Files)
	pt.Files = slices.Compact(pt.Files)
	return pt
}

// readFiles reads every repository file once for what the run takes from
// files themselves: the CRDs they define (all files: a CRD anywhere
// validates every target) and the suppression comments of the files in
// scope (no finding of the run can be elsewhere).
func (c *checker) readFiles(sc *scope) ([]crdDef, []suppress.Directive) {
	var defs []crdDef
	var ds []suppress.Directive
	for _, f := range c.repo.Files {
		crds, inScope := isManifestFile(f), sc.has(f)
		if !crds && !inScope {
			continue
		}
		data, err := c.sources.read(f)
		if err != nil {
			continue
		}
		if crds {
			defs = append(defs, c.fileCRDs(f, data)...)
		}
		if inScope {
			ds = append(ds, suppress.ScanFile(f, data)...)
		}
	}
	return defs, ds
}

func plainResources(target, file string, docs []*manifest.Document) []manifest.Resource {
	var res []manifest.Resource
	for _, d := range docs {
		if d.Object == nil || !manifest.IsKubernetesObject(d.Object) {
			continue
		}
		res = append(res, manifest.Resource{ID: d.ID(), SourceID: d.ID(), Object: d.Object, Origin: manifest.Origin{File: file, Line: d.Line, Col: 1}, Target: target, Doc: d})
	}
	return res
}

// duplicateIDs reproduces the check kustomize makes when it aggregates:
// two parts may not render the same object.
func (c *checker) duplicateIDs(t repo.Target, res []manifest.Resource) (rules.Finding, bool) {
	seen := make(map[manifest.ResID]manifest.Origin, len(res))
	for _, r := range res {
		id := r.ID
		if first, ok := seen[id]; ok {
			return rules.Finding{
				RuleID:   rules.RenderError,
				Message:  fmt.Sprintf("%s is defined twice (also at %s): kustomize refuses to build this target", r.ID, first),
				Location: r.Origin, Resource: r.SourceID, Targets: []string{t.Path},
				Related: []manifest.Origin{first},
			}, true
		}
		seen[id] = r.Origin
	}
	return rules.Finding{}, false
}

// malformedYAML matches kustomize's report of a YAML error in a file it read.
var malformedYAML = regexp.MustCompile(`yaml: line (\d+): (.*) in File: (\S+)`)

// renderError points a failed render at the most specific place kustomize's
// message names: the line of a malformed file, else the kustomization
// entry that failed, else the target's kustomization file.
func (c *checker) renderError(t repo.Target, unit string, err error) rules.Finding {
	closure := c.repo.Closure(unit)
	msg := rules.Redact(err.Error(), c.repo.SensitiveValues(closure))
	k := c.repo.Kustomizations[unit]
	f := rules.Finding{RuleID: rules.RenderError, Message: msg, Location: manifest.Origin{File: k.File, Line: 1}, Targets: []string{t.Path}}
	var ref *repo.Ref
	best := -1
	for _, dir := range closure {
		refs := c.repo.Kustomizations[dir].Refs
		for i := range refs {
			if at := strings.LastIndex(msg, "'"+refs[i].Value+"'"); at > best {
				best, ref = at, &refs[i]
			}
		}
	}
	if ref == nil {
		return f
	}
	f.Location = ref.Pos
	switch {
	case ref.Kind == repo.RefMissing:
		f.Message = fmt.Sprintf("%s entry %q: %s does not exist", ref.Field, ref.Value, ref.Path)
	case ref.Kind == repo.RefPlainDir:
		f.Message = fmt.Sprintf("%s entry %q: %s is a directory without a kustomization file", ref.Field, ref.Value, ref.Path)
	default:
		if m := malformedYAML.FindStringSubmatch(msg); m != nil && ref.Kind == repo.RefFile && path.Base(ref.Path) == path.Base(m[3]) {
			line, _ := strconv.Atoi(m[1])
			f.Related = []manifest.Origin{ref.Pos}
			f.Location = manifest.Origin{File: ref.Path, Line: max(line, 1)}
			f.Message = "malformed YAML: " + m[2]
		}
	}
	return f
}

func (c *checker) validate(r *manifest.Resource, out *targetResult) {
	obj := r.Object
	if _, ok := obj["sops"]; ok {
		// SOPS metadata is not part of the Kubernetes object.
		obj = maps.Clone(obj)
		delete(obj, "sops")
	}
	api := c.apis.Check(r.ID.APIVersion, r.ID.Kind, c.target)
	switch api.Status {
	case apis.Removed, apis.NotYetServed:
		// The API server would reject it; its schema says nothing more.
		out.findings = append(out.findings, rules.FieldFinding(r, rules.RemovedAPI, "/apiVersion", api.Message()))
		return
	case apis.Deprecated:
		out.findings = append(out.findings, rules.FieldFinding(r, rules.DeprecatedAPI, "/apiVersion", api.Message()))
	}
	v := c.validator.Validate(obj)
	switch v.Status {
	case schema.Invalid:
		for _, e := range v.Errors {
			f := rules.FieldFinding(r, rules.SchemaInvalid, e.Path, schemaMessage(r.Object, e))
			if m := unknownField.FindStringSubmatch(e.Msg); m != nil && r.Doc != nil && f.Location.File == r.Doc.File {
				// Point at the unknown key itself, the line to fix.
				if line, col, exact := r.Doc.Locate(e.Path + "/" + m[1]); exact {
					f.Location.Line, f.Location.Col = line, col
				}
			}
			out.findings = append(out.findings, f)
		}
	case schema.NotServed:
		if api.Status != apis.Unknown {
			// The target serves it, but its schemas are not embedded and
			// the nearest embedded release no longer serves it.
			msg := fmt.Sprintf("no embedded schema for %s %s: Kubernetes %s is validated with the schemas of %s, which does not serve it; resources of this kind were not validated",
				r.ID.APIVersion, r.ID.Kind, c.target.Minor, c.validator.KubernetesVersion())
			out.missing = append(out.missing, rules.FieldFinding(r, rules.MissingSchema, "", msg))
			return
		}
		// A built-in group at a version no release of the table served.
		msg := fmt.Sprintf("%s %s is not served by Kubernetes %s", r.ID.APIVersion, r.ID.Kind, c.target.Minor)
		served := c.apis.Serving(r.ID.Kind, c.target)
		if len(served) == 0 {
			served = v.Served // kinds the table does not list, such as DeploymentList
		}
		if len(served) > 0 {
			msg += "; use " + strings.Join(served, " or ")
		}
		out.findings = append(out.findings, rules.FieldFinding(r, rules.RemovedAPI, "/apiVersion", msg))
	case schema.MissingSchema:
		f := rules.FieldFinding(r, rules.MissingSchema, "", fmt.Sprintf("no schema for %s %s; resources of this kind were not validated", r.ID.APIVersion, r.ID.Kind))
		out.missing = append(out.missing, f)
	}
}

// addMissing keeps one missing-schema finding per apiVersion and kind: the
// first occurrence in file order, listing every target that has the kind
// (rules.Merge sorts them).
func addMissing(acc map[string]*rules.Finding, f rules.Finding) {
	key := f.Resource.APIVersion + "/" + f.Resource.Kind
	cur, ok := acc[key]
	if !ok {
		f.Path = ""
		f.Fingerprint = rules.Fingerprint(f.RuleID, "", manifest.ResID{APIVersion: f.Resource.APIVersion, Kind: f.Resource.Kind}, "", "")
		acc[key] = &f
		return
	}
	cur.Targets = append(cur.Targets, f.Targets...)
	if f.Location.Less(cur.Location) {
		cur.Location, cur.Resource = f.Location, f.Resource
	}
}

// unknownField matches the strict-mode error for an undeclared field.
var unknownField = regexp.MustCompile(`additional properties '([^']+)'`)

// schemaMessage words a validation error for people and keeps values out
// of it: a message may quote the offending value, and that value can be a
// credential.
func schemaMessage(obj map[string]any, e schema.FieldError) string {
	msg := e.Msg
	if v, ok := manifest.Lookup(obj, e.Path); ok {
		if s, ok := v.(string); ok {
			msg = rules.Redact(msg, []string{s})
		}
	}
	// Every optional field accepts null in the schemas (rendered output
	// carries creationTimestamp: null); saying so in each message is noise.
	msg = strings.ReplaceAll(msg, "want null or ", "want ")
	field := strings.ReplaceAll(strings.TrimPrefix(e.Path, "/"), "/", ".")
	if field == "" {
		return msg
	}
	return field + ": " + msg
}
