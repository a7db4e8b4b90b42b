package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/diff"
	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// diffOptions are the flags of `gitops-lint diff`.
type diffOptions struct {
	base           string
	format         string
	output         string
	jobs           int
	allowRemote    bool
	loadRestrictor string
	config         string
	chartDirs      []string
}

func (o *diffOptions) addFlags(c *cobra.Command) {
	f := c.Flags()
	f.StringVar(&o.base, "base", "", "git ref to compare the working tree with, e.g. origin/main (required)")
	f.StringVarP(&o.format, "format", "f", "text", "output format: "+strings.Join(report.DiffFormats(), ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the diff to this file instead of stdout")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "targets rendered in parallel (default: number of CPUs)")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow network access: fetch remote kustomize resources")
	f.StringVar(&o.loadRestrictor, "load-restrictor", "rootOnly", "kustomize load restrictor: rootOnly (as kustomize build and Argo CD) or none (as Flux); reads never leave the repository either way")
	addChartDirFlag(f, &o.chartDirs)
	addConfigFlag(f, &o.config)
}

// checkOnlyFlags are check's flags that diff refuses rather than ignore:
// they choose what is compared, which for diff is --base against the
// working tree, and ignoring them would show something else than asked.
var checkOnlyFlags = map[string]bool{"staged": true, "changed-since": true}

// acceptCheckFlags adds every other flag of check that diff lacks, hidden
// and without effect: the action passes one set of extra flags (its args
// input) to check and to diff, and what only changes which findings a
// check reports (policies, schemas, --fail-on) has no bearing on a diff.
func acceptCheckFlags(c *cobra.Command, check *cobra.Command) {
	check.Flags().VisitAll(func(f *pflag.Flag) {
		if c.Flags().Lookup(f.Name) != nil || checkOnlyFlags[f.Name] {
			return
		}
		ignored := *f // its value is check's, which nothing reads
		ignored.Hidden = true
		if ignored.Shorthand != "" && c.Flags().ShorthandLookup(ignored.Shorthand) != nil {
			ignored.Shorthand = ""
		}
		c.Flags().AddFlag(&ignored)
	})
}

// options validates the flags and reads the configuration file of the
// repository at args[0] (default .).
func (o *diffOptions) options(c *cobra.Command, e *env, args []string) (diff.Options, error) {
	dir := pathArg(args)
	if o.base == "" {
		return diff.Options{}, usageError(c, errors.New("--base is required: the git ref to compare with, e.g. origin/main"))
	}
	if !slices.Contains(report.DiffFormats(), o.format) {
		return diff.Options{}, usageError(c, fmt.Errorf("unknown --format %q (want one of %v)", o.format, report.DiffFormats()))
	}
	if o.jobs < 0 {
		return diff.Options{}, usageError(c, errors.New("--jobs must not be negative"))
	}
	lr, err := config.ParseLoadRestrictor(o.loadRestrictor)
	if err != nil {
		return diff.Options{}, usageError(c, fmt.Errorf("--load-restrictor: %w", err))
	}
	cfg, err := loadConfig(e, dir, o.config)
	if err != nil {
		return diff.Options{}, err
	}
	charts, err := chartDirs(o.chartDirs, cfg, dir)
	if err != nil {
		return diff.Options{}, usageError(c, err)
	}
	return diff.Options{
		ChartDirs: charts, Dir: dir, Base: o.base, Jobs: o.jobs, AllowRemote: o.allowRemote, LoadRestrictions: lr, Scope: cfg.Scope(flagLoadRestrictions(c, lr)),
		GitOps: gitops.Options{RepoURLs: cfg.GitOps.RepoURLs},
	}, nil
}

func newDiffCommand(e *env) *cobra.Command {
	o := &diffOptions{}
	c := &cobra.Command{
		Use:   "diff --base REF [PATH]",
		Short: "Render the targets a change affects at REF and in the working tree, and show what changes, field by field",
		Long: `Render every target that the files changed since REF affect, twice: at REF (read from
git objects, nothing is checked out) and in the working tree as it is on disk. Print,
per target, the resources added, removed and changed, with the fields that change,
and which image tag each environment now runs. Secret values are never printed.

--format markdown writes a pull request comment: a summary table, the images, and one
collapsed section per target, cut to fit in a comment. The exit code is 0 whatever
the diff says; 2 for a usage error or a REF that is not in the clone.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			opts, err := o.options(c, e, args)
			if err != nil {
				return err
			}
			res, err := diff.Run(c.Context(), opts)
			if err != nil {
				return fmt.Errorf("diff --base %s: %w", o.base, err)
			}
			command := "gitops-lint diff --base " + o.base
			if len(args) == 1 {
				command += " " + args[0]
			}
			return writeTo(e, o.output, func(w io.Writer) error {
				return report.WriteDiff(w, res, report.DiffOptions{
					Format: o.format, Color: o.output == "" && useColor(e), Command: command,
				})
			})
		},
	}
	o.addFlags(c)
	acceptCheckFlags(c, newCheckCommand(e))
	return c
}
