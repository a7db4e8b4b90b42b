// Package config reads .gitops-lint.yaml, the repository's configuration
// file: the Kubernetes version, which targets and files a run covers,
// per-target settings, rule severities and per-path overrides, policies,
// extra schema locations and the secret allowlist.
//
// Every problem in the file is an error naming the file and line: an
// unknown key, a value of the wrong shape, an unknown severity or load
// restrictor, a bad glob or regular expression, a path that leaves the
// repository. Rule IDs are checked once the rule catalogue is known
// (CheckRules), because user policies add rules; the Kubernetes and Rego
// versions by the caller, which knows their vocabularies (CheckValues),
// so that this package depends on neither.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agnivade/levenshtein"
	"github.com/bmatcuk/doublestar/v4"
	"go.yaml.in/yaml/v3"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// FileName is the configuration file looked for at the repository root.
const FileName = ".gitops-lint.yaml"

// maxFileSize bounds what is read: a configuration file is a few
// kilobytes, and anything far larger is a mistake.
const maxFileSize = 1 << 20

// Config is a parsed configuration file. The zero value is "no file":
// every method then leaves the run as the command line describes it.
type Config struct {
	// File is the file as it was opened (joined with the root as given,
	// or --config as typed), for messages; "" without a file.
	File string
	// KubernetesVersion selects the embedded schemas (Line 0 when
	// unset). The CLI checks it against the API table (CheckValues).
	KubernetesVersion Located[string]
	// FailOn is the lowest severity that fails a run ("" when unset).
	FailOn string
	// LoadRestrictions are kustomize's for every target
	// (LoadRestrictionsUnknown when unset).
	LoadRestrictions types.LoadRestrictions
	// Baseline is the repository-relative baseline file (written by
	// gitops-lint baseline) that check and the pre-commit hook apply when
	// --baseline is not given (Line 0 when unset).
	Baseline Located[string]
	// Include are globs of target directories to check; empty means all.
	Include []Glob
	// Exclude are globs of targets and files left out of the run.
	Exclude []Glob
	// Targets adjust the targets whose path they match; later entries
	// win field by field.
	Targets []Target
	// Rules switch rules off or change their severity everywhere.
	Rules []RuleSetting
	// Overrides change rules for findings in the files they match;
	// later entries win.
	Overrides []Override
	// Policies choose the Rego policies, as --policy and friends do.
	Policies Policies
	// SchemaLocations are extra kubeconform-style location templates;
	// local ones are joined with the repository root.
	SchemaLocations []string
	// CRDs are repository-relative CRD files or directories whose
	// CustomResourceDefinitions validate custom resources (the engine's
	// RepoCRDPaths).
	CRDs []string
	// ChartDirs are directories of Helm charts (unpacked, or packed .tgz)
	// for the releases whose chart comes from a Helm or OCI repository, as
	// --chart-dir gives them: absolute, or relative to the repository root
	// (slash-separated, clean, inside it). They are not part of the cache
	// key: the engine keys what they hold.
	ChartDirs []string `json:"-"`
	// GitOps configures the Flux and Argo CD reference checks and what
	// counts as production for image tags.
	GitOps GitOps
	// Secrets is the allowlist of the secret checks.
	Secrets SecretAllowlist
	// CacheURL names a bucket of result cache entries shared by machines,
	// as --cache-url does ("" when unset). It is not part of the cache
	// key: where entries are kept does not change them.
	CacheURL string `json:"-"`
	// CacheURLLine is where cacheURL is written.
	CacheURLLine int `json:"-"`
}

// GitOps are the settings of the gitops rule family.
type GitOps struct {
	// FluxSources name the Flux GitRepository objects that are this
	// repository (default flux-system).
	FluxSources []string
	// RepoURLs are further URLs of this repository for Argo CD's repoURL,
	// beside its git remotes.
	RepoURLs []string
	// Production are globs of environment names (or, with a slash, target
	// paths) whose images must not be pre-releases (default *prod*).
	Production []string
}

// Glob is a doublestar pattern over repository-relative, slash-separated
// paths. It matches a path when it matches the path itself or one of its
// parent directories, so "vendor" covers everything below vendor/.
type Glob struct {
	Pattern string
	// Line is where the pattern is written.
	Line int
}

// Target is one entry of targets:.
type Target struct {
	// Paths are the target directories it applies to.
	Paths []Glob
	// Skip leaves matching targets out of the run.
	Skip *bool
	// LoadRestrictions override kustomize's for matching targets
	// (LoadRestrictionsUnknown when unset).
	LoadRestrictions types.LoadRestrictions
	// Environment names the environment of matching targets, for
	// policies (input.target.environment); "" when unset.
	Environment string
	// Line is where the entry starts.
	Line int
}

// RuleSetting is one entry of rules: or of an override's rules:.
type RuleSetting struct {
	ID string
	// Off switches the rule off; otherwise Severity applies.
	Off      bool
	Severity rules.Severity
	// Line is where the entry is written.
	Line int
}

// Override changes rules for findings located in matching files.
type Override struct {
	Paths []Glob
	Rules []RuleSetting
	Line  int
}

// Policies mirror the policy flags of check and rules.
type Policies struct {
	// Paths and Data are joined with the repository root.
	Paths, Data []string
	Namespaces  []string
	// AllNamespaces and Builtin are nil when unset.
	AllNamespaces *bool
	Builtin       *bool
	// RegoVersion is unset when Line is 0; the CLI checks it
	// (CheckValues).
	RegoVersion Located[string]
	// Timeout is the time budget of policies per target (0 when unset).
	Timeout time.Duration
}

// SecretAllowlist silences the secret checks.
type SecretAllowlist struct {
	// Paths are files in which no finding of the secret checks is reported.
	Paths []Glob
	// Regexes are matched against what gitleaks finds: a credential that
	// matches one is not reported, as in a gitleaks [allowlist].
	Regexes []string
	// Fingerprints are gitleaks fingerprints (file:rule:line), as in
	// .gitleaksignore.
	Fingerprints []string
}

// Load reads the configuration of the repository at root: the file
// explicit names when it is set (then a missing file is an error), else
// root/.gitops-lint.yaml when it exists. Without a file it returns an
// empty Config. The file must be inside the repository, symlinks resolved.
func Load(root, explicit string) (*Config, error) {
	file := explicit
	if file == "" {
		file = filepath.Join(root, FileName)
	}
	absRoot, err := resolve(root)
	if err != nil {
		if explicit == "" && errors.Is(err, os.ErrNotExist) {
			return &Config{}, nil // the missing root is reported by discovery
		}
		return nil, fmt.Errorf("repository root: %w", err)
	}
	abs, err := resolve(file)
	switch {
	case errors.Is(err, os.ErrNotExist) && explicit == "":
		return &Config{}, nil
	case errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("configuration file %s does not exist", file)
	case err != nil:
		return nil, fmt.Errorf("configuration file: %w", err)
	}
	if !within(absRoot, abs) {
		return nil, fmt.Errorf("configuration file %s is outside the repository %s; it is not read", file, root)
	}
	// Regular, bounded, and never a FIFO that would block the open.
	data, err := rootfs.ReadRegular(abs, maxFileSize)
	switch {
	case errors.Is(err, rootfs.ErrNotRegular):
		return nil, fmt.Errorf("configuration file %s is not a regular file", file)
	case errors.Is(err, rootfs.ErrTooLarge):
		return nil, fmt.Errorf("configuration file %s is larger than 1 MiB", file)
	case err != nil:
		return nil, fmt.Errorf("configuration file: %w", err)
	}
	return Parse(file, root, data)
}

// Parse reads configuration data. file names it in errors; paths in it
// are relative to root, which must exist for them to be checked.
//
// yaml.v3 decodes the file strictly (unknown and repeated keys are
// errors) into the types of decode.go, whose leaves keep their lines;
// validate then checks every value and builds the Config. Every problem
// is reported, each at its line, in line order.
func Parse(file, root string, data []byte) (*Config, error) {
	absRoot, err := resolve(root)
	if err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	p := &parser{file: file, root: root, absRoot: absRoot, cfg: &Config{File: file}}
	// yaml.v3 follows aliases: a bomb would be expanded value by value.
	if err := manifest.CheckAliases(file, data); err != nil {
		se, _ := manifest.AsSyntaxError(file, err)
		return nil, &lineError{file: file, line: se.Origin.Line, msg: se.Msg}
	}
	doc, err := p.document(data)
	if err != nil || doc == nil {
		return p.cfg, err
	}
	var spec fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&spec); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		for _, msg := range te.Errors {
			p.structural(doc, msg)
		}
	}
	p.validate(&spec, doc)
	if len(p.errs) > 0 {
		slices.SortStableFunc(p.errs, func(a, b *lineError) int { return a.line - b.line })
		errs := make([]error, len(p.errs))
		for i, e := range p.errs {
			errs[i] = e
		}
		return nil, errors.Join(errs...)
	}
	return p.cfg, nil
}

// document decodes the file as nodes, for syntax errors and for the key
// paths of messages; nil when the file is empty or only comments.
func (p *parser) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return nil, nil
	case err != nil:
		if se, ok := manifest.AsSyntaxError(p.file, err); ok {
			return nil, &lineError{file: p.file, line: se.Origin.Line, msg: se.Msg}
		}
		return nil, fmt.Errorf("%s: %w", p.file, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := next.Line
		if len(next.Content) > 0 {
			line = next.Content[0].Line
		}
		if err != nil {
			line = 0
		}
		return nil, &lineError{file: p.file, line: line, msg: "the file holds more than one YAML document"}
	}
	return &doc, nil
}

// lineError is a problem at a line of the configuration file.
type lineError struct {
	file string
	line int
	msg  string
}

func (e *lineError) Error() string {
	if e.line <= 0 {
		return e.file + ": " + e.msg
	}
	return fmt.Sprintf("%s:%d: %s", e.file, e.line, e.msg)
}

type parser struct {
	file, root, absRoot string
	cfg                 *Config
	errs                []*lineError
}

func (p *parser) failAt(line int, format string, args ...any) {
	p.errs = append(p.errs, &lineError{file: p.file, line: line, msg: fmt.Sprintf(format, args...)})
}

// validate checks every value of the decoded file and fills the Config.
func (p *parser) validate(s *fileSpec, doc *yaml.Node) {
	c := p.cfg
	if v, ok := p.str(s.KubernetesVersion, "kubernetesVersion"); ok {
		c.KubernetesVersion = Located[string]{Value: v, Line: s.KubernetesVersion.Line}
	}
	if v, ok := p.str(s.FailOn, "failOn"); ok {
		if _, err := rules.ParseSeverity(v); err != nil {
			p.failAt(s.FailOn.Line, "failOn: %v", err)
		}
		c.FailOn = v
	}
	c.LoadRestrictions = p.loadRestrictor(s.LoadRestrictor)
	if v, ok := p.str(s.CacheURL, "cacheURL"); ok {
		if u, err := url.Parse(v); err != nil || u.Scheme == "" {
			// The value is not quoted: a URL may carry credentials.
			p.failAt(s.CacheURL.Line, "cacheURL: not a bucket URL such as s3://bucket or file:///dir")
		} else {
			c.CacheURL, c.CacheURLLine = v, s.CacheURL.Line
		}
	}
	if v, ok := p.str(s.Baseline, "baseline"); ok {
		if rel, ok := p.relative(s.Baseline.Line, "baseline", v); ok {
			c.Baseline = Located[string]{Value: rel, Line: s.Baseline.Line}
		}
	}
	c.Include = p.globs(s.Include, "include")
	c.Exclude = p.globs(s.Exclude, "exclude")
	c.Targets = p.targets(s.Targets, entryLines(doc, "targets"))
	c.Rules = p.ruleSettings(s.Rules, "rules")
	c.Overrides = p.overrides(s.Overrides, entryLines(doc, "overrides"))
	p.policies(&s.Policies)
	for _, item := range p.items(s.SchemaLocations, "schemaLocations") {
		if loc, ok := p.schemaLocation(item); ok {
			c.SchemaLocations = append(c.SchemaLocations, loc)
		}
	}
	for _, item := range p.items(s.CRDs, "crds") {
		if rel, ok := p.relative(item.Line, "crds", item.Value); ok {
			c.CRDs = append(c.CRDs, rel)
		}
	}
	for _, item := range p.items(s.ChartDirs, "chartDirs") {
		if path.IsAbs(item.Value) || filepath.IsAbs(item.Value) {
			c.ChartDirs = append(c.ChartDirs, item.Value) // a directory the owner named on purpose
		} else if rel, ok := p.relative(item.Line, "chartDirs", item.Value); ok {
			c.ChartDirs = append(c.ChartDirs, rel)
		}
	}
	c.GitOps.FluxSources = p.strings(s.GitOps.FluxSources, "gitops.fluxSources")
	c.GitOps.RepoURLs = p.strings(s.GitOps.RepoURLs, "gitops.repoURLs")
	for _, item := range p.items(s.GitOps.Production, "gitops.production") {
		if _, err := path.Match(item.Value, ""); err != nil {
			p.failAt(item.Line, "gitops.production: %q is not a glob", item.Value)
			continue
		}
		c.GitOps.Production = append(c.GitOps.Production, item.Value)
	}
	p.allowlist(&s.Secrets.Allowlist)
}

// entryLines returns the line of each entry of the top-level list key.
func entryLines(doc *yaml.Node, key string) []int {
	top := deref(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil
	}
	var lines []int
	for i := 0; i+1 < len(top.Content); i += 2 {
		if v := deref(top.Content[i+1]); top.Content[i].Value == key && v.Kind == yaml.SequenceNode {
			lines = lines[:0]
			for _, e := range v.Content {
				lines = append(lines, deref(e).Line)
			}
		}
	}
	return lines
}

// str reads a string value; unset is ("", false).
func (p *parser) str(l leaf[string], where string) (string, bool) {
	if l.got != "" {
		p.failAt(l.Line, "%s: want a string, got %s", where, l.got)
		return "", false
	}
	return l.Value, l.Line > 0
}

func (p *parser) boolean(l leaf[bool], where string) *bool {
	switch {
	case l.got != "":
		p.failAt(l.Line, "%s: want true or false, got %s", where, l.got)
		return nil
	case l.Line == 0:
		return nil
	}
	b := l.Value
	return &b
}

// items returns the non-empty strings of a list.
func (p *parser) items(s strList, where string) []leaf[string] {
	if s.got != "" {
		p.failAt(s.Line, "%s: want a list of strings, got %s", where, s.got)
		return nil
	}
	var out []leaf[string]
	for _, item := range s.Items {
		switch {
		case item.got != "":
			p.failAt(item.Line, "%s: want a non-empty string, got %s", where, item.got)
		case item.Value == "":
			p.failAt(item.Line, "%s: want a non-empty string", where)
		default:
			out = append(out, item)
		}
	}
	return out
}

func (p *parser) strings(s strList, where string) []string {
	var out []string
	for _, item := range p.items(s, where) {
		out = append(out, item.Value)
	}
	return out
}

func (p *parser) globs(s strList, where string) []Glob {
	var out []Glob
	for _, item := range p.items(s, where) {
		g := strings.TrimPrefix(item.Value, "./")
		switch {
		case path.IsAbs(g) || filepath.IsAbs(g):
			p.failAt(item.Line, "%s: glob %q must be relative to the repository root", where, item.Value)
		case !doublestar.ValidatePattern(g):
			p.failAt(item.Line, "%s: bad glob %q", where, item.Value)
		case slices.Contains(strings.Split(g, "/"), ".."):
			p.failAt(item.Line, "%s: glob %q climbs out of the repository", where, item.Value)
		default:
			out = append(out, Glob{Pattern: path.Clean(g), Line: item.Line})
		}
	}
	return out
}

func (p *parser) loadRestrictor(l leaf[string]) types.LoadRestrictions {
	s, ok := p.str(l, "loadRestrictor")
	if !ok {
		return types.LoadRestrictionsUnknown
	}
	lr, err := ParseLoadRestrictor(s)
	if err != nil {
		p.failAt(l.Line, "loadRestrictor: %v", err)
	}
	return lr
}

// ParseLoadRestrictor reads kustomize's load restrictor, as --load-restrictor
// and the configuration file spell it.
func ParseLoadRestrictor(s string) (types.LoadRestrictions, error) {
	switch s {
	case "rootOnly", "LoadRestrictionsRootOnly":
		return types.LoadRestrictionsRootOnly, nil
	case "none", "LoadRestrictionsNone":
		return types.LoadRestrictionsNone, nil
	}
	return types.LoadRestrictionsUnknown, fmt.Errorf("unknown load restrictor %q (want rootOnly or none)", s)
}

func (p *parser) targets(specs []targetSpec, lines []int) []Target {
	var out []Target
	for i, spec := range specs {
		where := fmt.Sprintf("targets[%d]", i)
		t := Target{Line: lineOf(lines, i)}
		t.Paths = p.globs(spec.Paths, where+".paths")
		t.Skip = p.boolean(spec.Skip, where+".skip")
		t.LoadRestrictions = p.loadRestrictor(spec.LoadRestrictor)
		t.Environment, _ = p.str(spec.Environment, where+".environment")
		if spec.Paths.Line == 0 {
			p.failAt(t.Line, "%s: paths is required", where)
		}
		out = append(out, t)
	}
	return out
}

func lineOf(lines []int, i int) int {
	if i < len(lines) {
		return lines[i]
	}
	return 0
}

// ruleSettings reads a mapping of rule ID to off or a severity.
func (p *parser) ruleSettings(m ruleMap, where string) []RuleSetting {
	if m.got != "" {
		p.failAt(m.Line, "%s: want a mapping of rule ID to off, error, warning or info, got %s", where, m.got)
		return nil
	}
	var out []RuleSetting
	seen := map[string]bool{}
	for _, e := range m.Entries {
		switch {
		case e.ID == "":
			p.failAt(e.Line, "%s: a rule ID must be a non-empty string", where)
			continue
		case seen[e.ID]:
			p.failAt(e.Line, "duplicate rule %q in %s", e.ID, where)
			continue
		case e.Value.got != "":
			seen[e.ID] = true
			p.failAt(e.Value.Line, "%s.%s: want off, error, warning or info, got %s", where, e.ID, e.Value.got)
			continue
		}
		seen[e.ID] = true
		s := RuleSetting{ID: e.ID, Line: e.Line}
		if strings.EqualFold(e.Value.Value, "off") {
			s.Off = true
		} else if sev, err := rules.ParseSeverity(e.Value.Value); err == nil {
			s.Severity = sev
		} else {
			p.failAt(e.Value.Line, "%s.%s: unknown severity %q (want off, error, warning or info)", where, e.ID, e.Value.Value)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) overrides(specs []overrideSpec, lines []int) []Override {
	var out []Override
	for i, spec := range specs {
		where := fmt.Sprintf("overrides[%d]", i)
		o := Override{Line: lineOf(lines, i)}
		o.Paths = p.globs(spec.Paths, where+".paths")
		o.Rules = p.ruleSettings(spec.Rules, where+".rules")
		if spec.Paths.Line == 0 {
			p.failAt(o.Line, "%s: paths is required", where)
		}
		if spec.Rules.Line == 0 {
			p.failAt(o.Line, "%s: rules is required", where)
		}
		out = append(out, o)
	}
	return out
}

func (p *parser) policies(s *policiesSpec) {
	pol := &p.cfg.Policies
	pol.Paths = p.localPaths(s.Paths, "policies.paths")
	pol.Data = p.localPaths(s.Data, "policies.data")
	pol.Namespaces = p.strings(s.Namespaces, "policies.namespaces")
	pol.AllNamespaces = p.boolean(s.AllNamespaces, "policies.allNamespaces")
	pol.Builtin = p.boolean(s.Builtin, "policies.builtin")
	if v, ok := p.str(s.RegoVersion, "policies.regoVersion"); ok {
		pol.RegoVersion = Located[string]{Value: v, Line: s.RegoVersion.Line}
	}
	if v, ok := p.str(s.Timeout, "policies.timeout"); ok {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			p.failAt(s.Timeout.Line, "policies.timeout: want a positive duration such as 10s, got %q", v)
			return
		}
		pol.Timeout = d
	}
}

// localPaths reads files or directories that must exist inside the
// repository, and returns them joined with the root.
func (p *parser) localPaths(s strList, where string) []string {
	var out []string
	for _, item := range p.items(s, where) {
		rel, ok := p.relative(item.Line, where, item.Value)
		if !ok {
			continue
		}
		abs, err := filepath.EvalSymlinks(filepath.Join(p.absRoot, filepath.FromSlash(rel)))
		switch {
		case err != nil:
			p.failAt(item.Line, "%s: %s does not exist in the repository", where, item.Value)
		case !within(p.absRoot, abs):
			p.failAt(item.Line, "%s: %s resolves outside the repository; it is not read", where, item.Value)
		default:
			out = append(out, filepath.Join(p.root, filepath.FromSlash(rel)))
		}
	}
	return out
}

// relative checks that a path is relative and stays in the repository,
// and returns it cleaned.
func (p *parser) relative(line int, where, s string) (string, bool) {
	if path.IsAbs(s) || filepath.IsAbs(s) {
		p.failAt(line, "%s: %s must be relative to the repository root", where, s)
		return "", false
	}
	c := path.Clean(filepath.ToSlash(s))
	if c == ".." || strings.HasPrefix(c, "../") {
		p.failAt(line, "%s: %s leaves the repository; it is not read", where, s)
		return "", false
	}
	return c, true
}

// schemaLocation checks one location template: a URL is kept as is (it
// still needs --allow-remote), a local template must stay inside the
// repository and is joined with the root.
func (p *parser) schemaLocation(item leaf[string]) (string, bool) {
	s := item.Value
	l := strings.ToLower(s)
	if l == "default" || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return s, true
	}
	if strings.Contains(l, "://") {
		p.failAt(item.Line, "schemaLocations: %q: only http(s) URLs and paths in the repository are supported", s)
		return "", false
	}
	rel, ok := p.relative(item.Line, "schemaLocations", s)
	if !ok {
		return "", false
	}
	// The part before the first template action is a real directory;
	// it must not be a symlink out of the repository.
	static, _, _ := strings.Cut(rel, "{{")
	if dir := path.Dir(static + "x"); dir != "." {
		if abs, err := filepath.EvalSymlinks(filepath.Join(p.absRoot, filepath.FromSlash(dir))); err == nil && !within(p.absRoot, abs) {
			p.failAt(item.Line, "schemaLocations: %s resolves outside the repository; it is not read", s)
			return "", false
		}
	}
	return filepath.Join(p.root, filepath.FromSlash(rel)), true
}

func (p *parser) allowlist(s *allowlistSpec) {
	a := &p.cfg.Secrets
	a.Paths = p.globs(s.Paths, "secrets.allowlist.paths")
	for _, item := range p.items(s.Regexes, "secrets.allowlist.regexes") {
		if _, err := rules.CompileRegexp(item.Value); err != nil {
			p.failAt(item.Line, "secrets.allowlist.regexes: %v", err)
			continue
		}
		a.Regexes = append(a.Regexes, item.Value)
	}
	for _, item := range p.items(s.Fingerprints, "secrets.allowlist.fingerprints") {
		fp := strings.ReplaceAll(item.Value, `\`, "/")
		if !validFingerprint(fp) {
			p.failAt(item.Line, "secrets.allowlist.fingerprints: %q is not a gitleaks fingerprint (file:rule:line)", item.Value)
			continue
		}
		a.Fingerprints = append(a.Fingerprints, fp)
	}
}

// validFingerprint accepts gitleaks' file:rule:line (a file name may
// itself hold colons).
func validFingerprint(s string) bool {
	parts := strings.Split(s, ":")
	if len(parts) < 3 {
		return false
	}
	n, err := strconv.Atoi(parts[len(parts)-1])
	return err == nil && n > 0 && parts[len(parts)-2] != "" && parts[0] != ""
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// describe names a node's shape for messages, never its content beyond a
// short scalar.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if isNull(n) {
			return "nothing"
		}
		if len(n.Value) > 40 {
			return "a long string"
		}
		return strconv.Quote(n.Value)
	}
	return "something else"
}

func orTop(where string) string {
	if where == "" {
		return "the file"
	}
	return where
}

func inWhere(where string) string {
	if where == "" {
		return ""
	}
	return " in " + where
}

// suggest names the known key closest to an unknown one, or lists them.
func suggest(key string, known []string) string {
	if len(known) == 0 {
		return ""
	}
	if best := closest(key, known); best != "" {
		return fmt.Sprintf("; did you mean %q?", best)
	}
	return " (want one of " + strings.Join(known, ", ") + ")"
}

// closest returns the candidate nearest to s when it is near enough to
// be a typo of it (at most two edits, ignoring case), else "".
func closest(s string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.ComputeDistance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// resolve returns the absolute path with symlinks resolved.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	return filepath.EvalSymlinks(abs)
}

// within reports whether p (absolute, clean) is root or below it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// ValueChecks validate values whose vocabulary other packages own: the
// caller passes them in, so that reading the file needs neither the API
// table nor the Rego engine. A nil check accepts everything.
type ValueChecks struct {
	// KubernetesVersion checks kubernetesVersion (apis.Index.Resolve).
	KubernetesVersion func(string) error
	// RegoVersion checks policies.regoVersion (rego.ParseRegoVersion).
	RegoVersion func(string) error
}

// CheckValues reports, at their lines, the values that checks reject.
func (c *Config) CheckValues(checks ValueChecks) error {
	if c == nil {
		return nil
	}
	var errs []error
	for _, v := range []struct {
		where string
		value Located[string]
		check func(string) error
	}{
		{"kubernetesVersion", c.KubernetesVersion, checks.KubernetesVersion},
		{"policies.regoVersion", c.Policies.RegoVersion, checks.RegoVersion},
	} {
		if v.value.Line == 0 || v.check == nil {
			continue
		}
		if err := v.check(v.value.Value); err != nil {
			errs = append(errs, &lineError{file: c.File, line: v.value.Line, msg: fmt.Sprintf("%s: %v", v.where, err)})
		}
	}
	return errors.Join(errs...)
}
