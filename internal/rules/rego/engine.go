package rego

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/resolver"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Options configure Load.
type Options struct {
	// Builtin is the embedded library (policies.FS); nil for none.
	Builtin fs.FS
	// Policies are user policy files and directories (conftest's -p).
	Policies []string
	// Data are JSON/YAML data files and directories (conftest's --data).
	Data []string
	// Root is the repository: policy and data paths inside it are read
	// confined to it, others (only the command line names them) to
	// themselves. Empty confines every path to itself.
	Root string
	// Namespaces are the user packages to evaluate (default "main").
	Namespaces []string
	// AllNamespaces evaluates every user package.
	AllNamespaces bool
	// RegoVersion is the syntax of user policies (default Auto).
	RegoVersion RegoVersion
	// AllowNetwork keeps http.send and net.lookup_ip_addr available.
	AllowNetwork bool
	// Disabled reports rule IDs not to evaluate; their built-in packages
	// are left out of compilation altogether.
	Disabled func(id string) bool
	// Timeout bounds the evaluation of every policy on one target
	// (default DefaultTimeout); a target that takes longer gets a
	// policy-error finding naming the rule that was running.
	Timeout time.Duration
	// MemoryBudget bounds, in bytes, how much the heap may grow while the
	// policies of one target evaluate (default DefaultMemoryBudget); a
	// target that needs more gets a policy-error finding naming the rule.
	MemoryBudget uint64
}

// DefaultTimeout is the default of Options.Timeout: the whole library
// takes milliseconds on a target, so only a rule that loops reaches it.
const DefaultTimeout = 5 * time.Second

// Target is what a policy knows about the overlay being checked.
type Target struct {
	// Path is the repository-relative target directory.
	Path string
	// Kind is "kustomize" or "plain".
	Kind string
	// Files are the repository-relative source files of its resources.
	Files []string
	// Anchor is where findings about the target as a whole are shown
	// (its kustomization file).
	Anchor manifest.Origin
	// Environment, when set, replaces the environment derived from Path
	// (the configuration file's targets[].environment).
	Environment string
}

// Engine holds compiled policies. It is safe for concurrent use.
type Engine struct {
	catalogue []*rules.Rule
	compiler  *ast.Compiler
	store     storage.Store
	// resourcePkgs are the per-resource packages, built-in and user.
	resourcePkgs []*pkg
	// byKind holds the per-resource query of each kind, prepared on first
	// use: only the packages that apply to the kind (a ConfigMap skips
	// the pod rules), or nil when none does.
	byKind memo.Table[string, kindQuery]
	target *query // per-target packages
	// timeout bounds the evaluation of one target.
	timeout time.Duration
	// memory bounds the heap growth of one target's evaluation.
	memory uint64
}

// query is one prepared evaluation over a group of packages, so that a
// resource costs one evaluation however many packages there are.
type query struct {
	pq   rego.PreparedEvalQuery
	pkgs []*pkg
}

type pkg struct {
	path  string // "main", "gitops_lint.resource.host_network"
	rules map[string]string
	// names are the keys of rules, sorted.
	names []string
	// kinds are the resource kinds a built-in rule declares it looks at
	// (custom.kinds); empty means every kind.
	kinds []string
	// perTarget packages receive a whole target as input.
	perTarget bool
	// exception is set when the package defines exception rules.
	exception bool
}

// Load parses and compiles the built-in library and the user policies.
// Problems in a policy are *Error values naming file:line.
func Load(ctx context.Context, opts Options) (*Engine, error) {
	srcs, err := sources(opts.Builtin, opts.Root, opts.Policies)
	if err != nil {
		return nil, err
	}
	e := &Engine{timeout: cmp.Or(opts.Timeout, DefaultTimeout), memory: cmp.Or(opts.MemoryBudget, DefaultMemoryBudget)}
	ms, err := e.parseAll(srcs, opts)
	if err != nil {
		return nil, err
	}
	compiler, err := compile(ms.mods, opts.AllowNetwork)
	if err != nil {
		return nil, err
	}
	store, err := loadData(opts.Root, opts.Data)
	if err != nil {
		return nil, err
	}
	pkgs := e.packages(ms, opts)
	// Packages and their rules in a fixed order, so that queries and
	// findings come out the same on every run.
	slices.SortFunc(pkgs, func(a, b *pkg) int { return strings.Compare(a.path, b.path) })
	var targetPkgs []*pkg
	for _, p := range pkgs {
		p.names = slices.Sorted(maps.Keys(p.rules))
		if p.perTarget {
			targetPkgs = append(targetPkgs, p)
		} else {
			e.resourcePkgs = append(e.resourcePkgs, p)
		}
	}
	e.compiler, e.store = compiler, store
	// Preparing the query of all per-resource packages up front reports a
	// broken query now rather than in the middle of the run.
	if _, err := prepare(ctx, compiler, store, e.resourcePkgs, true); err != nil {
		return nil, err
	}
	if e.target, err = prepare(ctx, compiler, store, targetPkgs, false); err != nil {
		return nil, err
	}
	return e, nil
}

// modules are the parsed policies.
type modules struct {
	mods []*ast.Module
	// builtin says which modules are the library's.
	builtin map[*ast.Module]bool
	// enabled are the built-in rules that run, by package; the packages
	// of disabled rules are not compiled at all.
	enabled map[string]*rules.Rule
}

// parseAll parses every policy that is not a test, adding the built-in
// rules to the catalogue.
func (e *Engine) parseAll(srcs []source, opts Options) (modules, error) {
	ms := modules{builtin: map[*ast.Module]bool{}, enabled: map[string]*rules.Rule{}}
	for _, s := range srcs {
		if s.test {
			continue
		}
		m, err := parse(s, opts.RegoVersion)
		if err != nil {
			return ms, err
		}
		switch {
		case !s.builtin && m.Package.Path.HasPrefix(builtinPrefix):
			return ms, &Error{Location: fmt.Sprintf("%s:%d", s.name, m.Package.Location.Row), Msg: "package " + pkgName(m) + " is reserved for the built-in library"}
		case s.builtin && isRulePackage(m):
			r, err := builtinRule(m, packageMeta(m))
			if err != nil {
				return ms, err
			}
			e.catalogue = append(e.catalogue, r)
			if opts.Disabled != nil && opts.Disabled(r.ID) {
				continue
			}
			ms.enabled[pkgName(m)] = r
		}
		ms.builtin[m] = s.builtin
		ms.mods = append(ms.mods, m)
	}
	return ms, nil
}

// packages groups the modules that are queried by package: the built-in
// rule packages and the user packages of the selected namespaces.
func (e *Engine) packages(ms modules, opts Options) []*pkg {
	namespaces := opts.Namespaces
	if len(namespaces) == 0 {
		namespaces = []string{"main"}
	}
	byPath := map[string]*pkg{}
	var pkgs []*pkg
	for _, m := range ms.mods {
		name := pkgName(m)
		switch {
		case ms.builtin[m] && !isRulePackage(m):
			continue
		case !ms.builtin[m] && !opts.AllNamespaces && !slices.Contains(namespaces, name):
			continue
		}
		p, ok := byPath[name]
		if !ok {
			p = &pkg{path: name, rules: map[string]string{}, perTarget: m.Package.Path.HasPrefix(targetPrefix)}
			if r := ms.enabled[name]; r != nil {
				p.kinds = r.Kinds
			}
			byPath[name] = p
			pkgs = append(pkgs, p)
		}
		if meta := packageMeta(m); meta != nil && meta.Custom["input"] == "target" {
			p.perTarget = true
		}
		e.addRules(p, m, ms.builtin[m], ms.enabled[name])
	}
	return pkgs
}

// addRules records the result rules (deny, warn, violation...) of a
// module in its package; a user rule joins the catalogue.
func (e *Engine) addRules(p *pkg, m *ast.Module, builtin bool, enabled *rules.Rule) {
	for _, r := range m.Rules {
		rule := ruleName(r)
		switch {
		case len(r.Head.Args) > 0:
		case rule == "exception":
			p.exception = true
		case !resultRule.MatchString(rule):
		case p.rules[rule] != "":
		case builtin:
			p.rules[rule] = enabled.ID
		default:
			ur := userRule(m, r, rule)
			p.rules[rule] = ur.ID
			if !slices.ContainsFunc(e.catalogue, func(c *rules.Rule) bool { return c.ID == ur.ID }) {
				e.catalogue = append(e.catalogue, ur)
			}
		}
	}
}

// Rules returns the catalogue of the loaded policies, disabled ones
// included: built-in rules first, in library order, then user rules.
func (e *Engine) Rules() []*rules.Rule { return e.catalogue }

func pkgName(m *ast.Module) string {
	return strings.TrimPrefix(m.Package.Path.String(), "data.")
}

func ruleName(r *ast.Rule) string {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return ""
	}
	if v, ok := ref[0].Value.(ast.Var); ok {
		return string(v)
	}
	return ""
}

// isRulePackage reports whether a built-in module is a rule (as opposed
// to the shared library).
func isRulePackage(m *ast.Module) bool {
	return m.Package.Path.HasPrefix(resourcePrefix) || m.Package.Path.HasPrefix(targetPrefix)
}

// packageMeta returns a module's package-scoped METADATA.
func packageMeta(m *ast.Module) *ast.Annotations {
	for _, a := range m.Annotations {
		if a.Scope == "package" || a.Scope == "subpackages" {
			return a
		}
	}
	return nil
}

func customString(a *ast.Annotations, key string) string {
	if a == nil {
		return ""
	}
	s, _ := a.Custom[key].(string)
	return s
}

func customStrings(a *ast.Annotations, key string) []string {
	var out []string
	list, _ := a.Custom[key].([]any)
	for _, v := range list {
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// builtinRule turns a library package's METADATA into a catalogue entry;
// incomplete metadata is a defect of the library, reported as an error.
func builtinRule(m *ast.Module, a *ast.Annotations) (*rules.Rule, error) {
	at := fmt.Sprintf("%s:%d", m.Package.Location.File, m.Package.Location.Row)
	if a == nil {
		return nil, &Error{Location: at, Msg: "built-in policy without package METADATA"}
	}
	id := customString(a, "id")
	want := strings.ReplaceAll(path.Base(strings.ReplaceAll(pkgName(m), ".", "/")), "_", "-")
	if id != want {
		return nil, &Error{Location: at, Msg: fmt.Sprintf("custom.id %q does not match the package name (want %q)", id, want)}
	}
	sev, err := rules.ParseSeverity(customString(a, "severity"))
	if err != nil {
		return nil, &Error{Location: at, Msg: err.Error()}
	}
	r := &rules.Rule{
		ID:          id,
		Severity:    sev,
		Doc:         strings.TrimSpace(a.Title) + "\n" + strings.TrimSpace(a.Description),
		Remediation: strings.TrimSpace(customString(a, "remediation")),
		Source:      m.Package.Location.File,
	}
	if len(a.RelatedResources) > 0 {
		r.HelpURI = a.RelatedResources[0].Ref.String()
	}
	r.Peers = customStrings(a, "peers")
	r.Kinds = customStrings(a, "kinds")
	if err := rules.Validate([]*rules.Rule{r}); err != nil {
		return nil, &Error{Location: at, Msg: err.Error()}
	}
	return r, nil
}

// userRule describes a conftest-style rule. METADATA is optional: a rule
// or its package may set title, description and custom id, severity and
// remediation; otherwise the ID is package.rule and the severity follows
// conftest (deny and violation fail, warn warns).
func userRule(m *ast.Module, r *ast.Rule, name string) *rules.Rule {
	a := packageMeta(m)
	for _, ra := range r.Annotations {
		if ra.Scope == "rule" || ra.Scope == "document" {
			a = ra
		}
	}
	out := &rules.Rule{
		ID:       pkgName(m) + "." + name,
		Severity: rules.Error,
		Source:   r.Location.File,
	}
	if strings.HasPrefix(name, "warn") {
		out.Severity = rules.Warning
	}
	at := fmt.Sprintf("%s:%d", r.Location.File, r.Location.Row)
	title := fmt.Sprintf("Policy %s.%s", pkgName(m), name)
	desc := "Defined in " + at + "."
	out.Remediation = "See the policy that raised it: " + at + "."
	if a != nil {
		if id := customString(a, "id"); id != "" {
			out.ID = id
		}
		if sev := customString(a, "severity"); sev != "" {
			if s, err := rules.ParseSeverity(sev); err == nil {
				out.Severity = s
			}
		}
		if a.Title != "" {
			title = a.Title
		}
		if a.Description != "" {
			desc = strings.TrimSpace(a.Description)
		}
		if rem := customString(a, "remediation"); rem != "" {
			out.Remediation = rem
		}
		if len(a.RelatedResources) > 0 {
			out.HelpURI = a.RelatedResources[0].Ref.String()
		}
	}
	out.Doc = title + "\n" + desc
	return out
}

// prepare builds one query over a group of packages. Each rule is read
// through a comprehension so that an undefined rule yields [] instead of
// making the whole query undefined.
func prepare(ctx context.Context, c *ast.Compiler, store storage.Store, pkgs []*pkg, perResource bool) (*query, error) {
	if len(pkgs) == 0 {
		return nil, nil
	}
	// One set of [package, rule, value] triples, only for rules that
	// produced something: most resources trip few rules, and converting
	// OPA's result to Go costs by its size.
	var b strings.Builder
	b.WriteString("x := ")
	first := true
	for _, p := range pkgs {
		names := p.names
		if p.exception {
			names = append(slices.Clip(names), "exception")
		}
		for _, n := range names {
			if !first {
				b.WriteString(" | ")
			}
			first = false
			fmt.Fprintf(&b, "{[%q, %q, v] | v := data.%s.%s; v != set(); v != []}", p.path, n, p.path, n)
		}
	}
	opts := []func(*rego.Rego){rego.Query(b.String()), rego.Compiler(c), rego.Store(store)}
	if perResource {
		// The input stays the bare resource, as conftest passes it; the
		// context comes from a resolver rather than a `with` modifier,
		// which would cost OPA its caches (three times slower).
		opts = append(opts, rego.Resolver(contextRef, contextResolver{}))
	}
	pq, err := rego.New(opts...).PrepareForEval(ctx)
	if err != nil {
		return nil, astError(err)
	}
	return &query{pq: pq, pkgs: pkgs}, nil
}

// resourceQuery returns the per-resource query for a kind (nil when no
// package applies to it), preparing it on first use.
func (e *Engine) resourceQuery(ctx context.Context, kind string) (*query, error) {
	kq := e.byKind.Get(kind, func() kindQuery {
		var pkgs []*pkg
		for _, p := range e.resourcePkgs {
			if len(p.kinds) == 0 || slices.Contains(p.kinds, kind) {
				pkgs = append(pkgs, p)
			}
		}
		q, err := prepare(ctx, e.compiler, e.store, pkgs, true)
		return kindQuery{q, err}
	})
	return kq.q, kq.err
}

// kindQuery is the prepared per-resource query of one kind.
type kindQuery struct {
	q   *query
	err error
}

// contextRef is where per-resource policies find their context.
var contextRef = ast.MustParseRef("data.gitops_lint.context")

// contextKey carries the context of one evaluation in its ctx.
type contextKey struct{}

// contextResolver answers data.gitops_lint.context from the evaluation's
// ctx, so each resource sees its own target and source.
type contextResolver struct{}

func (contextResolver) Eval(ctx context.Context, _ resolver.Input) (resolver.Result, error) {
	v, _ := ctx.Value(contextKey{}).(ast.Value)
	return resolver.Result{Value: v}, nil
}

// raw is one value a rule produced.
type raw struct {
	ruleID   string
	msg      string
	path     string
	resource map[string]any
	related  []map[string]any
	// index and relatedIndexes are positions in input.resources, which a
	// target rule gives when resources share an identity (duplicates),
	// so that each is shown at its own place; -1 and nil when not given.
	index          int
	relatedIndexes []int
}

// eval runs the query and returns the results of every rule, less those
// that an exception rule of the same package waives.
func (q *query) eval(ctx context.Context, input ast.Value) ([]raw, error) {
	opts := []rego.EvalOption{rego.EvalParsedInput(input)}
	if tr, ok := ctx.Value(tracerKey{}).(*hotRule); ok {
		opts = append(opts, rego.EvalQueryTracer(tr))
	}
	rs, err := q.pq.Eval(ctx, opts...)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	// got[package][rule] are the values the rule produced.
	got := map[string]map[string][]any{}
	triples, _ := rs[0].Bindings["x"].([]any)
	for _, t := range triples {
		t, ok := t.([]any)
		if !ok || len(t) != 3 {
			continue
		}
		p, _ := t[0].(string)
		r, _ := t[1].(string)
		if got[p] == nil {
			got[p] = map[string][]any{}
		}
		got[p][r] = append(got[p][r], t[2])
	}
	var out []raw
	for _, p := range q.pkgs {
		rs := got[p.path]
		if rs == nil {
			continue
		}
		waived := map[string]bool{}
		collectStrings(rs["exception"], waived)
		for _, name := range p.names {
			if waived[exceptionName(name)] {
				continue
			}
			for _, v := range rs[name] {
				for _, item := range values(v) {
					out = append(out, decode(p.rules[name], name, item))
				}
			}
		}
	}
	return out, nil
}

// exceptionName is how conftest's exception rules name a rule: without
// its deny/violation/warn prefix.
func exceptionName(rule string) string {
	for _, p := range []string{"violation", "deny", "warn"} {
		if s, ok := strings.CutPrefix(rule, p); ok {
			return strings.TrimPrefix(s, "_")
		}
	}
	return rule
}

// collectStrings gathers the strings of an exception value however it is
// nested: conftest's exception rules produce sets of arrays of names.
func collectStrings(v any, into map[string]bool) {
	switch v := v.(type) {
	case string:
		into[v] = true
	case []any:
		for _, x := range v {
			collectStrings(x, into)
		}
	}
}

// values flattens a rule's value: a set or array yields its items, any
// other value itself.
func values(v any) []any {
	switch v := v.(type) {
	case nil:
		return nil
	case []any:
		return v
	}
	return []any{v}
}

func decode(id, rule string, v any) raw {
	r := raw{ruleID: id, index: -1}
	switch v := v.(type) {
	case string:
		r.msg = v
	case bool:
		r.msg = rule
	case map[string]any:
		r.msg, _ = v["msg"].(string)
		if r.msg == "" {
			r.msg = rule
		}
		if p, ok := v["path"].(string); ok && strings.HasPrefix(p, "/") {
			r.path = p
		}
		r.resource, _ = v["resource"].(map[string]any)
		for _, rel := range values(v["related"]) {
			if m, ok := rel.(map[string]any); ok {
				r.related = append(r.related, m)
			}
		}
		if i, ok := resourceIndex(v["index"]); ok {
			r.index = i
		}
		for _, x := range values(v["related_indexes"]) {
			if i, ok := resourceIndex(x); ok {
				r.relatedIndexes = append(r.relatedIndexes, i)
			}
		}
	default:
		r.msg = fmt.Sprint(v)
	}
	return r
}

// Check evaluates the per-resource packages on each resource and the
// per-target packages on the target as a whole. An error means a policy
// failed at evaluation, a configuration error.
func (e *Engine) Check(ctx context.Context, t Target, res []manifest.Resource) ([]rules.Finding, error) {
	if len(e.resourcePkgs) == 0 && e.target == nil {
		return nil, nil
	}
	tctx, cancel := e.budget(ctx)
	defer cancel()
	out, err := e.check(tctx, t, res)
	if err != nil && ctx.Err() == nil {
		switch {
		case errors.Is(context.Cause(tctx), errMemoryBudget):
			// What the evaluation built is garbage now: collect it
			// before the diagnosis builds it again.
			runtime.GC()
			return append(out, e.overBudget(ctx, t, res, fmt.Sprintf("ran past the policy memory budget (%d MiB)", e.memory>>20))), nil
		case errors.Is(tctx.Err(), context.DeadlineExceeded):
			return append(out, e.overBudget(ctx, t, res, fmt.Sprintf("did not finish within the policy timeout (%v)", e.timeout))), nil
		}
	}
	return out, err
}

// budget returns the context one target's policies evaluate in: bounded
// in time and in memory.
func (e *Engine) budget(ctx context.Context) (context.Context, context.CancelFunc) {
	tctx, cancelTime := context.WithTimeout(ctx, e.timeout)
	mctx, cancelMemory := withMemoryBudget(tctx, e.memory)
	return mctx, func() {
		cancelMemory()
		cancelTime()
	}
}

// check is Check within the target's time budget.
func (e *Engine) check(ctx context.Context, t Target, res []manifest.Resource) ([]rules.Finding, error) {
	env := t.Environment
	if env == "" {
		env = Environment(t.Path)
	}
	target := ast.NewObject(
		ast.Item(ast.StringTerm("path"), ast.StringTerm(t.Path)),
		ast.Item(ast.StringTerm("environment"), ast.StringTerm(env)),
		ast.Item(ast.StringTerm("kind"), ast.StringTerm(t.Kind)),
	)
	vals := make([]*ast.Term, len(res))
	// A policy may put any input value in its message or path, as it is or
	// transformed (base64, upper(), a substring): the target's Secret
	// values are screened out of both, its resources' names never are
	// (see package redact). The engine screens again with every value of
	// the run.
	secrets := &redact.Set{}
	for i := range res {
		v, err := ast.InterfaceToValue(res[i].Object)
		if err != nil {
			return nil, fmt.Errorf("policy input %s: %w", res[i].ID, err)
		}
		vals[i] = ast.NewTerm(v)
		secrets.Add(manifest.SecretValues(res[i].Object)...)
		secrets.AddPublic(redact.Names(res[i].Object)...)
	}
	out, err := e.checkResources(ctx, target, res, vals, secrets)
	if err != nil || e.target == nil {
		return out, err
	}
	more, err := e.checkTarget(ctx, t, target, res, vals, secrets)
	return append(out, more...), err
}

// checkResources evaluates the per-resource packages over each resource.
func (e *Engine) checkResources(ctx context.Context, target ast.Object, res []manifest.Resource, vals []*ast.Term, secrets *redact.Set) ([]rules.Finding, error) {
	if len(e.resourcePkgs) == 0 {
		return nil, nil
	}
	var out []rules.Finding
	for i := range res {
		r := &res[i]
		q, err := e.resourceQuery(ctx, r.ID.Kind)
		if err != nil {
			return nil, err
		}
		if q == nil {
			continue
		}
		rctx := ast.NewObject(
			ast.Item(ast.StringTerm("target"), ast.NewTerm(target)),
			ast.Item(ast.StringTerm("source"), ast.ObjectTerm(
				ast.Item(ast.StringTerm("file"), ast.StringTerm(r.Origin.File)),
				ast.Item(ast.StringTerm("line"), ast.IntNumberTerm(r.Origin.Line)),
			)),
		)
		got, err := q.eval(context.WithValue(ctx, contextKey{}, rctx), vals[i].Value)
		if err != nil {
			return nil, err
		}
		for _, g := range got {
			out = append(out, finding(r, g, secrets))
		}
	}
	return out, nil
}

// checkTarget evaluates the per-target packages over the target's
// resources together.
func (e *Engine) checkTarget(ctx context.Context, t Target, target ast.Object, res []manifest.Resource, vals []*ast.Term, secrets *redact.Set) ([]rules.Finding, error) {
	files := make([]*ast.Term, len(t.Files))
	for i, f := range t.Files {
		files[i] = ast.StringTerm(f)
	}
	// A copy with the files: the per-resource contexts keep the other.
	whole := target.Copy()
	whole.Insert(ast.StringTerm("files"), ast.ArrayTerm(files...))
	input := ast.NewObject(
		ast.Item(ast.StringTerm("resources"), ast.ArrayTerm(vals...)),
		ast.Item(ast.StringTerm("target"), ast.NewTerm(whole)),
	)
	got, err := e.target.eval(ctx, input)
	if err != nil {
		return nil, err
	}
	byID := make(map[manifest.ResID]*manifest.Resource, len(res))
	for i := range res {
		if _, dup := byID[res[i].ID]; !dup {
			byID[res[i].ID] = &res[i]
		}
	}
	out := make([]rules.Finding, 0, len(got))
	for _, g := range got {
		r, ok := byID[manifest.IDOf(g.resource)]
		if g.index >= 0 && g.index < len(res) {
			r, ok = &res[g.index], true
		}
		if !ok {
			// About the target as a whole: shown at its kustomization.
			r = &manifest.Resource{Origin: t.Anchor, Target: t.Path}
			g.path = ""
		}
		f := finding(r, g, secrets)
		f.Related = append(f.Related, related(g, res, byID)...)
		out = append(out, f)
	}
	return out, nil
}

// related are the resources a target result names besides its own: by
// index into input.resources, else by identity.
func related(g raw, res []manifest.Resource, byID map[manifest.ResID]*manifest.Resource) []manifest.Origin {
	var out []manifest.Origin
	for _, i := range g.relatedIndexes {
		if i >= 0 && i < len(res) {
			out = append(out, res[i].Origin)
		}
	}
	if g.relatedIndexes == nil {
		for _, rel := range g.related {
			if rr, ok := byID[manifest.IDOf(rel)]; ok {
				out = append(out, rr.Origin)
			}
		}
	}
	return out
}

// resourceIndex reads a position in input.resources from a result.
func resourceIndex(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case float64:
		return int(n), n == float64(int(n))
	case int:
		return n, true
	}
	return 0, false
}

func finding(r *manifest.Resource, g raw, secrets *redact.Set) rules.Finding {
	f := origin.FieldFinding(r, g.ruleID, g.path, secrets.Text(g.msg))
	f.Path = secrets.Text(f.Path)
	// Several messages of one rule about one resource are distinct
	// findings; the message tells them apart when no path does.
	if g.path == "" {
		f.Fingerprint = rules.Fingerprint(g.ruleID, f.Location.File, r.SourceID, "", f.Message)
	}
	return f
}

// environmentDirs are directory names whose child names an environment.
var environmentDirs = map[string]bool{"overlays": true, "overlay": true, "envs": true, "environments": true, "env": true, "clusters": true, "stages": true}

// Environment derives an environment name from a target path: the
// directory under overlays/ (envs/, environments/, clusters/, stages/),
// else the target's own directory name. "apps/web/overlays/prod" and
// "clusters/prod/apps" are both "prod".
func Environment(target string) string {
	parts := strings.Split(target, "/")
	for i := len(parts) - 2; i >= 0; i-- {
		if environmentDirs[parts[i]] {
			return parts[i+1]
		}
	}
	return parts[len(parts)-1]
}

// diagnosisTime bounds the second, traced evaluation of a target that ran
// out of time: long enough to reach the rule that loops, short enough
// that a hostile policy costs one budget and a bit.
const diagnosisTime = time.Second

// overBudget is the finding for a target whose policies ran past their
// time or memory budget (what says which). It evaluates the target again
// with a tracer, briefly and within the same memory budget, to name the
// rule that was running when the budget ran out.
func (e *Engine) overBudget(ctx context.Context, t Target, res []manifest.Resource, what string) rules.Finding {
	tr := &hotRule{}
	dctx, cancelTime := context.WithTimeout(context.WithValue(ctx, tracerKey{}, tr), diagnosisTime)
	defer cancelTime()
	dctx, cancelMemory := withMemoryBudget(dctx, e.memory)
	defer cancelMemory()
	_, _ = e.check(dctx, t, res)
	f := rules.Finding{RuleID: rules.PolicyError, Location: t.Anchor, Targets: []string{t.Path}}
	who := "a policy"
	if r := tr.hottest(); r != nil {
		id := e.ruleID(r)
		who = "policy rule " + id
		if r.Location != nil {
			f.Location = manifest.Origin{File: r.Location.File, Line: r.Location.Row, Col: r.Location.Col}
		}
		f.Fingerprint = rules.Fingerprint(rules.PolicyError, f.Location.File, manifest.ResID{}, "", id+" "+t.Path)
	}
	f.Message = fmt.Sprintf("%s %s on target %s; the target's policy findings are missing", who, what, t.Path)
	return f
}

// ruleID names the rule a policy rule belongs to: the ID of its package's
// rule for the built-in library, else package.rule.
func (e *Engine) ruleID(r *ast.Rule) string {
	name := ruleName(r)
	if r.Module == nil {
		return name
	}
	pkgPath := strings.TrimPrefix(r.Module.Package.Path.String(), "data.")
	pkgs := e.resourcePkgs
	if e.target != nil {
		pkgs = slices.Concat(pkgs, e.target.pkgs)
	}
	for _, p := range pkgs {
		if p.path != pkgPath {
			continue
		}
		if id, ok := p.rules[name]; ok {
			return id
		}
		if len(p.names) > 0 {
			return p.rules[p.names[0]] // a helper of the package's rule
		}
	}
	return pkgPath + "." + name
}

// tracerKey carries a *hotRule in an evaluation's ctx.
type tracerKey struct{}

// hotRule is a query tracer that finds the rule whose body evaluation
// takes the most steps: the one that loops. (The rule entered last is
// often a cached helper it calls.)
type hotRule struct {
	mu      sync.Mutex
	byQuery map[uint64]*ast.Rule
	steps   map[*ast.Rule]int
}

func (*hotRule) Enabled() bool               { return true }
func (*hotRule) Config() topdown.TraceConfig { return topdown.TraceConfig{} }
func (h *hotRule) TraceEvent(ev topdown.Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.byQuery == nil {
		h.byQuery, h.steps = map[uint64]*ast.Rule{}, map[*ast.Rule]int{}
	}
	switch ev.Op {
	case topdown.EnterOp:
		if r, ok := ev.Node.(*ast.Rule); ok {
			h.byQuery[ev.QueryID] = r
		}
	case topdown.EvalOp:
		if r := h.byQuery[ev.QueryID]; r != nil {
			h.steps[r]++
		}
	}
}

// hottest returns the rule with the most steps, nil when none ran.
func (h *hotRule) hottest() *ast.Rule {
	h.mu.Lock()
	defer h.mu.Unlock()
	var best *ast.Rule
	for r, n := range h.steps {
		if best == nil || n > h.steps[best] || (n == h.steps[best] && r.Location.Compare(best.Location) < 0) {
			best = r
		}
	}
	return best
}
