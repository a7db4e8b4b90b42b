// Package engine runs a check end to end: discover targets, render them in
// parallel, validate every resource, and merge the findings into one
// deterministic result.
package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/agnivade/levenshtein"
	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/cache"
	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
	"github.com/gitops-lint/gitops-lint/internal/schema"
	"github.com/gitops-lint/gitops-lint/internal/shard"
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
	// CacheURL, when set with CacheDir, names a bucket (cache.Schemes)
	// shared by machines: entries the directory lacks are fetched from
	// it, and every entry written goes to it too.
	CacheURL string
	// Shard, unless whole, limits the run to one shard of the targets
	// (check --shard I/N); what belongs to no target is reported by the
	// first shard only.
	Shard shard.Spec
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
	// ChartDirs are directories of Helm charts (--chart-dir), absolute or
	// relative to the working directory: a release whose chart comes
	// from a Helm or OCI repository renders with theirs (helm.ChartDirs).
	ChartDirs []string
	// ChartCacheDir keeps the chart archives fetched with AllowRemote
	// (default: helm-charts in the user cache directory).
	ChartCacheDir string
	// LoadRestrictions are kustomize's (default rootOnly, as `kustomize build`).
	LoadRestrictions types.LoadRestrictions
	// Progress, when set, is called after each target with the number of
	// targets done and the total. It may be called from several goroutines.
	Progress func(done, total int)
	// Policy configures Rego evaluation: the built-in library and user
	// policies. Its Disabled field is set from Rules.
	Policy rego.Options
	// LoadPolicies compiles Policy (nil: rego.Load).
	LoadPolicies PolicyLoader
	// LoadSchemas prepares the run's schema validator (nil: schema.New).
	LoadSchemas SchemaLoader
	// Rules switch rules off and change their severities.
	Rules rules.Settings
	// Scope is what only the configuration file says - which targets and
	// files the run covers, per-target settings, per-path overrides and
	// the secret allowlist - resolved with the flags by the caller
	// (config.Config.Scope), which also merges what flags can say into
	// the fields above. Nil means no file.
	Scope *config.Scope
	// GitOps configures the repository-level checks (Flux and Argo CD
	// references, image tags per environment).
	GitOps gitops.Options
	// Checks are the checks of the run, nil for the built-in ones
	// (Checks). A check is added by appending it to Checks(): its rules
	// join the catalogue, and the settings switch them like any other.
	Checks []*Check
}

// checks returns the run's checks.
func (o Options) checks() []*Check {
	if o.Checks == nil {
		return Checks()
	}
	return o.Checks
}

// PolicyLoader parses and compiles policies: rego.Load, or a caller's
// wrapper that reuses an engine compiled for the same options (an
// rego.Engine is safe for concurrent use), as the CLI's in-process tests
// do, where compiling the built-in library was most of every run.
type PolicyLoader func(context.Context, rego.Options) (*rego.Engine, error)

// loadPolicies is LoadPolicies, rego.Load by default.
func (o Options) loadPolicies(ctx context.Context, p rego.Options) (*rego.Engine, error) {
	if o.LoadPolicies != nil {
		return o.LoadPolicies(ctx, p)
	}
	return rego.Load(ctx, p)
}

// SchemaLoader prepares a run's schema validator: schema.New, or a
// caller's wrapper that reuses a Validator prepared for the same options,
// as the in-process tests do (see schematest): a Validator is safe for
// concurrent use and a run never changes it (WithCRDs derives another),
// while decoding the embedded schemas and compiling those a run uses was
// most of the CPU of a check of a small repository.
type SchemaLoader func(schema.Options) (*schema.Validator, error)

// loadSchemas is LoadSchemas, schema.New by default.
func (o Options) loadSchemas(s schema.Options) (*schema.Validator, error) {
	if o.LoadSchemas != nil {
		return o.LoadSchemas(s)
	}
	return schema.New(s)
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

// chartCacheDir is where fetched charts are kept: ChartCacheDir, else
// helm-charts in the user cache directory, else nowhere.
func (o Options) chartCacheDir() string {
	if o.ChartCacheDir != "" {
		return o.ChartCacheDir
	}
	if d, err := cache.DefaultDir(); err == nil {
		return filepath.Join(d, "helm-charts") // beside the result cache's own directory, which it prunes
	}
	return ""
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
	// PartlyRendered counts the targets rendered without some remote
	// entries (repo.Target.Partial), or without a kustomization whose
	// helmCharts name charts that are not fetched; NotRendered those
	// that did not render at all (blocked, or kustomize failed). Both are
	// in the summary of every report: what was not checked must not look
	// clean.
	PartlyRendered, NotRendered int
	// SkippedTransitionRules counts the evaluations of CRD validation rules
	// that compare with the stored object (oldSelf), skipped because a
	// create has none; targets from the result cache are not counted.
	SkippedTransitionRules int64
}

// Catalogue returns every rule a run with these options knows, enabled
// or not, with default severities: the Go rules, then the Rego library,
// then user policies.
func Catalogue(ctx context.Context, opts Options) ([]*rules.Rule, error) {
	policy := opts.Policy
	policy.Disabled = func(string) bool { return true }
	_, all, err := catalogue(ctx, opts.loadPolicies, policy, opts.checks())
	return all, err
}

// load compiles the policies once for the whole run and returns the rules
// that run, with their effective severities.
func load(ctx context.Context, opts Options) (*rego.Engine, []*rules.Rule, map[string]bool, error) {
	policy := opts.Policy
	policy.Root = opts.Root
	policy.Disabled = opts.Rules.IsDisabled
	policy.AllowNetwork = opts.AllowRemote
	e, all, err := catalogue(ctx, opts.loadPolicies, policy, opts.checks())
	if err != nil {
		return nil, nil, nil, err
	}
	// Before Apply, so that a rule ID the file gets wrong is reported at
	// its line.
	if err := opts.Scope.CheckRules(all); err != nil {
		return nil, nil, nil, err
	}
	active, err := opts.Rules.Apply(all)
	if err != nil {
		return nil, nil, nil, err
	}
	known := make(map[string]bool, len(all))
	for _, r := range all {
		known[r.ID] = true
	}
	return e, active, known, nil
}

// catalogue loads the policies and lists every rule of every check, then
// the policies' rules.
func catalogue(ctx context.Context, loadPolicies PolicyLoader, policy rego.Options, checks []*Check) (*rego.Engine, []*rules.Rule, error) {
	if err := validateChecks(checks); err != nil {
		return nil, nil, fmt.Errorf("checks: %w", err)
	}
	builtin, err := checkRules(checks)
	if err != nil {
		return nil, nil, fmt.Errorf("rule catalogue: %w", err)
	}
	e, err := loadPolicies(ctx, policy)
	if err != nil {
		return nil, nil, err
	}
	all := slices.Concat(builtin, e.Rules())
	if err := rules.Validate(all); err != nil {
		return nil, nil, fmt.Errorf("rule catalogue: %w", err)
	}
	return e, all, nil
}

// discover finds the repository's targets and makes the checker every
// workspace (Open) starts from: discovery, the source documents and the
// renderers, with the configuration file (empty when there is none).
func discover(opts Options) (*checker, *config.Scope, error) {
	rp, err := repo.Discover(opts.Root, repo.Options{AllowRemote: opts.AllowRemote})
	if err != nil {
		return nil, nil, err
	}
	cfg := opts.Scope
	if cfg == nil {
		cfg = &config.Scope{}
	}
	c := &checker{
		red:       &redact.Set{},
		repo:      rp,
		offline:   !opts.AllowRemote,
		renderers: map[types.LoadRestrictions]*render.Renderer{},
		sources:   newSourceCache(rp.FS),
		units:     map[unitKey]*unit{},
	}
	c.edits = origin.New(rp, c.sources.read)
	c.attr = c.newAttributor()
	c.charts = &helm.Charts{Dirs: helm.NewChartDirs(opts.ChartDirs)}
	if opts.AllowRemote {
		c.charts.Remote = helm.NewRemoteCharts(opts.chartCacheDir())
	}
	c.learnRepository()
	return c, cfg, nil
}

// selectTargets returns the targets the configuration file leaves in the
// run, with their settings (the run's load restriction where the file
// sets none); a plain target loses its excluded files.
func selectTargets(rp *repo.Repo, cfg *config.Scope, lr types.LoadRestrictions) ([]repo.Target, []config.TargetSettings) {
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

// finalize keeps the merged findings that the configuration file leaves
// in the run - none located in an excluded file, none of the secret
// checks in an allowlisted file, none that only targets out of the run
// show - and sets each one's severity: the one place that does. It is the
// rule's, one step lower when the check judged this occurrence milder
// (Finding.Lowered), unless a per-path override of the file sets another.
func finalize(fs []rules.Finding, cfg fileRules, targets []repo.Target, severity map[string]rules.Severity) []rules.Finding {
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
		if cfg.excluded(f.Location.File) || (secretRule[f.RuleID] && cfg.secretAllowed(f.Location.File)) {
			continue
		}
		if len(f.Targets) > 0 {
			f.Targets = slices.DeleteFunc(f.Targets, func(t string) bool { return !checked[t] })
			if len(f.Targets) == 0 {
				continue
			}
		}
		f.Severity = severity[f.RuleID]
		if f.Lowered && f.Severity > rules.Info {
			f.Severity--
		}
		if cfg.adjust(&f) {
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
	// red knows every secret value the run has met (see redaction.go).
	red       *redact.Set
	repo      *repo.Repo
	validator *schema.Validator
	apiserver *apiserver.Checker
	// renderers by load restriction: the configuration file may set one
	// per target.
	renderers map[types.LoadRestrictions]*render.Renderer
	apis      *apis.Index
	target    apis.Target
	sources   *sourceCache
	// releaseReads are, by file, the files its Helm releases read (see
	// releaseFiles): a component or base is in the scope of every target
	// that includes it, and is read for its releases once.
	releaseReads memo.Table[string, []string]
	edits        *origin.Builder
	attr         *origin.Attributor
	policy       *rego.Engine
	secrets      *secrets.Scanner
	severity     map[string]rules.Severity
	// offline leaves the remote entries of aggregating kustomizations out
	// of their plans (see repo.Target.Partial).
	offline bool
	// units are written before the workers start and read-only after;
	// each unit's fields are set by exactly one worker.
	units map[unitKey]*unit
	// origins are the source files kustomize's origin annotations name
	// for the objects of a unit, rendered only where needed (attribution.go).
	origins memo.Table[string, map[manifest.ResID]string]
	// subst is Flux's post-build substitution by target path, set before
	// the targets are checked.
	subst map[string]*gitops.Substitution

	// checks are the run's checks that have a rule enabled, by scope.
	checks map[CheckScope][]*Check
	// known are the IDs of every rule of the catalogue, enabled or not.
	known map[string]bool
	// scope limits the run to what changed files affect; nil for all.
	scope *scope
	// targets and settings are the run's selected targets.
	targets  []repo.Target
	settings []config.TargetSettings
	// secretAllowed says which files the configuration keeps out of the
	// secret checks.
	secretAllowed func(file string) bool
	gitopsOpts    gitops.Options
	// What the render and resolve steps found, for the checks that
	// report it, and what the GitOps check counted.
	crdFindings, substFindings, suppressionFindings []rules.Finding
	// crdFileFindings are those of the repository's CRD files themselves
	// (cel-rule-invalid), in scope, whether a target renders them or not.
	crdFileFindings []rules.Finding
	gitopsStats     gitops.Stats
	// packUnits has the units that only one target uses packed (see
	// unit.pack): set by a check run, which keeps every unit's render
	// until its targets are checked.
	packUnits bool
	// fluxDeploys says that the GitOps checks read every rendered
	// resource (see gitops.Reads); set before the targets are checked.
	fluxDeploys bool
	// helmReads are the chart files each target's HelmReleases read.
	helmReads helmReads
	// argo says which paths of this repository Argo CD sources name.
	argo argoRepo
	// charts find the charts that are not in the repository: in the
	// --chart-dir directories, and with --allow-remote in their Helm
	// repositories.
	charts *helm.Charts
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
	// pack says the unit's objects are kept packed until its target is
	// assembled: set for a unit only one target of a check run uses, so
	// that no two targets decode copies of one object.
	pack bool
	// packed are the packed objects, by index into out.Objects, whose
	// Object is then nil; nil when nothing is packed.
	packed []manifest.Packed
}

// packObjects packs the objects of the unit that no other target's
// checks read (see sharedObject).
func (u *unit) packObjects() {
	if !u.pack || u.out == nil {
		return
	}
	for i := range u.out.Objects {
		o := &u.out.Objects[i]
		if sharedObject(manifest.IDOf(o.Object), o.Object) {
			continue
		}
		if p, ok := manifest.Pack(o.Object); ok {
			if u.packed == nil {
				u.packed = make([]manifest.Packed, len(u.out.Objects))
			}
			u.packed[i], o.Object = p, nil
		}
	}
}

// output is the unit's render with its objects decoded: new maps for
// the packed ones.
func (u *unit) output() (*render.Output, error) {
	if u.packed == nil {
		return u.out, nil
	}
	o := *u.out
	out := &o
	out.Objects = slices.Clone(u.out.Objects)
	for i, p := range u.packed {
		if p == nil {
			continue
		}
		obj, err := p.Unpack()
		if err != nil {
			return nil, err
		}
		out.Objects[i].Object = obj
	}
	return out, nil
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
			if u, ok := c.units[k]; ok {
				u.pack = false // a second user
			} else {
				c.units[k] = &unit{pack: c.packUnits}
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
		// from the kustomization graph instead (see attribution.go).
		c.renderers[lr] = render.New(render.Options{Root: c.repo.Root, FS: c.repo.FS, LoadRestrictions: lr, Charts: c.charts})
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
			r, err := abandonable(gctx, func() rendered {
				out, err := c.renderers[k.lr].Render(k.dir)
				return rendered{out, err}
			})
			if err != nil {
				return err
			}
			u := c.units[k]
			u.out, u.err = r.out, r.err
			u.packObjects()
			step()
			return nil
		})
	}
	return g.Wait()
}

// rendered is what one call of Render returned.
type rendered struct {
	out *render.Output
	err error
}

// abandonable runs f in a goroutine of its own and returns its result, or
// ctx's error as soon as ctx is done. kustomize takes no context: a
// render of hostile input can run for minutes, and a cancelled run (a
// signal) must not wait for it. An abandoned call runs on until the
// process exits; its result is dropped, never stored.
func abandonable[T any](ctx context.Context, f func() T) (T, error) {
	done := make(chan T, 1) // buffered: an abandoned call must not block
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
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
		case ref.Kind == repo.RefRemote && c.offline:
			// Left out: discovery reported it and marked the target partly
			// rendered (repo.Target.Partial).
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
	// rendered are the target's resources that the repository-level
	// checks read (checker.retained), when built says it rendered.
	rendered []manifest.Resource
	built    bool
	// shared says the target rendered objects that other targets' checks
	// read (see sharedObject).
	shared bool
	// partly says it was built without a unit whose helmCharts name
	// charts that are not fetched (assembleOwn).
	partly bool
}

func (c *checker) checkTarget(ctx context.Context, t repo.Target, p plan) (targetResult, error) {
	var out targetResult
	res, failed, ok := c.assemble(t, p)
	out.findings = failed
	if !ok {
		return out, nil
	}
	out.resources = len(res)
	out.rendered, out.built = res, true
	out.partly = c.skipsUnits(t, p)
	c.learnResources(res)
	for i := range res {
		fs, err := c.pass(ResourceScope, Pass{Context: ctx, Target: t, Resource: &res[i]})
		if err != nil {
			return out, err
		}
		for _, f := range fs {
			if f.RuleID == rules.MissingSchema {
				// Gathered over the run (missingSchemas).
				out.missing = append(out.missing, f)
			} else {
				out.findings = append(out.findings, f)
			}
		}
		if d, ok := suppress.FromResource(&res[i]); ok {
			out.directives = append(out.directives, d)
		}
	}
	fs, err := c.pass(TargetScope, Pass{Context: ctx, Target: t, Resources: res, settings: targetSettings{environment: p.settings.Environment}})
	if err != nil {
		return out, err
	}
	out.findings = append(out.findings, fs...)
	return out, nil
}

// assemble gathers a target's resources from its rendered units and
// manifest files, then the objects its Helm releases install. It reports
// false when there is nothing to check: the target is blocked (discovery
// said why) or did not render (the returned findings say why).
func (c *checker) assemble(t repo.Target, p plan) ([]manifest.Resource, []rules.Finding, bool) {
	res, findings, ok := c.assembleOwn(t, p)
	if !ok {
		return nil, findings, false
	}
	for _, rel := range c.helmReleases(t, res) {
		res, findings = append(res, rel.objs...), append(findings, rel.findings...)
	}
	return res, findings, true
}

// assembleOwn is assemble without the Helm releases: the target's own
// resources, Flux's post-build substitution applied. A unit that did not
// render only because its helmCharts name charts that are not fetched is
// left out with a helm-chart-remote finding per entry: kustomize gives
// the other units of an aggregating kustomization unchanged, but would
// apply that unit's own patches and transformers to the chart's objects.
func (c *checker) assembleOwn(t repo.Target, p plan) ([]manifest.Resource, []rules.Finding, bool) {
	var res []manifest.Resource
	var remote []rules.Finding
	skipped := 0
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
			if fs := remoteChartEntries(t, u.err); fs != nil {
				remote, skipped = append(remote, fs...), skipped+1
				continue
			}
			out, err := u.output()
			if err = cmp.Or(u.err, err); err != nil {
				return nil, []rules.Finding{c.renderError(t, d, err)}, false
			}
			res = append(res, c.resources(t, d, out)...)
		}
		if skipped > 0 && skipped == len(p.units) && len(p.files) == 0 {
			return nil, remote, false // nothing else to check
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
	c.substitute(t, res)
	return res, remote, true
}

// skipsUnits reports whether assembleOwn leaves out a unit of the plan p:
// one that did not render only because its charts are not fetched.
func (c *checker) skipsUnits(t repo.Target, p plan) bool {
	for _, d := range p.units {
		if u := c.units[unitKey{dir: d, lr: p.settings.LoadRestrictions}]; u != nil && remoteChartEntries(t, u.err) != nil {
			return true
		}
	}
	return false
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
// validates every target), the suppression comments of the files in
// scope (no finding of the run can be elsewhere), and the files that may
// hold what Flux's post-build substitution reads (substitution.go).
func (c *checker) readFiles(sc *scope) ([]crdDef, []suppress.Directive, []substFile) {
	var defs []crdDef
	var ds []suppress.Directive
	var subst []substFile
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
			if sf, ok := mayHoldSubstitution(f, data); ok {
				subst = append(subst, sf)
			}
		}
		if inScope {
			ds = append(ds, suppress.ScanFile(f, data)...)
		}
	}
	return defs, ds, subst
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
	if re, ok := errors.AsType[*render.Error](err); ok && re.Syntax != nil {
		// A file refused before kustomize decoded it: its own line.
		return rules.Finding{RuleID: rules.YAMLSyntax, Message: re.Syntax.Msg, Location: re.Syntax.Origin, Targets: []string{t.Path}}
	}
	closure := c.repo.Closure(unit)
	// The message is screened with the run's other findings (see hide).
	c.learnSources(unit)
	msg := err.Error()
	k := c.repo.Kustomizations[unit]
	f := rules.Finding{RuleID: rules.RenderError, Message: msg, Location: manifest.Origin{File: k.File, Line: 1}, Targets: []string{t.Path}}
	if re, ok := errors.AsType[*render.Error](err); ok && len(re.Charts) > 0 {
		f.Location = re.Charts[0].At // the helmCharts entry that failed
		return f
	}
	for _, mistake := range []func(string, []string) (manifest.Origin, string, bool){c.kustomizationMistake, c.objectMistake, c.replacementMistake} {
		if at, complaint, ok := mistake(msg, closure); ok {
			f.Location, f.Message = at, complaint
			return f
		}
	}
	return c.refError(f, msg, closure)
}

// refError points a render error at the kustomization entry whose value
// kustomize's message quotes last, and says what is wrong with it when
// discovery knows.
func (c *checker) refError(f rules.Finding, msg string, closure []string) rules.Finding {
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
	switch ref.Kind {
	case repo.RefMissing:
		f.Message = fmt.Sprintf("%s entry %q: %s does not exist", ref.Field, ref.Value, ref.Path)
	case repo.RefPlainDir:
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

// validate reports what the API server would refuse in one resource: an
// apiVersion it does not serve (or deprecates), and a field its schema
// does not allow; a kind without a schema is a missing-schema finding.
func (c *checker) validate(r *manifest.Resource, report func(rules.Finding)) {
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
		report(origin.FieldFinding(r, rules.RemovedAPI, "/apiVersion", api.Message()))
		return
	case apis.Deprecated:
		report(origin.FieldFinding(r, rules.DeprecatedAPI, "/apiVersion", api.Message()))
	}
	v := c.validator.Validate(obj)
	switch v.Status {
	case schema.Invalid:
		c.schemaErrors(r, v.Errors, report)
	case schema.NotServed:
		c.notServed(r, api, v.Served, report)
	case schema.MissingSchema:
		c.missingSchema(r, report)
	}
}

// schemaErrors reports each validation error at the field it is about.
func (c *checker) schemaErrors(r *manifest.Resource, errs []schema.FieldError, report func(rules.Finding)) {
	for _, e := range errs {
		if m := unknownFields.FindStringSubmatch(e.Msg); m != nil {
			// The error names the object that has the extra properties;
			// the line to fix is each property's own, written by
			// whichever source added it (the base, a patch, a
			// component), so each is a finding about its own field.
			for _, q := range quoted.FindAllStringSubmatch(m[1], -1) {
				one := schema.FieldError{Path: e.Path, Msg: fmt.Sprintf("additional properties '%s' not allowed", q[1])}
				report(origin.KeyFinding(r, rules.SchemaInvalid, e.Path+"/"+manifest.EscapeToken(q[1]), schemaMessage(r.Object, one, c.secretValue)))
			}
			continue
		}
		report(origin.FieldFinding(r, rules.SchemaInvalid, e.Path, schemaMessage(r.Object, e, c.secretValue)))
	}
}

// notServed reports a resource whose apiVersion the schemas do not serve:
// a schema gap when the API table says the target serves it, else an API
// that is not served (or a kind that does not exist).
func (c *checker) notServed(r *manifest.Resource, api apis.Verdict, servedBySchemas []string, report func(rules.Finding)) {
	if api.Status != apis.Unknown {
		// The target serves it, but its schemas are not embedded and
		// the nearest embedded release no longer serves it.
		msg := fmt.Sprintf("no embedded schema for %s %s: Kubernetes %s is validated with the schemas of %s, which does not serve it; resources of this kind were not validated",
			r.ID.APIVersion, r.ID.Kind, c.target.Minor, c.validator.KubernetesVersion())
		report(origin.FieldFinding(r, rules.MissingSchema, "", msg))
		return
	}
	// A built-in group at a version no release of the table served.
	msg := fmt.Sprintf("%s %s is not served by Kubernetes %s", r.ID.APIVersion, r.ID.Kind, c.target.Minor)
	served := c.apis.Serving(r.ID.Kind, c.target)
	if len(served) == 0 {
		served = servedBySchemas // kinds the table does not list, such as DeploymentList
	}
	if len(served) == 0 {
		// No version of any group serves the kind: a typo, not an
		// API that went away.
		if f, ok := c.unknownKind(r); ok {
			report(f)
			return
		}
	}
	if len(served) > 0 {
		msg += "; use " + strings.Join(served, " or ")
	}
	report(origin.FieldFinding(r, rules.RemovedAPI, "/apiVersion", msg))
}

// missingSchema reports a kind without a schema, or a typo of a known one.
func (c *checker) missingSchema(r *manifest.Resource, report func(rules.Finding)) {
	if f, ok := c.unknownKind(r); ok {
		report(f)
		return
	}
	msg := fmt.Sprintf("no schema for %s %s; resources of this kind were not validated", r.ID.APIVersion, r.ID.Kind)
	if versions := c.validator.GroupKinds(r.ID.Group())[r.ID.Kind]; len(versions) > 0 {
		// A group and kind it knows, at another version: most often
		// one its project no longer serves.
		msg = fmt.Sprintf("no schema for %s %s: the known versions of %s are %s (older versions are removed by their projects); move to %s/%s",
			r.ID.APIVersion, r.ID.Kind, r.ID.Kind, strings.Join(versions, ", "), r.ID.Group(), versions[len(versions)-1])
	}
	report(origin.FieldFinding(r, rules.MissingSchema, "", msg))
}

// unknownKind reports a kind that its API group, which the validator
// knows, does not have, when a known kind of the group is close enough to
// be the one meant (a typo: HelmRelase, Deploymnet).
func (c *checker) unknownKind(r *manifest.Resource) (rules.Finding, bool) {
	known := c.validator.GroupKinds(r.ID.Group())
	if _, ok := known[r.ID.Kind]; ok || len(known) == 0 {
		return rules.Finding{}, false
	}
	best, bestDist := "", 0
	for _, k := range slices.Sorted(maps.Keys(known)) {
		if strings.HasSuffix(k, "List") {
			continue
		}
		d := levenshtein.ComputeDistance(strings.ToLower(k), strings.ToLower(r.ID.Kind))
		if best == "" || d < bestDist {
			best, bestDist = k, d
		}
	}
	// At most two edits, and fewer than a third of the name.
	if best == "" || bestDist > 2 || bestDist*3 > len(best) {
		return rules.Finding{}, false
	}
	versions := known[best]
	group := r.ID.Group()
	apiVersion := versions[len(versions)-1]
	if group != "" {
		apiVersion = group + "/" + apiVersion
	}
	msg := fmt.Sprintf("kind %q does not exist in %s; did you mean %s (%s)?", r.ID.Kind, r.ID.APIVersion, best, apiVersion)
	return origin.FieldFinding(r, rules.SchemaInvalid, "/kind", msg), true
}

// missingSchemas gathers the missing-schema findings of a run: one per
// apiVersion and kind in each target group (the targets under one
// top-level directory), at the first file of that kind in the group and
// listing the others. One finding for the whole repository pointed at a
// file that most of the targets it listed never include.
type missingSchemas map[string]*missingGroup

type missingGroup struct {
	f     rules.Finding
	files map[string]bool
}

// add records one target's finding.
func (m missingSchemas) add(f rules.Finding) {
	group := targetGroup(f.Targets)
	key := group + "\x00" + f.Resource.APIVersion + "/" + f.Resource.Kind
	g, ok := m[key]
	if !ok {
		f.Path = ""
		f.Fingerprint = rules.Fingerprint(f.RuleID, group, manifest.ResID{APIVersion: f.Resource.APIVersion, Kind: f.Resource.Kind}, "", "")
		m[key] = &missingGroup{f: f, files: map[string]bool{f.Location.File: true}}
		return
	}
	g.files[f.Location.File] = true
	g.f.Targets = append(g.f.Targets, f.Targets...)
	if f.Location.Less(g.f.Location) {
		g.f.Location, g.f.Resource = f.Location, f.Resource
	}
}

// maxListed bounds the files a missing-schema message names.
const maxListed = 5

// findings returns the gathered findings, each listing its files when it
// has more than the one it points at.
func (m missingSchemas) findings() []rules.Finding {
	out := make([]rules.Finding, 0, len(m))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		g := m[key]
		f := g.f
		if len(g.files) > 1 {
			files := slices.Sorted(maps.Keys(g.files))
			more := ""
			if len(files) > maxListed {
				more = fmt.Sprintf(" and %d more", len(files)-maxListed)
				files = files[:maxListed]
			}
			f.Message += fmt.Sprintf(" (%d files of this kind: %s%s)", len(g.files), strings.Join(files, ", "), more)
		}
		out = append(out, f)
	}
	return out
}

// targetGroup is the top-level directory of a finding's target, "." for
// a target at the root.
func targetGroup(targets []string) string {
	if len(targets) == 0 {
		return "."
	}
	top, _, _ := strings.Cut(targets[0], "/")
	return top
}

// unknownFields matches the strict-mode error for undeclared fields, which
// lists every one of an object's: "additional properties 'a', 'b' not
// allowed"; quoted picks out each.
var (
	unknownFields = regexp.MustCompile(`^additional properties ((?:'[^']*'(?:, )?)+) not allowed$`)
	quoted        = regexp.MustCompile(`'([^']*)'`)
)

// schemaMessage words a validation error for people and keeps secret
// values out of it: a message may quote the offending value, and that
// value can be a credential (secret says whether it is one, by its key).
// Only the value where it is quoted is hidden: the same text elsewhere in
// the message ("string" in "got string") is the validator's.
func schemaMessage(obj map[string]any, e schema.FieldError, secret func(key, v string) bool) string {
	msg := e.Msg
	if v, ok := manifest.Lookup(obj, e.Path); ok {
		if s, ok := v.(string); ok && s != "" && secret(path.Base(e.Path), s) {
			for _, q := range []string{"'" + s + "'", strconv.Quote(s), "`" + s + "`"} {
				msg = strings.ReplaceAll(msg, q, strconv.Quote(redact.Marker))
			}
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

// repoRelative names a file by its repository-relative path when it is
// inside the repository, and as given otherwise (a --policy path outside).
func (c *checker) repoRelative(file string) string {
	abs, err := filepath.Abs(filepath.FromSlash(file))
	if err != nil {
		return file
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	rel, err := filepath.Rel(c.repo.Root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return file
	}
	return filepath.ToSlash(rel)
}
