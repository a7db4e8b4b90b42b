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

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
	"github.com/gitops-lint/gitops-lint/internal/schema"
)

// Options configure a run.
type Options struct {
	// Root is the repository to check.
	Root string
	// Jobs bounds how many targets are rendered at once (default GOMAXPROCS).
	Jobs int
	// KubernetesVersion selects the embedded schemas ("" for the newest).
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
}

// Result is the outcome of a run.
type Result struct {
	Root              string
	KubernetesVersion string
	Targets           []repo.Target
	// Findings are merged across targets and sorted.
	Findings []rules.Finding
	// Rules is the catalogue that ran.
	Rules []*rules.Rule
	// Resources counts rendered resources over all targets.
	Resources int
}

// Run checks the repository. Problems in the repository are findings; an
// error means the run itself could not happen (bad options, unreadable
// root) and maps to exit code 2.
func Run(ctx context.Context, opts Options) (*Result, error) {
	policy, catalogue, err := load(ctx, opts)
	if err != nil {
		return nil, err
	}
	validator, err := schema.New(schema.Options{
		KubernetesVersion: opts.KubernetesVersion,
		Locations:         opts.SchemaLocations,
		AllowNetwork:      opts.AllowRemote,
		CacheDir:          opts.SchemaCacheDir,
	})
	if err != nil {
		return nil, err
	}
	rp, err := repo.Discover(opts.Root, repo.Options{AllowRemote: opts.AllowRemote})
	if err != nil {
		return nil, err
	}
	scanner, err := secrets.New(rp)
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
	c := &checker{
		repo:      rp,
		validator: validator,
		// Origin annotations would switch on kustomize's per-transformer
		// bookkeeping, which doubles render time; sources are inferred
		// from the kustomization graph instead (see origin.go).
		renderer: render.New(render.Options{Root: rp.Root, LoadRestrictions: opts.LoadRestrictions}),
		sources:  newSourceCache(rp.Root),
		policy:   policy,
		secrets:  scanner,
		severity: severities(catalogue),
		units:    map[string]*unit{},
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	plans := make([]plan, len(rp.Targets))
	var unitDirs []string
	for i, t := range rp.Targets {
		plans[i] = c.plan(t)
		for _, d := range plans[i].units {
			if _, ok := c.units[d]; !ok {
				c.units[d] = &unit{}
				unitDirs = append(unitDirs, d)
			}
		}
	}
	total := len(unitDirs) + len(rp.Targets)
	var (
		mu   sync.Mutex
		done int
	)
	step := func() {
		if opts.Progress != nil {
			mu.Lock()
			done++
			opts.Progress(done, total)
			mu.Unlock()
		}
	}
	// The credential scan reads every file once, whatever includes it, and
	// runs beside the renders: it needs no rendered output.
	var fileFindings []rules.Finding
	scanned := make(chan struct{})
	scanCtx, stopScan := context.WithCancel(ctx)
	defer stopScan() // an early return must not leave the scan running
	go func() {
		defer close(scanned)
		fileFindings = scanner.ScanFiles(scanCtx, rp.Files, jobs)
	}()
	// Phase 1: render every unit once, however many targets include it;
	// meanwhile find the CRDs in the repository's files.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	var fileCRDs []crdDef
	g.Go(func() error {
		fileCRDs = c.fileCRDs(rp.Files)
		return nil
	})
	for _, d := range unitDirs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			u := c.units[d]
			u.out, u.err = c.renderer.Render(d)
			step()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	// Every CRD of the run validates the custom resources of every target.
	crdKinds, crdFindings := resolveCRDs(slices.Concat(explicitCRDs, repoCRDs), slices.Concat(c.renderedCRDs(unitDirs), fileCRDs))
	c.validator = validator.WithCRDs(crdKinds)
	// Phase 2: assemble and check each target.
	results := make([]targetResult, len(rp.Targets))
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, t := range rp.Targets {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			var err error
			results[i], err = c.checkTarget(gctx, t, plans[i])
			step()
			return err
		})
	}
	err = g.Wait()
	<-scanned
	if err != nil {
		return nil, err
	}

	all := slices.Concat(rp.Findings, fileFindings, crdFindings)
	for _, dir := range slices.Sorted(maps.Keys(rp.Kustomizations)) {
		all = append(all, scanner.ScanKustomization(rp.Kustomizations[dir])...)
	}
	missing := map[string]*rules.Finding{}
	resources := 0
	for _, r := range results {
		all = append(all, r.findings...)
		resources += r.resources
		for _, m := range r.missing {
			addMissing(missing, m)
		}
	}
	for _, f := range missing {
		all = append(all, *f)
	}
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
		KubernetesVersion: validator.KubernetesVersion(),
		Targets:           rp.Targets,
		Findings:          rules.Merge(all),
		Rules:             catalogue,
		Resources:         resources,
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
	all := slices.Concat(rules.Builtin(), secrets.Rules(), e.Rules())
	if err := rules.Validate(all); err != nil {
		return nil, nil, fmt.Errorf("rule catalogue: %w", err)
	}
	return e, all, nil
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
	renderer  *render.Renderer
	sources   *sourceCache
	policy    *rego.Engine
	secrets   *secrets.Scanner
	severity  map[string]rules.Severity
	// units are written before the workers start and read-only after;
	// each unit's fields are set by exactly one worker.
	units map[string]*unit
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
// files an aggregating kustomization lists directly.
type plan struct {
	units []string
	files []string
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
// (anything but directories of kustomizations and manifest files).
func (c *checker) expand(dir string, p *plan, seen map[string]bool) bool {
	k := c.repo.Kustomizations[dir]
	if !k.Aggregator {
		p.units = append(p.units, dir)
		return true
	}
	for _, ref := range k.Refs {
		switch {
		case ref.Kind == repo.RefFile && c.sources.get(ref.Path).plainObjects():
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
	findings  []rules.Finding
	missing   []rules.Finding
	resources int
}

func (c *checker) checkTarget(ctx context.Context, t repo.Target, p plan) (targetResult, error) {
	var res []manifest.Resource
	var out targetResult
	switch {
	case t.Blocked != "":
		return out, nil // discovery already reported why
	case t.Kind == repo.Plain:
		for _, f := range t.Files {
			res = append(res, plainResources(t.Path, f, c.repo.Manifests[f])...)
		}
	default:
		for _, d := range p.units {
			u := c.units[d]
			if u.err != nil {
				out.findings = append(out.findings, c.renderError(t, d, u.err))
				return out, nil
			}
			res = append(res, c.resources(t, d, u.out)...)
		}
		for _, f := range p.files {
			res = append(res, plainResources(t.Path, f, c.sources.get(f).docs)...)
		}
		if len(p.units)+len(p.files) > 1 {
			if f, dup := c.duplicateIDs(t, res); dup {
				out.findings = append(out.findings, f)
				return out, nil
			}
		}
	}
	out.resources = len(res)
	for i := range res {
		c.validate(&res[i], &out)
		out.findings = append(out.findings, c.secrets.ScanResource(&res[i])...)
	}
	fs, err := c.policy.Check(ctx, c.policyTarget(t, res), res)
	if err != nil {
		return out, err
	}
	out.findings = append(out.findings, fs...)
	return out, nil
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
		msg := fmt.Sprintf("%s %s is not served by Kubernetes %s", r.ID.APIVersion, r.ID.Kind, c.validator.KubernetesVersion())
		if len(v.Served) > 0 {
			msg += "; use " + strings.Join(v.Served, " or ")
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
