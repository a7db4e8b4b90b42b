package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"

	"github.com/gitops-lint/gitops-lint/internal/config"
)

// addChartDirFlag adds --chart-dir to a command that renders Helm releases.
func addChartDirFlag(f *pflag.FlagSet, dirs *[]string) {
	f.StringArrayVar(dirs, "chart-dir", nil, "directory of Helm charts, unpacked or packed (.tgz): a release whose chart comes from a Helm or OCI repository renders offline with the chart of its name there whose version it allows, the highest (repeatable; may be outside the repository; adds to chartDirs)")
}

// chartDirs are the --chart-dir directories (relative to the working
// directory) and then the configuration file's (relative to root), made
// absolute. One that is not a directory is an error: a typo would
// otherwise leave every release unrendered without a word.
func chartDirs(flags []string, cfg *config.Config, root string) ([]string, error) {
	var out []string
	add := func(p, what string) error {
		abs, err := filepath.Abs(p)
		if err != nil {
			return err
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			return fmt.Errorf("%s %s: not a directory", what, p)
		}
		out = append(out, abs)
		return nil
	}
	for _, d := range flags {
		if err := add(d, "--chart-dir"); err != nil {
			return nil, err
		}
	}
	for _, d := range cfg.ChartDirs {
		if !filepath.IsAbs(d) {
			d = filepath.Join(root, filepath.FromSlash(d))
		}
		if err := add(d, cfg.File+": chartDirs:"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
