package engine

import (
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/cache"
	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
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

// A check run goes through five named phases, each a method of run that
// hands the next what it found:
//
//	plan     the targets and their settings, the run's scope, the units
//	         to render, the result cache's answers
//	render   the units of the targets the cache does not answer; the
//	         file-scope checks and the reading of the files run beside
//	resolve  repository-level facts, once: Flux's substitution, the CRDs
//	         that validate every target, which cached results still hold
//	check    the resource- and target-scope checks of every target, then
//	         the kustomization- and repository-scope checks
//	finish   suppressions, rules switched off, merge, fingerprints and
//	         severities, each once
//
// The configuration file is read in plan only: what later phases need of
// it they take from the run's fileRules.
type run struct {
	opts Options
	w    *Workspace
	c    *checker
	cfg  *config.Scope
	// files are the file's rules about files and findings.
	files fileRules
	// catalogue are the rules that run, with their severities.
	catalogue []*rules.Rule
	jobs      int
	step      func()
	// crdPaths are the CRDs named by --crds and the configuration.
	crdPaths []crdDef

	// plan
	targets            []repo.Target
	settings           []config.TargetSettings
	scope              *scope
	plans              []plan
	unitKeys           []unitKey
	cache              *resultCache
	fileCache          *fileCache
	hits               []*cachedTarget
	anyMiss, anyShared bool
	// inContext marks the targets of other shards that this one renders
	// only for the repository-level checks (see sharded).
	inContext []bool

	// render
	scanned, filesRead chan struct{}
	stopScan           context.CancelFunc
	fileFindings       []rules.Finding
	fileCRDs           []crdDef
	inline             []suppress.Directive
	substFiles         []substFile
	renderAll          bool
	// repoHit says the repository-level entry holds: what those checks
	// read besides rendered objects has not changed.
	repoHit bool

	// resolve: the hashes of the run's CRDs, and of those in files.
	crds, fileCRDsHash string

	// check
	results    []targetResult
	findings   []rules.Finding
	directives []suppress.Directive
	resources  int
	stats      gitops.Stats
}

// Run checks the repository. Problems in the repository are findings; an
// error means the run itself could not happen (bad options, unreadable
// root) and maps to exit code 2.
func Run(ctx context.Context, opts Options) (*Result, error) {
	r, err := start(ctx, opts)
	if err != nil {
		return nil, err
	}
	defer r.stop() // an early return must not leave the file checks running
	for _, phase := range []func(context.Context) error{r.plan, r.render, r.resolve, r.check} {
		if err := phase(ctx); err != nil {
			return nil, err
		}
	}
	return r.finish(ctx)
}

// start loads what every phase uses: the policies and the rule catalogue,
// the Kubernetes version's API table and schemas, the workspace, its
// secret scanner and the CRDs named by options, and picks the checks.
// The three loads are independent and each costs about 0.1 s of CPU
// (compiling Rego, decoding schemas, compiling gitleaks' regular
// expressions), which is most of a small run such as a pre-commit
// check: they run side by side.
func start(ctx context.Context, opts Options) (*run, error) {
	Prepare(opts.Root) // beside discovery, which they would otherwise follow
	var (
		wg        sync.WaitGroup
		pol       loadedPolicies
		sch       loadedAPIs
		w         *Workspace
		crdPaths  []crdDef
		openErr   error
		loadTasks = []func(){
			func() { pol = loadPolicyCatalogue(ctx, opts) },
			func() { sch = loadAPIs(opts) },
			func() { w, crdPaths, openErr = openWorkspace(opts) },
		}
	)
	for _, task := range loadTasks {
		wg.Go(task)
	}
	wg.Wait()
	// The first error in this order, whichever finished first.
	for _, err := range []error{pol.err, sch.err, openErr} {
		if err != nil {
			return nil, err
		}
	}
	c := w.c
	c.validator, c.policy, c.gitopsOpts = sch.validator, pol.engine, opts.GitOps
	c.severity, c.known, c.apis, c.target = severities(pol.catalogue), pol.known, sch.index, sch.target
	c.selectChecks(opts.checks())
	for _, r := range pol.catalogue {
		c.red.AddPublic(r.ID)
	}
	return &run{opts: opts, w: w, c: c, cfg: w.cfg, catalogue: pol.catalogue, jobs: opts.jobs(), crdPaths: crdPaths, stopScan: func() {}}, nil
}

// Prepare starts, in the background, the work every run of the
// repository at root begins with and no option changes: kustomize's
// OpenAPI document and gitleaks' built-in rules, about 0.15 s of CPU that
// the process keeps. Run starts it too, beside discovery; a caller with
// time to spare before Run (a pre-commit check waits on git and on the
// scope of the staged change first) calls Prepare earlier.
func Prepare(root string) {
	go render.Prepare()
	go secrets.Prepare(root)
}

// loadedPolicies are the compiled policies and the rule catalogue.
type loadedPolicies struct {
	engine    *rego.Engine
	catalogue []*rules.Rule
	known     map[string]bool
	err       error
}

func loadPolicyCatalogue(ctx context.Context, opts Options) loadedPolicies {
	var p loadedPolicies
	p.engine, p.catalogue, p.known, p.err = load(ctx, opts)
	return p
}

// loadedAPIs are the API table, the Kubernetes version checked against and
// its schemas.
type loadedAPIs struct {
	index     *apis.Index
	target    apis.Target
	validator *schema.Validator
	err       error
}

func loadAPIs(opts Options) loadedAPIs {
	var s loadedAPIs
	if s.index, s.err = apis.Load(); s.err != nil {
		return s
	}
	if s.target, s.err = s.index.Resolve(opts.KubernetesVersion); s.err != nil {
		return s
	}
	s.validator, s.err = opts.loadSchemas(schema.Options{
		KubernetesVersion: schema.NearestVersion(s.target.Release),
		Locations:         opts.SchemaLocations,
		AllowNetwork:      opts.AllowRemote,
		CacheDir:          opts.SchemaCacheDir,
	})
	return s
}

// openWorkspace discovers the repository, reads the CRDs that options
// name and makes the secret scanner.
func openWorkspace(opts Options) (*Workspace, []crdDef, error) {
	w, err := Open(opts)
	if err != nil {
		return nil, nil, err
	}
	c := w.c
	explicitCRDs, err := loadCRDPaths(c.repo.Root, opts.CRDPaths, false)
	if err != nil {
		return nil, nil, err
	}
	repoCRDs, err := loadCRDPaths(c.repo.Root, opts.RepoCRDPaths, true)
	if err != nil {
		return nil, nil, err
	}
	cfg := w.cfg
	c.secrets, err = secrets.New(c.repo, secrets.Options{AllowRegexes: cfg.Secrets.Regexes, Ignore: cfg.Secrets.Fingerprints, Found: c.red})
	if err != nil {
		return nil, nil, err
	}
	c.secretAllowed = cfg.SecretAllowed
	return w, slices.Concat(explicitCRDs, repoCRDs), nil
}

// stop ends the file checks of a run that returns early, and waits for
// the entries still being uploaded to a bucket.
func (r *run) stop() {
	r.stopScan()
	r.cache.close()
}

// fileRules are what the phases after plan take from the configuration
// file: which files and findings it leaves out, and its per-path
// overrides of rules.
type fileRules struct {
	excluded      func(file string) bool
	secretAllowed func(file string) bool
	adjust        func(*rules.Finding) bool
}

// plan resolves the configuration file, takes the workspace's targets and
// their settings (narrowed to what the changed files affect, when asked),
// plans their units and asks the result cache for each target.
func (r *run) plan(ctx context.Context) error {
	c, cfg := r.c, r.cfg
	r.files = fileRules{excluded: cfg.Excluded, secretAllowed: cfg.SecretAllowed, adjust: cfg.Adjust}
	r.targets, r.settings = r.w.Targets, r.w.settings
	if r.opts.Changed != nil {
		r.targets, r.settings, r.scope = c.narrow(r.targets, r.settings, r.opts.Changed, r.opts.Full)
	}
	r.targets, r.settings, r.inContext = c.sharded(r.targets, r.settings, r.opts.Shard)
	c.scope, c.targets, c.settings = r.scope, r.targets, r.settings
	c.packUnits = true
	r.plans, r.unitKeys = c.planAll(r.targets, r.settings)
	r.step = r.opts.stepper(len(r.unitKeys) + len(r.targets))
	rc, err := newResultCache(ctx, r.opts, c.repo, r.cfg, r.targets)
	if err != nil {
		return err
	}
	if rc != nil {
		rc.remote = c.charts.Remote // an entry's fetched charts are resolved again
	}
	r.cache, r.fileCache = rc, rc.files()
	r.hits = rc.getAll(r.targets, r.plans)
	for i, h := range r.hits {
		if r.inContext[i] {
			r.hits[i], h = nil, nil // rendered for the other targets' checks, never from the cache
		}
		r.anyMiss = r.anyMiss || h == nil
		r.anyShared = r.anyShared || (h != nil && h.Shared)
	}
	return nil
}

// again says whether a target answered by the cache is rendered anyway,
// for the repository-level checks: when any target is rendered and they
// need every one, or when what they read besides rendered objects
// changed (a file added or removed) and this target holds objects they
// check. Its findings still come from the cache.
func (r *run) again(i int) bool {
	return r.hits[i] != nil && (r.renderAll || (!r.repoHit && r.hits[i].Shared))
}

// render renders every unit once, however many targets include it: with
// the result cache only those of the targets whose inputs changed, and
// then, when one did, every target that other targets' checks read (CRDs,
// Flux and Argo CD objects), and so all of them for the repository-level
// checks. Beside the renders, the file-scope checks read every file in
// scope once, and the files are read for what the resolve phase takes
// from them.
func (r *run) render(ctx context.Context) error {
	c := r.c
	files := slices.DeleteFunc(slices.Clone(c.repo.Files), func(f string) bool {
		// Only the first shard scans files: each file once however
		// many shards there are.
		return r.files.excluded(f) || (r.scope != nil && !r.scope.changed[f]) || !r.opts.Shard.First()
	})
	scanCtx, stop := context.WithCancel(ctx)
	r.scanned, r.stopScan = make(chan struct{}), stop
	go func() {
		defer close(r.scanned)
		r.fileFindings = c.fileChecks(scanCtx, files, r.jobs, r.fileCache)
	}()
	r.filesRead = make(chan struct{})
	go func() {
		defer close(r.filesRead)
		r.fileCRDs, r.inline, r.substFiles = c.readFiles(r.scope)
	}()
	if err := r.renderMisses(ctx); err != nil {
		return err // cancelled: the file reader is abandoned with the run
	}
	select {
	case <-r.filesRead:
	case <-ctx.Done():
		return ctx.Err()
	}
	r.renderAll = r.anyMiss && (r.anyShared || c.anyShared(r.unitKeys))
	r.repoHit = r.cache.repositoryHit()
	if r.renderAll || !r.repoHit {
		return c.renderUnits(ctx, c.unitsOf(r.plans, func(i int) bool { return r.renderAll || r.again(i) }), r.jobs, r.step)
	}
	return nil
}

// renderMisses renders the units of the targets the cache does not
// answer; units already rendered are not rendered again.
func (r *run) renderMisses(ctx context.Context) error {
	return r.c.renderUnits(ctx, r.c.unitsOf(r.plans, func(i int) bool { return r.hits[i] == nil }), r.jobs, r.step)
}

// resolve establishes the repository-level facts every target's checks
// use: Flux's post-build substitution (known from the files alone, so
// that validation sees what Flux applies) and the CRDs, every one of
// which validates the custom resources of every target. A cached result
// validated against other CRDs no longer holds: its target is rendered
// and checked again.
func (r *run) resolve(ctx context.Context) error {
	c := r.c
	c.substFindings = c.substitutions(r.targets, r.substFiles, r.opts.GitOps)
	crdKinds, crdFindings := resolveCRDs(r.crdPaths, slices.Concat(c.renderedCRDs(c.rendered(r.unitKeys)), r.fileCRDs))
	c.validator, c.crdFindings = c.validator.WithCRDs(crdKinds), crdFindings
	c.crdFileFindings = slices.DeleteFunc(defFindings(r.crdPaths, r.fileCRDs), func(f rules.Finding) bool { return !r.scope.has(f.Location.File) })
	// The bundled GitOps kinds come last, as for schema validation: a
	// repository's own CRD is the one its cluster has.
	c.apiserver = apiserver.New(apiserver.Options{CRDs: crdKinds, Bundled: c.validator.BundledCRD, KubernetesMinor: c.target.Minor})
	fileKinds, _ := resolveCRDs(r.crdPaths, r.fileCRDs)
	r.crds, r.fileCRDsHash = cache.HashJSON(crdInputs(crdKinds)), cache.HashJSON(crdInputs(fileKinds))
	for i, h := range r.hits {
		if h != nil && (h.FileCRDs != r.fileCRDsHash || (r.renderAll && h.CRDs != r.crds)) {
			r.hits[i] = nil
		}
	}
	return r.renderMisses(ctx)
}

// check runs the checks of every target, then those of the
// kustomizations and of the repository, and gathers their findings and
// the suppressions the resources carry.
func (r *run) check(ctx context.Context) error {
	if err := r.checkTargets(ctx); err != nil {
		return err
	}
	c := r.c
	// Every value the renders and the scan found is known now: screen
	// what goes into the cache.
	for i := range r.results {
		if !r.results[i].cached {
			c.hide(r.results[i].findings)
			c.hide(r.results[i].missing)
		}
	}
	all := r.fileFindings
	for _, dir := range slices.Sorted(maps.Keys(c.repo.Kustomizations)) {
		if k := c.repo.Kustomizations[dir]; r.scope.has(k.File) && c.hasChecks(KustomizationScope) {
			fs, err := c.pass(KustomizationScope, Pass{Context: ctx, Kustomization: k})
			if err != nil {
				return err
			}
			all = append(all, fs...)
		}
	}
	// The targets' findings are screened (above, or by the run that
	// cached them, which knew their names); screen the rest.
	c.hide(all)
	missing := missingSchemas{}
	r.directives = r.inline
	for _, res := range r.results {
		all = append(all, res.findings...)
		r.directives = append(r.directives, res.directives...)
		r.resources += res.resources
		for _, m := range res.missing {
			missing.add(m)
		}
	}
	r.findings = append(all, missing.findings()...)
	return r.checkRepository(ctx)
}

// checkTargets checks each target, or takes its result from the cache,
// in parallel, and waits for the file checks.
func (r *run) checkTargets(ctx context.Context) error {
	c := r.c
	r.results = make([]targetResult, len(r.targets))
	c.fluxDeploys = c.mayDeployFlux(c.rendered(r.unitKeys), r.manifestDocs())
	users := r.users()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(r.jobs)
	for i, t := range r.targets {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			defer r.step()
			defer r.checked(i, users)
			if r.inContext[i] {
				r.results[i].rendered, _, r.results[i].built = c.assemble(t, r.plans[i])
				c.learnResources(r.results[i].rendered)
				return nil
			}
			if h := r.hits[i]; h != nil {
				r.results[i] = targetResult{findings: h.Findings, missing: h.Missing, directives: h.Directives, resources: h.Resources, cached: true}
				if r.again(i) {
					r.results[i].rendered, _, r.results[i].built = c.assemble(t, r.plans[i])
					c.learnResources(r.results[i].rendered)
				}
				return nil
			}
			var err error
			r.results[i], err = c.checkTarget(gctx, t, r.plans[i])
			return err
		})
	}
	err := g.Wait()
	if err == nil {
		<-r.scanned // it stops early only when ctx is cancelled
	}
	if err == nil {
		err = ctx.Err()
	}
	return err
}

// manifestDocs are the documents of the manifest files the targets take
// as they are (see assemble).
func (r *run) manifestDocs() [][]*manifest.Document {
	var docs [][]*manifest.Document
	for i, t := range r.targets {
		if t.Kind == repo.Plain {
			for _, f := range t.Files {
				docs = append(docs, r.c.repo.Manifests[f])
			}
		}
		for _, f := range r.plans[i].files {
			docs = append(docs, r.c.sources.get(f).docs)
		}
	}
	return docs
}

// users counts what checkTargets has still to read: for each unit, the
// targets it assembles from it; for each kustomization directory, the
// units that include it (their closures). When a count reaches zero the
// run lets go of what it holds for it (checked).
type users struct {
	units   map[unitKey]*atomic.Int32
	dirs    map[string]*atomic.Int32
	closure map[unitKey][]string
}

func (r *run) users() *users {
	u := &users{units: map[unitKey]*atomic.Int32{}, dirs: map[string]*atomic.Int32{}, closure: map[unitKey][]string{}}
	for i, p := range r.plans {
		if !r.assembles(i) {
			continue
		}
		for _, d := range p.units {
			k := unitKey{dir: d, lr: p.settings.LoadRestrictions}
			if u.units[k] == nil {
				u.units[k] = &atomic.Int32{}
				u.closure[k] = r.c.repo.Closure(d)
				for _, cd := range u.closure[k] {
					if u.dirs[cd] == nil {
						u.dirs[cd] = &atomic.Int32{}
					}
					u.dirs[cd].Add(1)
				}
			}
			u.units[k].Add(1)
		}
	}
	return u
}

// assembles says whether checkTargets builds target i from its units:
// not when the cache answers it and the repository-level checks do not
// need it rendered.
func (r *run) assembles(i int) bool {
	return r.hits[i] == nil || r.again(i) || r.inContext[i]
}

// checked keeps of target i's resources only what the repository-level
// checks read, and lets go of the rendered objects of the units no other
// target still needs, and of what was decoded to locate findings in the
// kustomizations no unit still to be assembled includes: a run of 10,000
// targets would otherwise hold all of it until its end.
func (r *run) checked(i int, u *users) {
	c, res := r.c, &r.results[i]
	if res.built {
		res.shared = shared(res.rendered)
		res.rendered = c.retained(r.targets[i], r.plans[i].settings.Environment, res.rendered)
	}
	if !r.assembles(i) {
		return // it holds no count of its units
	}
	for _, d := range r.plans[i].units {
		k := unitKey{dir: d, lr: r.plans[i].settings.LoadRestrictions}
		// The last user's decrement comes after every other user's
		// reads (atomic operations order them).
		if n := u.units[k]; n == nil || n.Add(-1) != 0 {
			continue
		}
		if un := c.units[k]; un.out != nil {
			// What the cache records of it (reads, charts) stays.
			kept := *un.out
			kept.Objects = nil
			un.out, un.packed = &kept, nil
		}
		for _, cd := range u.closure[k] {
			if u.dirs[cd].Add(-1) == 0 {
				c.forget(cd)
			}
		}
	}
}

// checkRepository runs the repository-scope checks, which need every
// target's resources at once, and keeps each target's result in the
// cache.
func (r *run) checkRepository(ctx context.Context) error {
	c := r.c
	rendered := make(map[string][]manifest.Resource, len(r.targets))
	for i, t := range r.targets {
		if r.results[i].built {
			rendered[t.Path] = r.results[i].rendered
		}
	}
	other, refs, err := c.repositoryChecks(ctx, rendered)
	if err != nil {
		return err
	}
	c.hide(other)
	c.hide(refs)
	r.stats = c.gitopsStats
	if r.stats.FluxSource.How == "" {
		// Nothing rendered the Flux objects this time: the cache has the
		// source of the run that did.
		for _, h := range r.hits {
			if h != nil && h.FluxSource.How != "" {
				r.stats.FluxSource = h.FluxSource
				break
			}
		}
	}
	r.findings = slices.Concat(r.findings, other, r.store(refs))
	return nil
}

// store puts the result of every target checked in this run into the
// cache, and returns the repository-level findings with those the cache
// holds for the targets not rendered this time.
func (r *run) store(refs []rules.Finding) []rules.Finding {
	out := refs
	for i, t := range r.targets {
		res := r.results[i]
		switch h := r.hits[i]; {
		case h != nil && !r.again(i):
			out = append(out, h.GitOps...) // not rendered: its own, from the cache
		case h == nil && !r.inContext[i]:
			r.cache.put(t, r.plans[i], r.c.reads(t, r.plans[i]), cachedTarget{
				NotRendered: !res.built, Partly: res.partly,
				Findings: res.findings, Missing: res.missing, Directives: res.directives,
				Resources: res.resources, CRDs: r.crds, FileCRDs: r.fileCRDsHash, Shared: res.shared,
				GitOps: ownFindings(refs, t.Path), FluxSource: r.stats.FluxSource, Charts: r.c.fetchedCharts(t, r.plans[i]),
			})
		}
	}
	r.cache.putRepository()
	r.fileCache.put(r.c.repo.Files, r.c.hide)
	if r.cache != nil {
		_ = r.cache.c.Prune()
	}
	return out
}

// finish applies the suppressions and runs the checks about them, drops
// the findings of rules switched off (from the cache, or raised by the
// render step), gives every finding its fingerprint, merges them across
// targets and sets every severity, once (settle).
func (r *run) finish(ctx context.Context) (*Result, error) {
	c := r.c
	all := r.findings
	c.suppressionFindings = c.applySuppressions(all, r.directives)
	c.hide(c.suppressionFindings)
	own, err := c.pass(FindingsScope, Pass{Context: ctx, Findings: all})
	if err != nil {
		return nil, err
	}
	all = append(all, own...)
	c.hideReasons(all)
	all = slices.DeleteFunc(all, func(f rules.Finding) bool { return !c.enabled(f.RuleID) })
	for i := range all {
		if f := &all[i]; f.Fingerprint == "" {
			disc := ""
			if f.Resource.IsZero() {
				disc = f.Message
			}
			f.Fingerprint = rules.Fingerprint(f.RuleID, f.Location.File, f.Resource, f.Path, disc)
		}
	}
	res := &Result{
		Root:                   c.repo.Root,
		KubernetesVersion:      c.target.Release,
		SchemaVersion:          c.validator.KubernetesVersion(),
		Targets:                ownTargets(r.targets, r.inContext),
		Findings:               ownShare(finalize(rules.Merge(all), r.files, r.targets, c.severity), r.targets, r.inContext, r.opts.Shard),
		Rules:                  r.catalogue,
		Resources:              r.resources,
		References:             r.stats,
		SkippedTransitionRules: c.apiserver.SkippedTransitionRules(),
	}
	res.Cached, res.PartlyRendered, res.NotRendered = r.rendering()
	return res, nil
}

// rendering lists the targets whose results came from the cache, and
// counts those rendered partly and those not rendered at all.
func (r *run) rendering() (cached []string, partly, notRendered int) {
	for i, res := range r.results {
		t := r.targets[i]
		if r.inContext[i] {
			continue
		}
		if res.cached {
			cached = append(cached, t.Path)
		}
		rendered := res.built || (res.cached && !r.hits[i].NotRendered)
		switch {
		case t.Blocked != "" || !rendered:
			notRendered++
		case t.Partial != "" || res.partly || (res.cached && r.hits[i].Partly):
			partly++
		}
	}
	return cached, partly, notRendered
}
