// Package rules defines the data shared by every check: rules, findings and
// severities, and the explicit catalogue of built-in rules.
package rules

import (
	"fmt"
	"strings"
)

// Rule describes one check. Rules are plain values handed to the engine
// explicitly; there is no registration at init time.
type Rule struct {
	// ID is stable, kebab-case, and what users write in configuration and
	// suppressions.
	ID string
	// Severity is the default severity of its findings.
	Severity Severity
	// Doc describes the rule; its first line is the title.
	Doc string
	// Remediation tells a person how to fix a finding.
	Remediation string
	// HelpURI points at the rule's documentation, if any.
	HelpURI string
	// Kinds are the resource kinds the rule looks at, when it says.
	Kinds []string
	// Peers name the checks of other tools that this rule overlaps
	// ("polaris:hostNetworkSet", "kube-linter:host-network"), for people
	// migrating and for the conformance tests against their fixtures.
	Peers []string
	// Source is where the rule is defined: a policy file, or "" for the
	// rules built into the Go code.
	Source string
}

// Title is the first line of Doc.
func (r *Rule) Title() string {
	title, _, _ := strings.Cut(r.Doc, "\n")
	return strings.TrimSpace(title)
}

// Description is Doc without its title line.
func (r *Rule) Description() string {
	_, rest, _ := strings.Cut(r.Doc, "\n")
	return strings.TrimSpace(rest)
}

// Validate rejects a catalogue with duplicate IDs or rules without docs; it
// runs at startup and in a unit test.
func Validate(rs []*Rule) error {
	seen := map[string]bool{}
	for _, r := range rs {
		switch {
		case r.ID == "":
			return fmt.Errorf("rule with title %q has no ID", r.Title())
		case seen[r.ID]:
			return fmt.Errorf("duplicate rule ID %q", r.ID)
		case r.Title() == "":
			return fmt.Errorf("rule %q has no doc", r.ID)
		case r.Remediation == "":
			return fmt.Errorf("rule %q has no remediation", r.ID)
		}
		seen[r.ID] = true
	}
	return nil
}
