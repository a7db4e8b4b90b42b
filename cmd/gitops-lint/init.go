package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
)

// loadConfig reads the configuration file of the repository at root (or
// the one --config names) and checks the values whose vocabulary other
// packages own: every command reads the file through here.
func loadConfig(e *env, root, explicit string) (*config.Config, error) {
	cfg, err := config.Load(root, explicit)
	if err != nil {
		return nil, err
	}
	index, err := e.index()
	if err != nil {
		return nil, err
	}
	err = cfg.CheckValues(config.ValueChecks{
		KubernetesVersion: func(v string) error { _, err := index.Resolve(v); return err },
		RegoVersion:       func(v string) error { _, err := rego.ParseRegoVersion(v); return err },
	})
	if err != nil {
		return nil, err
	}
	return cfg, nil
}

// flagLoadRestrictions is --load-restrictor when the command line gives
// it - it then wins over the file, per-target entries included - and
// LoadRestrictionsUnknown otherwise: what config.Config.Scope takes.
func flagLoadRestrictions(c *cobra.Command, lr types.LoadRestrictions) types.LoadRestrictions {
	if c.Flags().Changed("load-restrictor") {
		return lr
	}
	return types.LoadRestrictionsUnknown
}

// kubernetesVersions says which versions a check accepts: every minor of
// the API table, each validated with its own embedded schemas. The flag
// help, the init template and the README (TestREADMEVersions) say it in
// these words.
func kubernetesVersions(e *env) (sentence, newest string) {
	index, err := e.index()
	if err != nil {
		return err.Error(), ""
	}
	oldest, newest := index.Range()
	return fmt.Sprintf("a minor from %s to %s, or one of its patch releases; each minor is validated with its own embedded schemas", oldest, newest), newest
}

// initTemplate is what init writes.
func initTemplate(e *env) []byte {
	versions, newest := kubernetesVersions(e)
	return config.Template(config.TemplateOptions{KubernetesVersions: versions, KubernetesExample: newest})
}

// addConfigFlag declares --config for every command that reads the
// configuration file.
func addConfigFlag(f *pflag.FlagSet, p *string) {
	f.StringVar(p, "config", "", "configuration file, inside the repository (default: "+config.FileName+" at the repository root, when present)")
}

func newInitCommand(e *env) *cobra.Command {
	var force bool
	c := &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write a commented starting " + config.FileName + " at the root of the repository at PATH (default .)",
		Long: `Write a starting configuration file at the repository root: every key explained
and commented out, so that it changes nothing until a key is uncommented. An
existing file is left alone unless --force is given.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			root := pathArg(args)
			if fi, err := os.Stat(root); err != nil {
				return err
			} else if !fi.IsDir() {
				return usageError(c, fmt.Errorf("%s is not a directory", root))
			}
			file := filepath.Join(root, config.FileName)
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(file, flags, 0o644)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("%s exists; use --force to overwrite it", file)
			}
			if err != nil {
				return err
			}
			if _, err := f.Write(initTemplate(e)); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "wrote %s\n", file)
			return nil
		},
	}
	c.Flags().BoolVar(&force, "force", false, "overwrite an existing "+config.FileName)
	return c
}
