package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Settings say which rules run and at what severity: from --disable and
// --enable on the command line, and from the configuration file.
type Settings struct {
	// Disabled rules do not run.
	Disabled map[string]bool
	// Enabled rules were switched on explicitly (--enable): they win over
	// Disabled, here and in the settings these are put over (see Over).
	Enabled map[string]bool
	// Severity overrides a rule's default severity.
	Severity map[string]Severity
}

// ParseSettings reads --disable RULE and --enable RULE[=SEVERITY] values;
// each may also be a comma-separated list. Enabling a rule wins over
// disabling it, so a command line can turn back on what a configuration
// file turned off.
func ParseSettings(disable, enable []string) (Settings, error) {
	s := Settings{Disabled: map[string]bool{}, Enabled: map[string]bool{}, Severity: map[string]Severity{}}
	for _, id := range splitList(disable) {
		s.Disabled[id] = true
	}
	for _, v := range splitList(enable) {
		id, sev, hasSev := strings.Cut(v, "=")
		delete(s.Disabled, id)
		s.Enabled[id] = true
		if hasSev {
			level, err := ParseSeverity(sev)
			if err != nil {
				return Settings{}, fmt.Errorf("--enable %s: %w", v, err)
			}
			s.Severity[id] = level
		}
	}
	return s, nil
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// Over returns base with s on top: what s disables or enables, and the
// severities s sets, win over base. The command line's settings go over
// the configuration file's.
func (s Settings) Over(base Settings) Settings {
	out := Settings{Disabled: map[string]bool{}, Enabled: map[string]bool{}, Severity: map[string]Severity{}}
	for _, layer := range []Settings{base, s} {
		for id := range layer.Disabled {
			out.Disabled[id] = true
			delete(out.Enabled, id)
		}
		for id := range layer.Enabled {
			out.Enabled[id] = true
			delete(out.Disabled, id)
		}
		maps.Copy(out.Severity, layer.Severity)
	}
	return out
}

// IsDisabled reports whether a rule is switched off.
func (s Settings) IsDisabled(id string) bool { return s.Disabled[id] }

// Apply returns the rules that run, with their effective severities, as
// copies. A setting that names no rule of the catalogue is an error: a
// typo must not silently leave a rule on.
func (s Settings) Apply(catalogue []*Rule) ([]*Rule, error) {
	known := make(map[string]bool, len(catalogue))
	for _, r := range catalogue {
		known[r.ID] = true
	}
	var unknown []string
	for id := range s.Disabled {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	for id := range s.Severity {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	for id := range s.Enabled {
		if !known[id] {
			unknown = append(unknown, id)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, fmt.Errorf("unknown rule %s (see gitops-lint rules)", strings.Join(slices.Compact(unknown), ", "))
	}
	var out []*Rule
	for _, r := range catalogue {
		if s.Disabled[r.ID] {
			continue
		}
		c := *r
		if sev, ok := s.Severity[r.ID]; ok {
			c.Severity = sev
		}
		out = append(out, &c)
	}
	return out, nil
}
