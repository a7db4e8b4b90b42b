// Package config reads .gitops-lint.yaml, the repository's configuration
// file: the Kubernetes version, which targets and files a run covers,
// per-target settings, rule severities and per-path overrides, policies,
// extra schema locations and the secret allowlist.
//
// Every problem in the file is an error naming the file and line: an
// unknown key, a value of the wrong shape, an unknown severity or load
// restrictor, a bad glob or regular expression, a path that leaves the
// repository. Rule IDs are checked once the rule catalogue is known
// (CheckRules), because user policies add rules.
package config

import (
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

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
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
	// KubernetesVersion selects the embedded schemas ("" when unset).
	KubernetesVersion string
	// FailOn is the lowest severity that fails a run ("" when unset).
	FailOn string
	// LoadRestrictor is kustomize's for every target ("" when unset).
	LoadRestrictor string
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
	// LoadRestrictor overrides kustomize's for matching targets ("" when unset).
	LoadRestrictor string
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
	// RegoVersion is "" when unset.
	RegoVersion string
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
func Parse(file, root string, data []byte) (*Config, error) {
	absRoot, err := resolve(root)
	if err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	p := &parser{file: file, root: root, absRoot: absRoot, cfg: &Config{File: file}}
	// The parser follows aliases: a bomb would be walked node by node.
	if err := manifest.CheckAliases(file, data); err != nil {
		se, _ := manifest.AsSyntaxError(file, err)
		return nil, &lineError{file: file, line: se.Origin.Line, msg: se.Msg}
	}
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	var doc yaml.Node
	switch err := dec.Decode(&doc); {
	case errors.Is(err, io.EOF):
		return p.cfg, nil // an empty file, or only comments
	case err != nil:
		if se, ok := manifest.AsSyntaxError(file, err); ok {
			return nil, &lineError{file: file, line: se.Origin.Line, msg: se.Msg}
		}
		return nil, fmt.Errorf("%s: %w", file, err)
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
		return nil, &lineError{file: file, line: line, msg: "the file holds more than one YAML document"}
	}
	if len(doc.Content) == 1 {
		p.top(doc.Content[0])
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	return p.cfg, nil
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
	errs                []error
}

func (p *parser) fail(n *yaml.Node, format string, args ...any) {
	p.errs = append(p.errs, &lineError{file: p.file, line: n.Line, msg: fmt.Sprintf(format, args...)})
}

// field handles the value of one known key.
type field func(v *yaml.Node)

func (p *parser) top(n *yaml.Node) {
	c := p.cfg
	p.mapping(n, "", map[string]field{
		"kubernetesVersion": func(v *yaml.Node) {
			if s, ok := p.scalar(v, "kubernetesVersion"); ok {
				if index, err := apis.Load(); err != nil {
					p.fail(v, "kubernetesVersion: %v", err)
				} else if _, err := index.Resolve(s); err != nil {
					p.fail(v, "kubernetesVersion: %v", err)
				}
				c.KubernetesVersion = s
			}
		},
		"failOn": func(v *yaml.Node) {
			if s, ok := p.scalar(v, "failOn"); ok {
				if _, err := rules.ParseSeverity(s); err != nil {
					p.fail(v, "failOn: %v", err)
				}
				c.FailOn = s
			}
		},
		"cacheURL": func(v *yaml.Node) {
			if s, ok := p.scalar(v, "cacheURL"); ok {
				if u, err := url.Parse(s); err != nil || u.Scheme == "" {
					p.fail(v, "cacheURL: %q is not a bucket URL such as s3://bucket or gs://bucket", s)
					return
				}
				c.CacheURL, c.CacheURLLine = s, v.Line
			}
		},
		"loadRestrictor": func(v *yaml.Node) { c.LoadRestrictor = p.loadRestrictor(v) },
		"include":        func(v *yaml.Node) { c.Include = p.globs(v, "include") },
		"exclude":        func(v *yaml.Node) { c.Exclude = p.globs(v, "exclude") },
		"targets":        func(v *yaml.Node) { c.Targets = p.targets(v) },
		"rules":          func(v *yaml.Node) { c.Rules = p.ruleSettings(v, "rules") },
		"overrides":      func(v *yaml.Node) { c.Overrides = p.overrides(v) },
		"policies":       func(v *yaml.Node) { p.policies(v) },
		"schemaLocations": func(v *yaml.Node) {
			for _, item := range p.items(v, "schemaLocations") {
				if loc, ok := p.schemaLocation(item); ok {
					c.SchemaLocations = append(c.SchemaLocations, loc)
				}
			}
		},
		"crds": func(v *yaml.Node) {
			for _, item := range p.items(v, "crds") {
				if rel, ok := p.relative(item, "crds", item.Value); ok {
					c.CRDs = append(c.CRDs, rel)
				}
			}
		},
		"gitops": func(v *yaml.Node) {
			g := &c.GitOps
			p.mapping(v, "gitops", map[string]field{
				"fluxSources": func(v *yaml.Node) { g.FluxSources = p.strings(v, "gitops.fluxSources") },
				"repoURLs":    func(v *yaml.Node) { g.RepoURLs = p.strings(v, "gitops.repoURLs") },
				"production": func(v *yaml.Node) {
					for _, item := range p.items(v, "gitops.production") {
						if _, err := path.Match(item.Value, ""); err != nil || item.Value == "" {
							p.fail(item, "gitops.production: %q is not a glob", item.Value)
							continue
						}
						g.Production = append(g.Production, item.Value)
					}
				},
			})
		},
		"secrets": func(v *yaml.Node) {
			p.mapping(v, "secrets", map[string]field{"allowlist": p.allowlist})
		},
	})
}

// mapping walks a mapping and hands each value to the field of its key;
// unknown and repeated keys are errors. where names the mapping in
// messages ("" at the top).
func (p *parser) mapping(n *yaml.Node, where string, fields map[string]field) {
	n = deref(n)
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, "%s: want a mapping, got %s", orTop(where), describe(n))
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, known := fields[k.Value]
		switch {
		case k.Kind != yaml.ScalarNode:
			p.fail(k, "%s: keys must be strings", orTop(where))
		case !known:
			p.fail(k, "unknown key %q%s%s", k.Value, inWhere(where), suggest(k.Value, fields))
		case seen[k.Value]:
			p.fail(k, "duplicate key %q%s", k.Value, inWhere(where))
		default:
			seen[k.Value] = true
			f(v)
		}
	}
}

// scalar reads a string value; null counts as unset.
func (p *parser) scalar(n *yaml.Node, where string) (string, bool) {
	n = deref(n)
	if isNull(n) {
		return "", false
	}
	if n.Kind != yaml.ScalarNode {
		p.fail(n, "%s: want a string, got %s", where, describe(n))
		return "", false
	}
	return n.Value, true
}

func (p *parser) boolean(n *yaml.Node, where string) *bool {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&b) != nil {
		p.fail(n, "%s: want true or false, got %s", where, describe(n))
		return nil
	}
	return &b
}

// strings reads a list of strings; a single string is a list of one.
func (p *parser) strings(n *yaml.Node, where string) []string {
	var out []string
	for _, item := range p.items(n, where) {
		out = append(out, item.Value)
	}
	return out
}

// items returns the scalar nodes of a list (or of a single scalar).
func (p *parser) items(n *yaml.Node, where string) []*yaml.Node {
	n = deref(n)
	switch {
	case isNull(n):
		return nil
	case n.Kind == yaml.ScalarNode && n.Value == "":
		p.fail(n, "%s: want a non-empty string", where)
		return nil
	case n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str":
		return []*yaml.Node{n} // a single string is a list of one
	case n.Kind == yaml.ScalarNode:
		// include: 5 would select nothing and pass silently.
		p.fail(n, "%s: want a list of strings, got the %s %s", where, strings.TrimPrefix(n.ShortTag(), "!!"), describe(n))
		return nil
	case n.Kind != yaml.SequenceNode:
		p.fail(n, "%s: want a list of strings, got %s", where, describe(n))
		return nil
	}
	var out []*yaml.Node
	for _, item := range n.Content {
		item = deref(item)
		if item.Kind != yaml.ScalarNode || isNull(item) || item.Value == "" {
			p.fail(item, "%s: want a non-empty string, got %s", where, describe(item))
			continue
		}
		out = append(out, item)
	}
	return out
}

func (p *parser) globs(n *yaml.Node, where string) []Glob {
	var out []Glob
	for _, item := range p.items(n, where) {
		g := strings.TrimPrefix(item.Value, "./")
		switch {
		case path.IsAbs(g) || filepath.IsAbs(g):
			p.fail(item, "%s: glob %q must be relative to the repository root", where, item.Value)
		case !doublestar.ValidatePattern(g):
			p.fail(item, "%s: bad glob %q", where, item.Value)
		case slices.Contains(strings.Split(g, "/"), ".."):
			p.fail(item, "%s: glob %q climbs out of the repository", where, item.Value)
		default:
			out = append(out, Glob{Pattern: path.Clean(g), Line: item.Line})
		}
	}
	return out
}

func (p *parser) loadRestrictor(n *yaml.Node) string {
	s, ok := p.scalar(n, "loadRestrictor")
	if !ok {
		return ""
	}
	if _, err := ParseLoadRestrictor(s); err != nil {
		p.fail(n, "loadRestrictor: %v", err)
		return ""
	}
	return s
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

func (p *parser) targets(n *yaml.Node) []Target {
	var out []Target
	for i, item := range p.list(n, "targets") {
		where := fmt.Sprintf("targets[%d]", i)
		t := Target{Line: item.Line}
		p.mapping(item, where, map[string]field{
			"paths":          func(v *yaml.Node) { t.Paths = p.globs(v, where+".paths") },
			"skip":           func(v *yaml.Node) { t.Skip = p.boolean(v, where+".skip") },
			"loadRestrictor": func(v *yaml.Node) { t.LoadRestrictor = p.loadRestrictor(v) },
			"environment": func(v *yaml.Node) {
				if s, ok := p.scalar(v, where+".environment"); ok {
					t.Environment = s
				}
			},
		})
		if deref(item).Kind == yaml.MappingNode && !hasKey(item, "paths") {
			p.fail(item, "%s: paths is required", where)
		}
		out = append(out, t)
	}
	return out
}

// list returns the entries of a sequence (null is empty).
func (p *parser) list(n *yaml.Node, where string) []*yaml.Node {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		p.fail(n, "%s: want a list, got %s", where, describe(n))
		return nil
	}
	out := make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		out[i] = deref(c)
	}
	return out
}

// ruleSettings reads a mapping of rule ID to off or a severity.
func (p *parser) ruleSettings(n *yaml.Node, where string) []RuleSetting {
	n = deref(n)
	if isNull(n) {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		p.fail(n, "%s: want a mapping of rule ID to off, error, warning or info, got %s", where, describe(n))
		return nil
	}
	var out []RuleSetting
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], deref(n.Content[i+1])
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			p.fail(k, "%s: a rule ID must be a non-empty string", where)
			continue
		}
		if seen[k.Value] {
			p.fail(k, "duplicate rule %q in %s", k.Value, where)
			continue
		}
		seen[k.Value] = true
		if v.Kind != yaml.ScalarNode || isNull(v) {
			p.fail(v, "%s.%s: want off, error, warning or info, got %s", where, k.Value, describe(v))
			continue
		}
		s := RuleSetting{ID: k.Value, Line: k.Line}
		if strings.EqualFold(v.Value, "off") {
			s.Off = true
		} else if sev, err := rules.ParseSeverity(v.Value); err == nil {
			s.Severity = sev
		} else {
			p.fail(v, "%s.%s: unknown severity %q (want off, error, warning or info)", where, k.Value, v.Value)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (p *parser) overrides(n *yaml.Node) []Override {
	var out []Override
	for i, item := range p.list(n, "overrides") {
		where := fmt.Sprintf("overrides[%d]", i)
		o := Override{Line: item.Line}
		p.mapping(item, where, map[string]field{
			"paths": func(v *yaml.Node) { o.Paths = p.globs(v, where+".paths") },
			"rules": func(v *yaml.Node) { o.Rules = p.ruleSettings(v, where+".rules") },
		})
		if deref(item).Kind == yaml.MappingNode {
			for _, key := range []string{"paths", "rules"} {
				if !hasKey(item, key) {
					p.fail(item, "%s: %s is required", where, key)
				}
			}
		}
		out = append(out, o)
	}
	return out
}

func (p *parser) policies(n *yaml.Node) {
	pol := &p.cfg.Policies
	p.mapping(n, "policies", map[string]field{
		"paths":      func(v *yaml.Node) { pol.Paths = p.localPaths(v, "policies.paths") },
		"data":       func(v *yaml.Node) { pol.Data = p.localPaths(v, "policies.data") },
		"namespaces": func(v *yaml.Node) { pol.Namespaces = p.strings(v, "policies.namespaces") },
		"allNamespaces": func(v *yaml.Node) {
			pol.AllNamespaces = p.boolean(v, "policies.allNamespaces")
		},
		"builtin": func(v *yaml.Node) { pol.Builtin = p.boolean(v, "policies.builtin") },
		"regoVersion": func(v *yaml.Node) {
			if s, ok := p.scalar(v, "policies.regoVersion"); ok {
				if _, err := rego.ParseRegoVersion(s); err != nil {
					p.fail(v, "policies.regoVersion: %v", err)
				}
				pol.RegoVersion = s
			}
		},
		"timeout": func(v *yaml.Node) {
			if s, ok := p.scalar(v, "policies.timeout"); ok {
				d, err := time.ParseDuration(s)
				if err != nil || d <= 0 {
					p.fail(v, "policies.timeout: want a positive duration such as 10s, got %q", s)
					return
				}
				pol.Timeout = d
			}
		},
	})
}

// localPaths reads files or directories that must exist inside the
// repository, and returns them joined with the root.
func (p *parser) localPaths(n *yaml.Node, where string) []string {
	var out []string
	for _, item := range p.items(n, where) {
		rel, ok := p.relative(item, where, item.Value)
		if !ok {
			continue
		}
		abs, err := filepath.EvalSymlinks(filepath.Join(p.absRoot, filepath.FromSlash(rel)))
		switch {
		case err != nil:
			p.fail(item, "%s: %s does not exist in the repository", where, item.Value)
		case !within(p.absRoot, abs):
			p.fail(item, "%s: %s resolves outside the repository; it is not read", where, item.Value)
		default:
			out = append(out, filepath.Join(p.root, filepath.FromSlash(rel)))
		}
	}
	return out
}

// relative checks that a path is relative and stays in the repository,
// and returns it cleaned.
func (p *parser) relative(n *yaml.Node, where, s string) (string, bool) {
	if path.IsAbs(s) || filepath.IsAbs(s) {
		p.fail(n, "%s: %s must be relative to the repository root", where, s)
		return "", false
	}
	c := path.Clean(filepath.ToSlash(s))
	if c == ".." || strings.HasPrefix(c, "../") {
		p.fail(n, "%s: %s leaves the repository; it is not read", where, s)
		return "", false
	}
	return c, true
}

// schemaLocation checks one location template: a URL is kept as is (it
// still needs --allow-remote), a local template must stay inside the
// repository and is joined with the root.
func (p *parser) schemaLocation(n *yaml.Node) (string, bool) {
	s := n.Value
	l := strings.ToLower(s)
	if l == "default" || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return s, true
	}
	if strings.Contains(l, "://") {
		p.fail(n, "schemaLocations: %q: only http(s) URLs and paths in the repository are supported", s)
		return "", false
	}
	rel, ok := p.relative(n, "schemaLocations", s)
	if !ok {
		return "", false
	}
	// The part before the first template action is a real directory;
	// it must not be a symlink out of the repository.
	static, _, _ := strings.Cut(rel, "{{")
	if dir := path.Dir(static + "x"); dir != "." {
		if abs, err := filepath.EvalSymlinks(filepath.Join(p.absRoot, filepath.FromSlash(dir))); err == nil && !within(p.absRoot, abs) {
			p.fail(n, "schemaLocations: %s resolves outside the repository; it is not read", s)
			return "", false
		}
	}
	return filepath.Join(p.root, filepath.FromSlash(rel)), true
}

func (p *parser) allowlist(n *yaml.Node) {
	a := &p.cfg.Secrets
	p.mapping(n, "secrets.allowlist", map[string]field{
		"paths": func(v *yaml.Node) { a.Paths = p.globs(v, "secrets.allowlist.paths") },
		"regexes": func(v *yaml.Node) {
			for _, item := range p.items(v, "secrets.allowlist.regexes") {
				if _, err := rules.CompileRegexp(item.Value); err != nil {
					p.fail(item, "secrets.allowlist.regexes: %v", err)
					continue
				}
				a.Regexes = append(a.Regexes, item.Value)
			}
		},
		"fingerprints": func(v *yaml.Node) {
			for _, item := range p.items(v, "secrets.allowlist.fingerprints") {
				fp := strings.ReplaceAll(item.Value, `\`, "/")
				if !validFingerprint(fp) {
					p.fail(item, "secrets.allowlist.fingerprints: %q is not a gitleaks fingerprint (file:rule:line)", item.Value)
					continue
				}
				a.Fingerprints = append(a.Fingerprints, fp)
			}
		},
	})
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

func hasKey(n *yaml.Node, key string) bool {
	n = deref(n)
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
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
func suggest(key string, fields map[string]field) string {
	known := make([]string, 0, len(fields))
	for k := range fields {
		known = append(known, k)
	}
	slices.Sort(known)
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
