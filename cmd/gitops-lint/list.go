package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// listing is one target as `list` prints it.
type listing struct {
	Path       string   `json:"path"`
	Kind       string   `json:"kind"`
	Bases      []string `json:"bases,omitempty"`
	Components []string `json:"components,omitempty"`
	Files      []string `json:"files,omitempty"`
	Blocked    string   `json:"blocked,omitempty"`
	// Skipped says why check leaves the target out (the configuration file).
	Skipped string `json:"skipped,omitempty"`
	// Reads are the files rendering the target read (with --files).
	Reads []string `json:"reads,omitempty"`
}

func newListCommand(e *env) *cobra.Command {
	var format, configFile string
	var allowRemote, files bool
	var charts []string
	c := &cobra.Command{
		Use:   "list [PATH]",
		Short: "List the targets of the repository at PATH and what each pulls in",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError(c, fmt.Errorf("unknown --format %q (want text or json)", format))
			}
			root := pathArg(args)
			cfg, err := loadConfig(e, root, configFile)
			if err != nil {
				return err
			}
			scope := cfg.Scope(types.LoadRestrictionsUnknown)
			dirs, err := chartDirs(charts, cfg, root)
			if err != nil {
				return usageError(c, err)
			}
			w, err := engine.Open(engine.Options{Root: root, AllowRemote: allowRemote, Scope: scope, GitOps: gitops.Options{RepoURLs: cfg.GitOps.RepoURLs}, ChartDirs: dirs})
			if err != nil {
				return err
			}
			ls := listings(w.Repo, scope)
			if files {
				// What a target depends on is what its render reads: the
				// renderer's filesystem records it.
				rendered, err := w.Render(c.Context())
				if err != nil {
					return err
				}
				for i := range ls {
					ls[i].Reads = rendered.Reads[ls[i].Path]
				}
			}
			ls = withReleases(w, ls, files)
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(struct {
					Targets []listing `json:"targets"`
				}{ls})
			}
			for _, l := range ls {
				line := l.Path + "  " + l.Kind
				if l.Blocked != "" {
					line += "  (not rendered: " + l.Blocked + ")"
				}
				if l.Skipped != "" {
					line += "  (skipped: " + l.Skipped + ")"
				}
				fmt.Fprintln(e.stdout, line)
				for _, part := range []struct {
					name  string
					items []string
				}{{"bases", l.Bases}, {"components", l.Components}, {"files", l.Files}, {"reads", l.Reads}} {
					if len(part.items) > 0 {
						fmt.Fprintf(e.stdout, "  %s: %s\n", part.name, strings.Join(part.items, ", "))
					}
				}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	c.Flags().BoolVar(&allowRemote, "allow-remote", false, "do not mark targets with remote resources as blocked")
	c.Flags().BoolVar(&files, "files", false, "render every target and list the repository files each render reads (its dependencies)")
	addChartDirFlag(c.Flags(), &charts)
	addConfigFlag(c.Flags(), &configFile)
	return c
}

func listings(r *repo.Repo, cfg *config.Scope) []listing {
	ls := make([]listing, 0, len(r.Targets))
	for _, t := range r.Targets {
		s := cfg.Target(t.Path, t.Files)
		l := listing{Path: t.Path, Kind: t.Kind.String(), Files: s.Files, Blocked: t.Blocked, Skipped: s.Skipped}
		for _, inc := range t.Includes {
			if k := r.Kustomizations[inc]; k != nil && k.Component {
				l.Components = append(l.Components, inc)
			} else {
				l.Bases = append(l.Bases, inc)
			}
		}
		ls = append(ls, l)
	}
	return ls
}

// withReleases adds after each target the Helm releases it deploys,
// targets of their own (engine.Release); with files, what each reads.
func withReleases(w *engine.Workspace, ls []listing, files bool) []listing {
	out := make([]listing, 0, len(ls))
	for _, l := range ls {
		out = append(out, l)
		if l.Blocked != "" || l.Skipped != "" {
			continue
		}
		rels, _ := w.Releases(l.Path) // a target that fails to render deploys none check can see
		for _, r := range rels {
			rl := listing{Path: r.Path, Kind: strings.ToLower(r.Kind), Blocked: r.Error}
			if files {
				rl.Reads = r.Reads
			}
			out = append(out, rl)
		}
	}
	return out
}
