package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// mergeOptions are the flags of merge.
type mergeOptions struct {
	output string
	failOn string
}

func newMergeCommand(e *env) *cobra.Command {
	o := &mergeOptions{}
	c := &cobra.Command{
		Use:   "merge FILE...",
		Short: "Combine the JSON or SARIF reports of check --shard I/N into the report of one whole check",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			failOn, err := rules.ParseSeverity(o.failOn)
			if err != nil {
				return usageError(c, fmt.Errorf("--fail-on: %w", err))
			}
			reports := make([][]byte, len(args))
			for i, name := range args {
				if reports[i], err = os.ReadFile(name); err != nil {
					return usageError(c, err)
				}
			}
			// The built-in catalogue orders the merged report's rules
			// as a whole check orders them.
			cat, err := engine.Catalogue(c.Context(), engine.Options{Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: e.loadPolicies})
			if err != nil {
				return err
			}
			order := make([]string, len(cat))
			for i, r := range cat {
				order[i] = r.ID
			}
			m, err := report.Merge(reports, order)
			if err != nil {
				return usageError(c, err)
			}
			if err := writeTo(e, o.output, m.Write); err != nil {
				return err
			}
			for _, f := range m.Findings {
				if f.Active() && f.Severity >= failOn {
					return &exitCodeError{code: exitFindings}
				}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVarP(&o.output, "output", "o", "", "write the merged report to this file instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding has at least this severity: error, warning or info")
	return c
}
