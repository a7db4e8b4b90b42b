package helm

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// ChartDirs are local directories of charts a person named (--chart-dir,
// chartDirs): each holds unpacked chart directories and packed charts
// (.tgz), found by name and version for the releases whose chart comes
// from a Helm or OCI repository, so that CI renders them offline. Each
// directory is read through a filesystem confined to it, so that a chart
// or a symlink inside cannot reach beyond. The zero value has none; it is
// safe for concurrent use.
type ChartDirs struct {
	dirs []string

	once   sync.Once
	charts []*Chart
	errs   []string
}

// NewChartDirs returns the chart directories dirs (absolute, or relative
// to the working directory).
func NewChartDirs(dirs []string) *ChartDirs { return &ChartDirs{dirs: dirs} }

// Len is the number of directories.
func (d *ChartDirs) Len() int {
	if d == nil {
		return 0
	}
	return len(d.dirs)
}

// load reads every chart of every directory once: a chart directory (one
// with a Chart.yaml) or a packed chart (*.tgz) directly inside it.
func (d *ChartDirs) load() {
	for _, dir := range d.dirs {
		fsys, err := rootfs.New(dir)
		if err != nil {
			d.errs = append(d.errs, fmt.Sprintf("chart directory %s: %v", dir, err))
			continue
		}
		entries, err := fsys.ReadDir(".")
		if err != nil {
			d.errs = append(d.errs, fmt.Sprintf("chart directory %s: %v", dir, err))
			continue
		}
		for _, e := range entries {
			name := e.Name()
			if !strings.HasSuffix(name, ".tgz") {
				if _, err := fsys.Stat(path.Join(name, "Chart.yaml")); err != nil {
					continue
				}
			}
			ch, err := Load(fsys, name)
			if err != nil {
				// One broken chart must not hide the others: said only
				// when no chart matches.
				d.errs = append(d.errs, fmt.Sprintf("%s: %v", name, err))
				continue
			}
			ch.External = true
			ch.Files = nil // not the repository's: the cache keys the directories instead
			d.charts = append(d.charts, ch)
		}
	}
}

// Find returns the chart called name of the highest version that the
// constraint allows (a Flux `version:` or an Argo CD `targetRevision`: an
// exact version or a semver range; empty means the latest release, as
// Flux's "*"). A chart with no version matching is an error saying what
// the directories hold.
func (d *ChartDirs) Find(name, constraint string) (*Chart, error) {
	if d.Len() == 0 {
		return nil, fmt.Errorf("no --chart-dir")
	}
	d.once.Do(d.load)
	var found []*Chart
	var versions []string
	for _, ch := range d.charts {
		if ch.Name == name {
			found, versions = append(found, ch), append(versions, ch.Version)
		}
	}
	if len(found) == 0 {
		msg := "--chart-dir holds no chart " + name
		if len(d.errs) > 0 {
			msg += " (unreadable: " + strings.Join(d.errs, "; ") + ")"
		}
		return nil, errors.New(msg)
	}
	i, err := bestVersion(constraint, versions)
	if err != nil {
		return nil, fmt.Errorf("--chart-dir: chart %s: %w", name, err)
	}
	return found[i], nil
}

// bestVersion is the index of the highest of versions that the
// constraint allows (empty: "*", the latest release, as Flux and Helm).
func bestVersion(constraint string, versions []string) (int, error) {
	if constraint == "" {
		constraint = "*"
	}
	c, err := semver.NewConstraint(constraint)
	if err != nil {
		return 0, fmt.Errorf("version %q: %w", constraint, err)
	}
	best := -1
	var bestV *semver.Version
	for i, s := range versions {
		v, err := semver.NewVersion(s)
		if err != nil || !c.Check(v) {
			continue
		}
		if bestV == nil || v.GreaterThan(bestV) {
			best, bestV = i, v
		}
	}
	if best >= 0 {
		return best, nil
	}
	if len(versions) == 0 {
		return 0, fmt.Errorf("not found")
	}
	held := slices.Clone(versions)
	slices.Sort(held)
	return 0, fmt.Errorf("no version matching %q (there are %s)", constraint, strings.Join(slices.Compact(held), ", "))
}
