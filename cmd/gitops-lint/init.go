package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/gitops-lint/gitops-lint/internal/config"
)

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
			if _, err := f.Write(config.Template(false)); err != nil {
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
