package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/gitops-lint/gitops-lint/internal/baseline"
	"github.com/gitops-lint/gitops-lint/internal/cache"
	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/gitx"
	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/shard"
)

// checkOptions are the flags of `gitops-lint check`.
type checkOptions struct {
	format       string
	output       string
	failOn       string
	baseline     string
	staged       bool
	changedSince string
	shard        string
	full         bool
	run          runOptions
}

// runOptions are the flags that say how to check a repository, shared by
// check and baseline.
type runOptions struct {
	jobs              int
	kubernetesVersion string
	schemaLocations   []string
	allowRemote       bool
	loadRestrictor    string
	schemaCacheDir    string
	crdPaths          []string
	chartDirs         []string
	cacheDir          string
	cacheURL          string
	noCache           bool
	policy            policyOptions
	config            string
}

func (o *checkOptions) addFlags(c *cobra.Command, e *env) {
	f := c.Flags()
	f.StringVarP(&o.format, "format", "f", "text", "output format: "+strings.Join(report.Formats(), ", "))
	f.StringVarP(&o.output, "output", "o", "", "write the report to this file instead of stdout")
	f.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding has at least this severity: error, warning or info")
	f.StringVar(&o.baseline, "baseline", "", "report only findings not recorded in this baseline file (written by gitops-lint baseline)")
	f.BoolVar(&o.staged, "staged", false, "check the content of the git index, and only what the staged files can affect (pre-commit)")
	f.StringVar(&o.changedSince, "changed-since", "", "check only what the files changed between the merge base of REF and HEAD can affect (pull requests)")
	f.StringVar(&o.shard, "shard", "", "check shard I of N (e.g. 2/4): a deterministic 1/N of the targets, balanced by what they read; the first also reports what belongs to no target (combine the reports with gitops-lint merge)")
	f.BoolVar(&o.full, "full", false, "with --staged or --changed-since, check the whole targets that include the changes, not the smallest kustomizations")
	o.run.addFlags(c, e)
}

func (o *runOptions) addFlags(c *cobra.Command, e *env) {
	f := c.Flags()
	f.IntVarP(&o.jobs, "jobs", "j", 0, "targets rendered in parallel (default: number of CPUs)")
	addSchemaFlags(f, &o.kubernetesVersion, &o.schemaLocations, &o.schemaCacheDir)
	// A check accepts more versions than the embedded schemas: see kubernetesVersions.
	versions, _ := kubernetesVersions(e)
	f.Lookup("kubernetes-version").Usage = "Kubernetes version to check against: " + versions + "; default newest"
	f.StringArrayVar(&o.crdPaths, "crds", nil, "CRD file or directory: its CustomResourceDefinitions validate custom resources, before the repository's own (repeatable; may be outside the repository)")
	addChartDirFlag(f, &o.chartDirs)
	f.StringVar(&o.cacheDir, "cache-dir", "", "keep each target's results here between runs (default: the user cache directory)")
	f.StringVar(&o.cacheURL, "cache-url", "", "also keep results in this bucket, shared by CI runners: "+strings.Join(cache.Schemes(), ", ")+" URLs (the local cache is asked first)")
	f.BoolVar(&o.noCache, "no-cache", false, "render and check every target, neither reading nor writing the result cache")
	f.BoolVar(&o.allowRemote, "allow-remote", false, "allow network access: fetch remote kustomize resources, http(s) schema locations and the charts of Helm repositories")
	o.policy.addFlags(f)
	f.StringVar(&o.loadRestrictor, "load-restrictor", "rootOnly", "kustomize load restrictor: rootOnly (as kustomize build and Argo CD) or none (as Flux); reads never leave the repository either way")
	addConfigFlag(f, &o.config)
}

// applyConfig takes from the configuration file what the command line
// leaves unset: a flag given explicitly wins, and the list flags add to
// the file's lists.
func (o *runOptions) applyConfig(cfg *config.Config, changed func(string) bool) {
	if !changed("kubernetes-version") && cfg.KubernetesVersion.Line > 0 {
		o.kubernetesVersion = cfg.KubernetesVersion.Value
	}
	o.schemaLocations = slices.Concat(cfg.SchemaLocations, o.schemaLocations)
	// A repository file never makes the run use the network or write
	// outside the repository on its own: the file's bucket needs
	// --allow-remote.
	if !changed("cache-url") && cfg.CacheURL != "" && o.allowRemote {
		o.cacheURL = cfg.CacheURL
	}
	o.policy.applyConfig(cfg, changed)
}

// validate checks the flags before anything runs, so a typo is a usage
// error (exit 2), not a half-finished run.
func (o *checkOptions) validate() (failOn rules.Severity, err error) {
	if !slices.Contains(report.Formats(), o.format) {
		return 0, fmt.Errorf("unknown --format %q (want one of %v)", o.format, report.Formats())
	}
	if failOn, err = rules.ParseSeverity(o.failOn); err != nil {
		return 0, fmt.Errorf("--fail-on: %w", err)
	}
	return failOn, nil
}

// cacheOptions returns the result cache's directory and bucket, checked:
// the cache prunes what it holds, so never a directory with the
// repository root in it, and the bucket is asked after the local cache,
// never instead.
func (o *runOptions) cacheOptions(root string) (dir, bucket string, err error) {
	dir = o.resultCacheDir()
	if dir == "" {
		return "", "", nil
	}
	if err := cache.CheckDir(dir, root); err != nil {
		return "", "", fmt.Errorf("--cache-dir: %w", err)
	}
	if o.cacheURL != "" {
		if u, err := url.Parse(o.cacheURL); err != nil || !slices.Contains(cache.Schemes(), u.Scheme) {
			return "", "", fmt.Errorf("--cache-url: want a %s URL", strings.Join(cache.Schemes(), ", "))
		}
	}
	return dir, o.cacheURL, nil
}

// prepare reads the configuration file of the repository at args[0]
// (default .) and turns it and the flags into the engine's options; a bad
// flag is a usage error, a bad file an error naming its line.
func (o *runOptions) prepare(c *cobra.Command, e *env, args []string) (engine.Options, *config.Config, error) {
	root := pathArg(args)
	cfg, err := loadConfig(e, root, o.config)
	if err != nil {
		return engine.Options{}, nil, err
	}
	o.applyConfig(cfg, c.Flags().Changed)
	if o.jobs < 0 {
		return engine.Options{}, nil, usageError(c, fmt.Errorf("--jobs must not be negative"))
	}
	lr, err := config.ParseLoadRestrictor(o.loadRestrictor)
	if err != nil {
		return engine.Options{}, nil, usageError(c, fmt.Errorf("--load-restrictor: %w", err))
	}
	index, err := e.index()
	if err != nil {
		return engine.Options{}, nil, err
	}
	if _, err := index.Resolve(o.kubernetesVersion); err != nil {
		return engine.Options{}, nil, usageError(c, fmt.Errorf("--kubernetes-version: %w", err))
	}
	policy, settings, err := o.policy.options()
	if err != nil {
		return engine.Options{}, nil, usageError(c, err)
	}
	cacheDir, cacheURL, err := o.cacheOptions(root)
	if err != nil {
		return engine.Options{}, nil, usageError(c, err)
	}
	charts, err := chartDirs(o.chartDirs, cfg, root)
	if err != nil {
		return engine.Options{}, nil, usageError(c, err)
	}
	if cfg.CacheURL != "" && !o.allowRemote && !c.Flags().Changed("cache-url") {
		fmt.Fprintf(c.ErrOrStderr(), "%s:%d: cacheURL is not used without --allow-remote\n", cfg.File, cfg.CacheURLLine)
	}
	return engine.Options{
		Root: root, Jobs: o.jobs, KubernetesVersion: o.kubernetesVersion,
		SchemaLocations: o.schemaLocations, SchemaCacheDir: o.schemaCacheDir,
		AllowRemote: o.allowRemote, LoadRestrictions: lr,
		CRDPaths: o.crdPaths, RepoCRDPaths: cfg.CRDs, CacheDir: cacheDir, CacheURL: cacheURL, ChartDirs: charts,
		GitOps: gitops.Options{FluxSources: cfg.GitOps.FluxSources, RepoURLs: cfg.GitOps.RepoURLs, ProductionEnvironments: cfg.GitOps.Production},
		Policy: policy, Rules: settings, Scope: cfg.Scope(flagLoadRestrictions(c, lr)),
	}, cfg, nil
}

// resultCacheDir is where results are cached, "" for no cache.
func (o *runOptions) resultCacheDir() string {
	switch {
	case o.noCache:
		return ""
	case o.cacheDir != "":
		return o.cacheDir
	}
	dir, err := cache.DefaultDir()
	if err != nil {
		return "" // no user cache directory: run without
	}
	return dir
}

// execute runs the engine with a progress bar on an interactive terminal.
func execute(c *cobra.Command, e *env, opts engine.Options) (*engine.Result, error) {
	opts.LoadPolicies, opts.LoadSchemas = e.loadPolicies, e.loadSchemas
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
	if err == nil && res.SchemaVersion != res.KubernetesVersion {
		fmt.Fprintf(e.stderr, "gitops-lint: no embedded schemas for Kubernetes %s: resources are validated with those of %s; which APIs are served is checked against %s\n",
			res.KubernetesVersion, res.SchemaVersion, res.KubernetesVersion)
	}
	return res, err
}

// changes limits the run to what --staged or --changed-since name. For
// --staged the run checks the git index instead of the working tree: what
// the staged change reaches is exported into a temporary directory
// (removed by cleanup), so unstaged edits neither hide nor cause findings.
func (o *checkOptions) changes(c *cobra.Command, e *env, opts *engine.Options) (cleanup func(), err error) {
	cleanup = func() {}
	switch {
	case o.staged && o.changedSince != "":
		return cleanup, usageError(c, errors.New("--staged and --changed-since exclude each other"))
	case o.full && !o.staged && o.changedSince == "":
		return cleanup, usageError(c, errors.New("--full goes with --staged or --changed-since"))
	case !o.staged && o.changedSince == "":
		return cleanup, nil
	}
	opts.Full = o.full
	g, err := gitx.Open(c.Context(), opts.Root)
	if err != nil {
		return cleanup, usageError(c, err)
	}
	if o.changedSince != "" {
		changed, err := g.ChangedSince(c.Context(), o.changedSince)
		var missing *gitx.MissingRefError
		if errors.As(err, &missing) {
			return cleanup, usageError(c, fmt.Errorf("--changed-since: %w", err))
		}
		opts.Changed = nonNil(changed)
		return cleanup, err
	}
	return o.stagedIndex(c, e, g, opts)
}

// stagedIndex points the run at an export of the git index: the staged
// files and what they reach, with the staged configuration file.
func (o *checkOptions) stagedIndex(c *cobra.Command, e *env, g *gitx.Repo, opts *engine.Options) (cleanup func(), err error) {
	ctx := c.Context()
	cleanup = func() {}
	staged, err := g.StagedFiles(ctx)
	if err != nil {
		return cleanup, err
	}
	dir, err := os.MkdirTemp("", "gitops-lint-index-")
	if err != nil {
		return cleanup, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	scope := func() ([]string, error) { return engine.Scope(*opts, staged) }
	if err := g.ExportStaged(ctx, scope, dir); err != nil {
		return cleanup, err
	}
	// The staged configuration file, if any, is the one that applies,
	// unless --config names one.
	if o.run.config == "" {
		stagedCfg, err := loadConfig(e, dir, "")
		if err != nil {
			return cleanup, err
		}
		lr, _ := config.ParseLoadRestrictor(o.run.loadRestrictor) // checked by prepare
		opts.Scope = stagedCfg.Scope(flagLoadRestrictions(c, lr))
	}
	// The export is a new directory every time: nothing cached for it
	// could be found again.
	opts.Root, opts.Changed, opts.CacheDir = dir, nonNil(staged), ""
	return cleanup, nil
}

// nonNil keeps "no file changed" apart from "not limited to changes".
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func newCheckCommand(e *env) *cobra.Command {
	o := &checkOptions{}
	c := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Render and validate every target of the repository at PATH (default .)",
		Args:  cobra.MaximumNArgs(1),
		RunE:  func(c *cobra.Command, args []string) error { return o.check(c, e, args) },
	}
	o.addFlags(c, e)
	return c
}

// check runs check on the repository at args[0] (default .): options,
// the run, the baseline, the report and the exit code.
func (o *checkOptions) check(c *cobra.Command, e *env, args []string) error {
	opts, cfg, err := o.run.prepare(c, e, args)
	if err != nil {
		return err
	}
	// While git answers what changed and the scope of a staged change is
	// found: the run would otherwise start with it.
	engine.Prepare(opts.Root)
	cleanup, err := o.changes(c, e, &opts)
	defer cleanup()
	if err != nil {
		return err
	}
	failOn, err := o.settle(c, cfg, &opts)
	if err != nil {
		return usageError(c, err)
	}
	base, err := o.loadBaseline(pathArg(args), cfg)
	if err != nil {
		return err
	}
	start := time.Now()
	res, err := execute(c, e, opts)
	if err != nil {
		return err
	}
	baselined := 0
	if base != nil {
		res.Findings, baselined = base.Filter(res.Findings)
	}
	in := reportInput(res, time.Since(start))
	in.Baselined = baselined
	// From the checked directory, not opts.Root: --staged checks
	// an export of it elsewhere.
	in.WorkTreePrefix, _ = gitx.WorkTreePrefix(pathArg(args))
	if err := writeReport(e, o.output, in, report.Options{Format: o.format, Color: o.output == "" && useColor(e)}); err != nil {
		return err
	}
	for _, f := range res.Findings {
		if f.Active() && f.Severity >= failOn {
			return &exitCodeError{code: exitFindings}
		}
	}
	return nil
}

// settle applies what only check's own flags and the configuration file
// say: the severity that fails the run (returned), checked, and the shard.
func (o *checkOptions) settle(c *cobra.Command, cfg *config.Config, opts *engine.Options) (rules.Severity, error) {
	if !c.Flags().Changed("fail-on") && cfg.FailOn != "" {
		o.failOn = cfg.FailOn
	}
	failOn, err := o.validate()
	if err != nil {
		return failOn, err
	}
	if o.shard != "" {
		if opts.Shard, err = shard.Parse(o.shard); err != nil {
			return failOn, fmt.Errorf("--shard: %w", err)
		}
	}
	return failOn, nil
}

// loadBaseline reads --baseline or, without it, the file the
// configuration's baseline: key names (relative to the repository root,
// so that the pre-commit hook, which runs check --staged, honours the
// committed baseline too); nil when neither is set. A file that cannot be
// read is an error (exit 2), never a silent "every finding is new"; a
// problem with the file is not a usage error, so no flag help is printed.
func (o *checkOptions) loadBaseline(root string, cfg *config.Config) (*baseline.File, error) {
	file, where := o.baseline, "--baseline"
	if file == "" && cfg.Baseline.Line > 0 {
		where = fmt.Sprintf("%s:%d: baseline", cfg.File, cfg.Baseline.Line)
		var err error
		if file, err = configuredBaseline(root, cfg); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
	}
	if file == "" {
		return nil, nil
	}
	b, err := baseline.Load(file)
	if errors.Is(err, os.ErrNotExist) && where != "--baseline" {
		return nil, fmt.Errorf("%s: %s does not exist; write it with gitops-lint baseline", where, cfg.Baseline.Value)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	return &b, nil
}

// configuredBaseline is the baseline: file of the repository at root; it
// must not be a symlink out of the repository (an absent file is not
// refused here: the caller says how to write it).
func configuredBaseline(root string, cfg *config.Config) (string, error) {
	file := filepath.Join(root, filepath.FromSlash(cfg.Baseline.Value))
	absRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return "", err
	}
	absRoot, err = filepath.Abs(absRoot)
	if err != nil {
		return "", err
	}
	resolved, err := filepath.EvalSymlinks(file)
	if errors.Is(err, os.ErrNotExist) {
		return file, nil
	}
	if err != nil {
		return "", err
	}
	if abs, err := filepath.Abs(resolved); err != nil || !rootfs.Within(absRoot, abs) {
		return "", fmt.Errorf("%s resolves outside the repository; it is not read", cfg.Baseline.Value)
	}
	return file, nil
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
	in := report.Input{
		Tool:           report.Tool{Name: "gitops-lint", Version: version, InformationURI: "https://github.com/gitops-lint/gitops-lint"},
		Rules:          res.Rules,
		Findings:       res.Findings,
		Targets:        len(res.Targets),
		Resources:      res.Resources,
		PartlyRendered: res.PartlyRendered, NotRendered: res.NotRendered,
		Suppressed: rules.Suppressed(res.Findings),
		Duration:   d,
	}
	if res.References.FluxSource.How != "" {
		in.FluxSource = res.References.FluxSource.String()
	}
	return in
}

// writeReport writes to --output or stdout.
func writeReport(e *env, output string, in report.Input, opts report.Options) error {
	write := report.Write
	if e.writeReport != nil {
		write = e.writeReport
	}
	return writeTo(e, output, func(w io.Writer) error { return write(w, in, opts) })
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
