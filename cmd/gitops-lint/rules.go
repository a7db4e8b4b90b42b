package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/report"
)

func newRulesCommand(e *env) *cobra.Command {
	var (
		format, output, configFile string
		po                         policyOptions
	)
	c := &cobra.Command{
		Use:   "rules",
		Short: "List every rule: built-in checks, the Rego library and --policy rules",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !slices.Contains(report.CatalogueFormats(), format) {
				return usageError(c, fmt.Errorf("unknown --format %q (want one of %v)", format, report.CatalogueFormats()))
			}
			// The catalogue of the repository in the working directory:
			// its configuration file's policies and rule settings.
			cfg, err := loadConfig(e, ".", configFile)
			if err != nil {
				return err
			}
			po.applyConfig(cfg, c.Flags().Changed)
			policy, settings, err := po.options()
			if err != nil {
				return usageError(c, err)
			}
			all, err := engine.Catalogue(c.Context(), engine.Options{Policy: policy, LoadPolicies: e.loadPolicies})
			if err != nil {
				return err
			}
			if err := cfg.CheckRules(all); err != nil {
				return err
			}
			active, err := settings.Apply(all)
			if err != nil {
				return usageError(c, err)
			}
			return writeTo(e, output, func(w io.Writer) error { return report.WriteCatalogue(w, active, format) })
		},
	}
	f := c.Flags()
	f.StringVarP(&format, "format", "f", "text", "output format: text, json or markdown")
	f.StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	po.addFlags(f)
	addConfigFlag(f, &configFile)
	return c
}
