package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// imagesOptions are the flags of `gitops-lint images`.
type imagesOptions struct {
	format         string
	output         string
	jobs           int
	allowRemote    bool
	loadRestrictor string
	config         string
	chartDirs      []string
}

func newImagesCommand(e *env) *cobra.Command {
	o := &imagesOptions{}
	c := &cobra.Command{
		Use:   "images [PATH]",
		Short: "Show the images each environment runs, per application, and where environments drift apart",
		Long: `Renders every target and prints, per application, a row per image and a column per
environment with its tag or digest, marking images whose references differ between
environments. Targets are one application in several environments when their paths
differ only in the environment (the directory under overlays/, envs/, environments/,
env/, clusters/ or stages/, else the target directory) and they share a base. A Helm
release (a Flux HelmRelease, an Argo CD Application with a chart source) is an
application of its own, named TARGETS#Kind/namespace/name.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if !slices.Contains(report.ImagesFormats(), o.format) {
				return usageError(c, fmt.Errorf("unknown --format %q (want one of %v)", o.format, report.ImagesFormats()))
			}
			if o.jobs < 0 {
				return usageError(c, fmt.Errorf("--jobs must not be negative"))
			}
			lr, err := config.ParseLoadRestrictor(o.loadRestrictor)
			if err != nil {
				return usageError(c, fmt.Errorf("--load-restrictor: %w", err))
			}
			root := pathArg(args)
			cfg, err := loadConfig(e, root, o.config)
			if err != nil {
				return err
			}
			charts, err := chartDirs(o.chartDirs, cfg, root)
			if err != nil {
				return usageError(c, err)
			}
			p, err := engine.Images(c.Context(), engine.Options{
				Root: root, Jobs: o.jobs, AllowRemote: o.allowRemote, ChartDirs: charts, LoadRestrictions: lr, Scope: cfg.Scope(flagLoadRestrictions(c, lr)),
				// The URLs of this repository: Argo CD Helm sources render.
				GitOps: gitops.Options{RepoURLs: cfg.GitOps.RepoURLs},
			})
			if err != nil {
				return err
			}
			return writeTo(e, o.output, func(w io.Writer) error { return report.WriteImages(w, p, o.format) })
		},
	}
	f := c.Flags()
	f.StringVarP(&o.format, "format", "f", "text", "output format: text, markdown or json")
	f.StringVarP(&o.output, "output", "o", "", "write the view to this file instead of stdout")
	f.IntVarP(&o.jobs, "jobs", "j", 0, "targets rendered in parallel (default: number of CPUs)")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow kustomize to fetch remote resources")
	f.StringVar(&o.loadRestrictor, "load-restrictor", "rootOnly", "kustomize load restrictor: rootOnly or none")
	addChartDirFlag(f, &o.chartDirs)
	addConfigFlag(f, &o.config)
	return c
}
