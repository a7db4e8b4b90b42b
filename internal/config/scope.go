package config

import (
	"errors"
	"fmt"
	"path"
	"slices"

	"github.com/bmatcuk/doublestar/v4"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// TargetSettings say whether and how one target is checked.
type TargetSettings struct {
	// Skipped says why the target is not checked, naming the line of the
	// file that decided it; "" when it is checked.
	Skipped string
	// LoadRestrictions are kustomize's for the target:
	// LoadRestrictionsUnknown when the file says nothing, and the run's
	// default applies.
	LoadRestrictions types.LoadRestrictions
	// Environment replaces the environment derived from the target's
	// path; "" keeps that.
	Environment string
	// Files are the files of a plain target that exclude leaves in.
	Files []string
}

// Scope is the part of the configuration the engine applies: which
// targets and files a run covers, per-target settings, rule settings (for
// their lines), per-path overrides and the secret allowlist, with the
// command line's --load-restrictor already applied. The CLI resolves it
// once from the file and the flags (Config.Scope) and the engine takes it
// instead of the file. A nil *Scope is "no file".
type Scope struct {
	// File names the configuration file in messages.
	File string
	// LoadRestrictions are kustomize's for every target
	// (LoadRestrictionsUnknown: the run's default).
	LoadRestrictions types.LoadRestrictions
	Include, Exclude []Glob
	Targets          []Target
	Rules            []RuleSetting
	Overrides        []Override
	Secrets          SecretAllowlist
}

// Scope resolves what the engine applies. flag is --load-restrictor when
// given on the command line (LoadRestrictionsUnknown otherwise): it wins
// over the file, per-target entries included.
func (c *Config) Scope(flag types.LoadRestrictions) *Scope {
	if c == nil {
		c = &Config{}
	}
	s := &Scope{
		File: c.File, LoadRestrictions: c.LoadRestrictions,
		Include: c.Include, Exclude: c.Exclude, Targets: c.Targets,
		Rules: c.Rules, Overrides: c.Overrides, Secrets: c.Secrets,
	}
	if flag != types.LoadRestrictionsUnknown {
		s.LoadRestrictions = flag
		s.Targets = slices.Clone(c.Targets)
		for i := range s.Targets {
			s.Targets[i].LoadRestrictions = types.LoadRestrictionsUnknown
		}
	}
	return s
}

// CheckRules reports every rule ID of rules: and overrides: that the
// catalogue does not know, at its line (see Scope.CheckRules).
func (c *Config) CheckRules(catalogue []*rules.Rule) error {
	return c.Scope(types.LoadRestrictionsUnknown).CheckRules(catalogue)
}

// Target returns the settings of the target at the repository-relative
// directory dir, made of files when it is a plain target (nil for a
// kustomization). A target is checked unless include is set and does not
// match it, exclude matches it or all its files, or the last targets
// entry that matches it and sets skip says true. Of loadRestrictor and
// environment, the last matching entry that sets one wins;
// loadRestrictor falls back to the file's top-level one.
func (c *Scope) Target(dir string, files []string) TargetSettings {
	s := TargetSettings{Files: files}
	if c == nil {
		return s
	}
	if len(files) > 0 {
		s.Files = slices.DeleteFunc(slices.Clone(files), c.Excluded)
	}
	s.LoadRestrictions = c.LoadRestrictions
	skip := ""
	for _, t := range c.Targets {
		if _, ok := match(t.Paths, dir); !ok {
			continue
		}
		if t.Skip != nil {
			skip = ""
			if *t.Skip {
				skip = fmt.Sprintf("skip: true at %s:%d", c.File, t.Line)
			}
		}
		if t.LoadRestrictions != types.LoadRestrictionsUnknown {
			s.LoadRestrictions = t.LoadRestrictions
		}
		if t.Environment != "" {
			s.Environment = t.Environment
		}
	}
	_, included := match(c.Include, dir)
	switch g, excluded := match(c.Exclude, dir); {
	case excluded:
		s.Skipped = fmt.Sprintf("excluded by %s:%d", c.File, g.Line)
	case len(c.Include) > 0 && !included:
		s.Skipped = fmt.Sprintf("not matched by include at %s:%d", c.File, c.Include[0].Line)
	case len(files) > 0 && len(s.Files) == 0:
		s.Skipped = "every file is excluded by " + c.File
	default:
		s.Skipped = skip
	}
	return s
}

// Excluded reports whether exclude matches a repository-relative file:
// it is not scanned, and no finding located in it is reported.
func (c *Scope) Excluded(file string) bool {
	if c == nil {
		return false
	}
	_, ok := match(c.Exclude, file)
	return ok
}

// SecretAllowed reports whether secrets.allowlist.paths matches a file:
// the secret checks report nothing located in it.
func (c *Scope) SecretAllowed(file string) bool {
	if c == nil {
		return false
	}
	_, ok := match(c.Secrets.Paths, file)
	return ok
}

// Settings returns the rules: section as rule settings, for
// rules.Settings.Over to put the command line's on top.
func (c *Config) Settings() rules.Settings {
	s := rules.Settings{Disabled: map[string]bool{}, Severity: map[string]rules.Severity{}}
	if c == nil {
		return s
	}
	for _, r := range c.Rules {
		if r.Off {
			s.Disabled[r.ID] = true
		} else {
			s.Severity[r.ID] = r.Severity
		}
	}
	return s
}

// Adjust applies the overrides to a finding: the last override whose
// paths match the finding's file and that names its rule decides its
// severity, or drops it (false) when it says off. Overrides cannot turn
// on a rule that is off for the whole run: such a rule does not run.
func (c *Scope) Adjust(f *rules.Finding) bool {
	if c == nil {
		return true
	}
	for _, o := range slices.Backward(c.Overrides) {
		if _, ok := match(o.Paths, f.Location.File); !ok {
			continue
		}
		for _, r := range o.Rules {
			if r.ID != f.RuleID {
				continue
			}
			if r.Off {
				return false
			}
			f.Severity = r.Severity
			return true
		}
	}
	return true
}

// HasOverrides reports whether Adjust can change anything.
func (c *Scope) HasOverrides() bool { return c != nil && len(c.Overrides) > 0 }

// CheckRules reports every rule ID of rules: and overrides: that the
// catalogue does not know, at its line: a typo must not silently leave a
// rule on.
func (c *Scope) CheckRules(catalogue []*rules.Rule) error {
	if c == nil {
		return nil
	}
	known := make(map[string]bool, len(catalogue))
	ids := make([]string, 0, len(catalogue))
	for _, r := range catalogue {
		known[r.ID] = true
		ids = append(ids, r.ID)
	}
	slices.Sort(ids)
	var errs []error
	check := func(settings []RuleSetting) {
		for _, r := range settings {
			if known[r.ID] {
				continue
			}
			msg := fmt.Sprintf("unknown rule %q", r.ID)
			if best := closest(r.ID, ids); best != "" {
				msg += fmt.Sprintf("; did you mean %q?", best)
			} else {
				msg += " (see gitops-lint rules)"
			}
			errs = append(errs, &lineError{file: c.File, line: r.Line, msg: msg})
		}
	}
	check(c.Rules)
	for _, o := range c.Overrides {
		check(o.Rules)
	}
	return errors.Join(errs...)
}

// match returns the first glob that matches p (repository-relative,
// slash-separated) or one of its parent directories.
func match(globs []Glob, p string) (Glob, bool) {
	if len(globs) == 0 {
		return Glob{}, false
	}
	for q := path.Clean(p); ; q = path.Dir(q) {
		for _, g := range globs {
			if doublestar.MatchUnvalidated(g.Pattern, q) {
				return g, true
			}
		}
		if parent := path.Dir(q); parent == q || parent == "." {
			return Glob{}, false
		}
	}
}
