package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/schema"
)

// checkOptions are the flags of `gitops-lint check`.
type checkOptions struct {
	format            string
	output            string
	failOn            string
	jobs              int
	kubernetesVersion string
	schemaLocations   []string
	allowRemote       bool
	loadRestrictor    string
	schemaCacheDir    string
	crdPaths          []string
	policy            policyOptions
}

func (o *checkOptions) addFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringVarP(&o.format, "format", "f", "text", "output format: text, json or sarif")
	f.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding has at least this severity: error, warning or info")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "targets rendered in parallel (default: number of CPUs)")
	addSchemaFlags(f, &o.kubernetesVersion, &o.schemaLocations, &o.schemaCacheDir)
	f.StringArrayVar(&o.crdPaths, "crds", nil, "CRD file or directory: its CustomResourceDefinitions validate custom resources, before the repository's own (repeatable; may be outside the repository)")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow network access: fetch remote kustomize resources and http(s) schema locations")
	o.policy.addFlags(f)
	f.StringVar(&o.loadRestrictor, "load-restrictor", "rootOnly", "kustomize load restrictor: rootOnly (as kustomize build and Argo CD) or none (as Flux); reads never leave the repository either way")
}

// validate checks the flags before anything runs, so a typo is a usage
// error (exit 2), not a half-finished run.
func (o *checkOptions) validate() (failOn rules.Severity, lr types.LoadRestrictions, err error) {
	if !slices.Contains(report.Formats(), o.format) {
		return 0, 0, fmt.Errorf("unknown --format %q (want one of %v)", o.format, report.Formats())
	}
	if failOn, err = rules.ParseSeverity(o.failOn); err != nil {
		return 0, 0, fmt.Errorf("--fail-on: %w", err)
	}
	if o.jobs < 0 {
		return 0, 0, fmt.Errorf("--jobs must not be negative")
	}
	if lr, err = parseLoadRestrictor(o.loadRestrictor); err != nil {
		return 0, 0, err
	}
	if _, err := schema.ResolveVersion(o.kubernetesVersion); err != nil {
		return 0, 0, fmt.Errorf("--kubernetes-version: %w", err)
	}
	return failOn, lr, nil
}

func parseLoadRestrictor(s string) (types.LoadRestrictions, error) {
	switch s {
	case "rootOnly", "LoadRestrictionsRootOnly":
		return types.LoadRestrictionsRootOnly, nil
	case "none", "LoadRestrictionsNone":
		return types.LoadRestrictionsNone, nil
	}
	return 0, fmt.Errorf("unknown --load-restrictor %q (want rootOnly or none)", s)
}

func newCheckCommand(e *env) *cobra.Command {
	o := &checkOptions{}
	c := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Render and validate every target of the repository at PATH (default .)",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			failOn, lr, err := o.validate()
			if err != nil {
				return usageError(c, err)
			}
			policy, settings, err := o.policy.options()
			if err != nil {
				return usageError(c, err)
			}
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			start := time.Now()
			opts := engine.Options{
				Root: root, Jobs: o.jobs, KubernetesVersion: o.kubernetesVersion,
				SchemaLocations: o.schemaLocations, SchemaCacheDir: o.schemaCacheDir, CRDPaths: o.crdPaths,
				AllowRemote: o.allowRemote, LoadRestrictions: lr,
				Policy: policy, Rules: settings,
			}
			bar := progress(e)
			if bar != nil {
				opts.Progress = func(done, total int) {
					bar.ChangeMax(total)
					_ = bar.Set(done)
				}
			}
			res, err := engine.Run(c.Context(), opts)
			if bar != nil {
				_ = bar.Clear()
			}
			if err != nil {
				return err
			}
			in := reportInput(res, time.Since(start))
			if err := writeReport(e, o.output, in, report.Options{Format: o.format, Color: o.output == "" && useColor(e)}); err != nil {
				return err
			}
			for _, f := range res.Findings {
				if f.Severity >= failOn {
					return &exitCodeError{code: exitFindings}
				}
			}
			return nil
		},
	}
	o.addFlags(c)
	return c
}

// progress returns a progress bar on an interactive stderr, and nil when
// output is piped or redirected, so logs and CI output stay clean.
func progress(e *env) *progressbar.ProgressBar {
	if !isTerminal(e.stderr) || e.getenv("CI") != "" {
		return nil
	}
	return progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(e.stderr),
		progressbar.OptionSetDescription("checking targets"),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
	)
}

// useColor follows the NO_COLOR convention and colors only a terminal.
func useColor(e *env) bool {
	return e.getenv("NO_COLOR") == "" && isTerminal(e.stdout)
}

func reportInput(res *engine.Result, d time.Duration) report.Input {
	return report.Input{
		Tool:      report.Tool{Name: "gitops-lint", Version: version, InformationURI: "https://github.com/gitops-lint/gitops-lint"},
		Rules:     res.Rules,
		Findings:  res.Findings,
		Targets:   len(res.Targets),
		Resources: res.Resources,
		Duration:  d,
	}
}

// writeReport writes to --output or stdout.
func writeReport(e *env, output string, in report.Input, opts report.Options) error {
	return writeTo(e, output, func(w io.Writer) error { return report.Write(w, in, opts) })
}

// writeTo writes to a file or, when output is empty, stdout. A file is
// written whole or not at all, so a failed run never leaves half a SARIF
// file for upload.
func writeTo(e *env, output string, write func(io.Writer) error) error {
	if output == "" {
		return write(e.stdout)
	}
	if fi, err := os.Stat(output); err == nil && !fi.Mode().IsRegular() {
		// /dev/null, a pipe: nothing to replace atomically.
		f, err := os.OpenFile(output, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		return errors.Join(write(f), f.Close())
	}
	f, err := os.CreateTemp(filepath.Dir(output), ".gitops-lint-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), output)
}
