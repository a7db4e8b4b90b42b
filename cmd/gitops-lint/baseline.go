package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/gitops-lint/gitops-lint/internal/baseline"
)

func newBaselineCommand(e *env) *cobra.Command {
	var o runOptions
	var output string
	c := &cobra.Command{
		Use:   "baseline [PATH]",
		Short: "Record today's findings so that check --baseline reports only new ones",
		Long: `baseline runs the same check as gitops-lint check and writes the fingerprints
of its findings to .gitops-lint-baseline.json at the repository root (or to the
file the configuration's baseline: key names, or -o FILE).
Commit the file; then gitops-lint check --baseline .gitops-lint-baseline.json
reports only findings that are not in it; with baseline: in .gitops-lint.yaml,
check and the pre-commit hook apply it without the flag. Fingerprints leave out line numbers,
so the baseline survives edits above and around the recorded findings.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts, cfg, err := o.prepare(c, e, args)
			if err != nil {
				return err
			}
			res, err := execute(c, e, opts)
			if err != nil {
				return err
			}
			switch {
			case output != "":
			case cfg.Baseline.Line > 0:
				// Where check and the pre-commit hook will look for it.
				if output, err = configuredBaseline(res.Root, cfg); err != nil {
					return fmt.Errorf("%s:%d: baseline: %w", cfg.File, cfg.Baseline.Line, err)
				}
			default:
				output = filepath.Join(res.Root, baseline.DefaultFile)
			}
			b := baseline.New(res.Findings)
			if err := writeTo(e, output, b.Write); err != nil {
				return err
			}
			_, err = fmt.Fprintf(e.stderr, "recorded %d findings in %s\n", len(b.Entries), output)
			return err
		},
	}
	o.addFlags(c, e)
	c.Flags().StringVarP(&output, "output", "o", "", "write the baseline here (default: the baseline: key of the configuration, else "+baseline.DefaultFile+" at the repository root)")
	return c
}
