package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// policyOptions are the flags that choose policies and rules, shared by
// check and rules. They follow conftest's names where conftest has one.
type policyOptions struct {
	policies      []string
	data          []string
	namespaces    []string
	allNamespaces bool
	regoVersion   string
	timeout       time.Duration
	noBuiltin     bool
	disable       []string
	enable        []string
	// fileRules are the configuration file's rule settings; the flags go
	// over them.
	fileRules rules.Settings
}

func (o *policyOptions) addFlags(f *pflag.FlagSet) {
	f.StringArrayVarP(&o.policies, "policy", "p", nil, "Rego policy file or directory, conftest style (repeatable)")
	f.StringArrayVarP(&o.data, "data", "d", nil, "JSON or YAML data file or directory for policies (repeatable)")
	f.StringArrayVarP(&o.namespaces, "namespace", "n", []string{"main"}, "policy package to evaluate (repeatable)")
	f.BoolVar(&o.allNamespaces, "all-namespaces", false, "evaluate every package of the --policy files")
	f.StringVar(&o.regoVersion, "rego-version", "auto", "Rego syntax of --policy files: v1, v0, or auto (v1, falling back to v0 per file)")
	f.DurationVar(&o.timeout, "policy-timeout", rego.DefaultTimeout, "time budget of all policies on one target; a target over it gets a policy-error finding naming the rule")
	f.BoolVar(&o.noBuiltin, "no-builtin-policies", false, "skip the built-in Rego library (run only --policy rules and the built-in Go checks)")
	f.StringArrayVar(&o.disable, "disable", nil, "switch off a rule by ID (repeatable, or comma-separated)")
	f.StringArrayVar(&o.enable, "enable", nil, "switch a rule back on, optionally at another severity: ID or ID=warning (repeatable)")
}

// applyConfig takes the configuration file's policies and rule settings:
// a flag given explicitly wins, and --policy, --data and --namespace add
// to the file's lists.
func (o *policyOptions) applyConfig(cfg *config.Config, changed func(string) bool) {
	p := cfg.Policies
	o.policies = slices.Concat(p.Paths, o.policies)
	o.data = slices.Concat(p.Data, o.data)
	if len(p.Namespaces) > 0 {
		if changed("namespace") {
			o.namespaces = slices.Concat(p.Namespaces, o.namespaces)
		} else {
			o.namespaces = slices.Clone(p.Namespaces)
		}
	}
	if !changed("all-namespaces") && p.AllNamespaces != nil {
		o.allNamespaces = *p.AllNamespaces
	}
	if !changed("no-builtin-policies") && p.Builtin != nil {
		o.noBuiltin = !*p.Builtin
	}
	if !changed("rego-version") && p.RegoVersion.Line > 0 {
		o.regoVersion = p.RegoVersion.Value
	}
	if !changed("policy-timeout") && p.Timeout > 0 {
		o.timeout = p.Timeout
	}
	o.fileRules = cfg.Settings()
}

// options turns the flags into the engine's policy options and rule
// settings; an error is a usage error.
func (o *policyOptions) options() (rego.Options, rules.Settings, error) {
	v, err := rego.ParseRegoVersion(o.regoVersion)
	if err != nil {
		return rego.Options{}, rules.Settings{}, fmt.Errorf("--rego-version: %w", err)
	}
	if o.timeout <= 0 {
		return rego.Options{}, rules.Settings{}, fmt.Errorf("--policy-timeout must be positive")
	}
	settings, err := rules.ParseSettings(o.disable, o.enable)
	if err != nil {
		return rego.Options{}, rules.Settings{}, err
	}
	settings = settings.Over(o.fileRules)
	opts := rego.Options{
		Builtin:       policies.FS,
		Policies:      o.policies,
		Data:          o.data,
		Namespaces:    o.namespaces,
		AllNamespaces: o.allNamespaces,
		RegoVersion:   v,
		Timeout:       o.timeout,
	}
	if o.noBuiltin {
		opts.Builtin = nil
	}
	return opts, settings, nil
}

func newPolicyCommand(e *env) *cobra.Command {
	c := &cobra.Command{
		Use:   "policy",
		Short: "Work with Rego policies",
	}
	c.AddCommand(newPolicyTestCommand(e))
	return c
}

func newPolicyTestCommand(e *env) *cobra.Command {
	var (
		data        []string
		regoVersion string
		verbose     bool
	)
	c := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run Rego unit tests (test_* rules): the built-in library's, or those under PATH",
		Long: `Run Rego unit tests like opa test and conftest verify. Without PATH it tests the
built-in library; with PATH it tests the policies there, which may import the
built-in helpers (data.gitops_lint.lib.kubernetes). Exits 1 when a test fails.`,
		RunE: func(c *cobra.Command, args []string) error {
			v, err := rego.ParseRegoVersion(regoVersion)
			if err != nil {
				return usageError(c, fmt.Errorf("--rego-version: %w", err))
			}
			n, failed, err := rego.Test(c.Context(), e.stdout, rego.TestOptions{
				Builtin: policies.FS, Policies: args, Data: data, RegoVersion: v, Verbose: verbose,
			})
			if err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("no tests found")
			}
			if failed > 0 {
				return &exitCodeError{code: exitFindings}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringArrayVarP(&data, "data", "d", nil, "JSON or YAML data file or directory (repeatable)")
	f.StringVar(&regoVersion, "rego-version", "auto", "Rego syntax: v1, v0, or auto")
	f.BoolVarP(&verbose, "verbose", "v", false, "list every test, not only failures")
	return c
}
