// Package synth writes synthetic GitOps repositories for benchmarks and
// tests. The output depends on nothing but the Options: the same Options
// always produce byte-identical trees, so timings taken on different
// machines or days compare like with like.
package synth

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Layout is how deploy targets are cut out of the apps tree.
type Layout int

const (
	// Argo makes every apps/<app>/overlays/<env> a target of its own, as
	// one Argo CD Application per overlay would.
	Argo Layout = iota
	// Flux adds clusters/<env>, each aggregating every app's overlay for
	// that environment, so there is one large target per environment.
	Flux
)

// String returns the name accepted by ParseLayout.
func (l Layout) String() string {
	switch l {
	case Argo:
		return "argo"
	case Flux:
		return "flux"
	}
	return fmt.Sprintf("Layout(%d)", int(l))
}

// ParseLayout turns "argo" or "flux" into a Layout.
func ParseLayout(s string) (Layout, error) {
	switch strings.ToLower(s) {
	case "argo":
		return Argo, nil
	case "flux":
		return Flux, nil
	}
	return 0, fmt.Errorf("unknown layout %q (want argo or flux)", s)
}

// Options describe the repository to generate.
type Options struct {
	// Apps is the number of applications; it must be positive.
	Apps int
	// Envs are the environment names, one overlay each. Empty means
	// dev, staging, prod and perf.
	Envs []string
	// Layout decides which directories are targets.
	Layout Layout
	// Components is the number of shared kustomize components. Zero means
	// 3; a negative number means none.
	Components int
}

// Stats summarise a generated repository.
type Stats struct {
	// Files is the number of files written.
	Files int
	// Targets is the number of deploy targets, len(Targets(opts)).
	Targets int
}

func (o Options) withDefaults() Options {
	if len(o.Envs) == 0 {
		o.Envs = []string{"dev", "staging", "prod", "perf"}
	}
	switch {
	case o.Components == 0:
		o.Components = 3
	case o.Components < 0:
		o.Components = 0
	}
	return o
}

func (o Options) validate() error {
	if o.Apps <= 0 {
		return fmt.Errorf("apps must be positive, got %d", o.Apps)
	}
	if o.Layout != Argo && o.Layout != Flux {
		return fmt.Errorf("unknown layout %v", o.Layout)
	}
	for i, e := range o.Envs {
		if !isEnvName(e) {
			return fmt.Errorf("environment %q is not a short DNS label", e)
		}
		if slices.Contains(o.Envs[:i], e) {
			return fmt.Errorf("environment %q is listed twice", e)
		}
	}
	return nil
}

// Targets returns the repository-relative, slash-separated target
// directories that Generate produces for opts, sorted.
func Targets(opts Options) []string {
	opts = opts.withDefaults()
	var ts []string
	switch opts.Layout {
	case Flux:
		for _, env := range opts.Envs {
			ts = append(ts, clusterDir(env))
		}
	default:
		for i := range max(opts.Apps, 0) {
			for _, env := range opts.Envs {
				ts = append(ts, overlayDir(appName(i), env))
			}
		}
	}
	slices.Sort(ts)
	return ts
}

// Generate writes the repository described by opts into dir, which must
// be empty or not exist yet: leftovers from an earlier run would make the
// tree differ from what opts describe.
func Generate(dir string, opts Options) (Stats, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return Stats{}, err
	}
	files, err := newGenerator(opts).files()
	if err != nil {
		return Stats{}, err
	}
	if err := ensureEmpty(dir); err != nil {
		return Stats{}, err
	}
	for _, f := range files {
		p := filepath.Join(dir, filepath.FromSlash(f.path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return Stats{}, fmt.Errorf("create directory: %w", err)
		}
		if err := os.WriteFile(p, f.data, 0o644); err != nil {
			return Stats{}, fmt.Errorf("write %s: %w", f.path, err)
		}
	}
	return Stats{Files: len(files), Targets: len(Targets(opts))}, nil
}

// isEnvName reports whether s is a short DNS label. Environment names end
// up in directory names, label values and host names, and the length cap
// leaves room for them inside 63-character labels.
func isEnvName(s string) bool {
	if len(s) == 0 || len(s) > 20 || s[0] < 'a' || s[0] > 'z' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

func ensureEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return os.MkdirAll(dir, 0o755)
	case err != nil:
		return fmt.Errorf("output directory: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("output directory %s is not empty", dir)
	}
	return nil
}

func overlayDir(app, env string) string { return path.Join("apps", app, "overlays", env) }

func clusterDir(env string) string { return path.Join("clusters", env) }

// appName derives a readable, unique name from the index. The index
// suffix keeps names unique however many apps there are; the word only
// makes output easier to read.
func appName(i int) string {
	words := [...]string{
		"accounts", "billing", "catalog", "checkout", "inventory", "ledger", "notify", "orders",
		"payments", "pricing", "profile", "ratings", "reports", "search", "shipping", "tracking",
	}
	return fmt.Sprintf("%s-%03d", words[i%len(words)], i)
}
