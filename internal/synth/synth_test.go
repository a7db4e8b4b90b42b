package synth

import (
	"bufio"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

// readTree returns every file under dir by slash-separated relative path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	tree := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		tree[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

func generate(t *testing.T, opts Options) (string, Stats) {
	t.Helper()
	dir := t.TempDir()
	st, err := Generate(dir, opts)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", opts, err)
	}
	return dir, st
}

func TestGenerateIsDeterministic(t *testing.T) {
	for _, opts := range []Options{
		{Apps: 17, Layout: Argo},
		{Apps: 17, Layout: Flux, Components: 5, Envs: []string{"qa", "prod"}},
	} {
		t.Run(opts.Layout.String(), func(t *testing.T) {
			a, _ := generate(t, opts)
			b, _ := generate(t, opts)
			if diff := cmp.Diff(readTree(t, a), readTree(t, b)); diff != "" {
				t.Errorf("two runs differ (-first +second):\n%s", diff)
			}
		})
	}
}

// includes lists the directories a kustomization pulls in. The generator
// writes one path per "  - " line under resources and components, so a
// line scan is enough and keeps a YAML library out of this package.
func includes(t *testing.T, dir, data string) []string {
	t.Helper()
	var out []string
	field := ""
	s := bufio.NewScanner(strings.NewReader(data))
	for s.Scan() {
		line := s.Text()
		if line != "" && line[0] != ' ' && line[0] != '-' {
			field, _, _ = strings.Cut(line, ":")
			continue
		}
		if item, ok := strings.CutPrefix(line, "  - "); ok && (field == "resources" || field == "components") {
			if !strings.HasSuffix(item, ".yaml") {
				out = append(out, path.Join(dir, item))
			}
		}
	}
	return out
}

func TestTargetsAreTheKustomizationRoots(t *testing.T) {
	for _, layout := range []Layout{Argo, Flux} {
		t.Run(layout.String(), func(t *testing.T) {
			opts := Options{Apps: 9, Layout: layout}
			dir, st := generate(t, opts)
			included := map[string]bool{}
			var kustomizations []string
			for p, data := range readTree(t, dir) {
				if path.Base(p) != "kustomization.yaml" {
					continue
				}
				kustomizations = append(kustomizations, path.Dir(p))
				for _, inc := range includes(t, path.Dir(p), data) {
					if _, err := os.Stat(filepath.Join(dir, inc, "kustomization.yaml")); err != nil {
						t.Errorf("%s includes %s, which has no kustomization", p, inc)
					}
					included[inc] = true
				}
			}
			var roots []string
			for _, k := range kustomizations {
				if !included[k] {
					roots = append(roots, k)
				}
			}
			slices.Sort(roots)
			if diff := cmp.Diff(roots, Targets(opts)); diff != "" {
				t.Errorf("kustomization roots (-found +Targets):\n%s", diff)
			}
			if st.Targets != len(roots) {
				t.Errorf("Stats.Targets = %d, want %d", st.Targets, len(roots))
			}
		})
	}
}

func TestCountsForTheBenchmarkSize(t *testing.T) {
	tests := []struct {
		layout  Layout
		targets int
		files   int
	}{
		// Files: 3 components (4 files), 200 bases (4 to 8 files each) and
		// 800 overlays (3 or 4 files each), plus the 4 clusters for Flux:
		// 4 + 1197 + 2720.
		{layout: Argo, targets: 800, files: 3921},
		{layout: Flux, targets: 4, files: 3925},
	}
	for _, tt := range tests {
		t.Run(tt.layout.String(), func(t *testing.T) {
			opts := Options{Apps: 200, Layout: tt.layout}
			if got := len(Targets(opts)); got != tt.targets {
				t.Errorf("len(Targets) = %d, want %d", got, tt.targets)
			}
			dir, st := generate(t, opts)
			if want := (Stats{Files: tt.files, Targets: tt.targets}); st != want {
				t.Errorf("Stats = %+v, want %+v", st, want)
			}
			if n := len(readTree(t, dir)); n != st.Files {
				t.Errorf("%d files on disk, Stats.Files = %d", n, st.Files)
			}
		})
	}
}

// TestTargetsBuild renders every target with kustomize's library under
// its default options, which include the root-only load restriction.
func TestTargetsBuild(t *testing.T) {
	apps := 7
	if testing.Short() {
		// make test (-short, under the race detector): four apps turn
		// every feature the generator varies by app both on and off;
		// make test-long builds seven.
		apps = 4
	}
	for _, opts := range []Options{
		{Apps: apps, Layout: Argo},
		{Apps: apps, Layout: Flux, Components: apps},
	} {
		t.Run(opts.Layout.String(), func(t *testing.T) {
			dir, _ := generate(t, opts)
			k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
			for _, target := range Targets(opts) {
				m, err := k.Run(filesys.MakeFsOnDisk(), filepath.Join(dir, target))
				if err != nil {
					t.Errorf("build %s: %v", target, err)
					continue
				}
				namespaces := map[string]bool{}
				for _, r := range m.Resources() {
					namespaces[r.GetNamespace()] = true
				}
				// Each app lives in its own namespace, so an aggregated
				// cluster holds one per app and nothing collides.
				want := 1
				if opts.Layout == Flux {
					want = opts.Apps
				}
				if len(namespaces) != want || namespaces[""] {
					t.Errorf("%s: namespaces %v, want %d non-empty", target, namespaces, want)
				}
			}
		})
	}
}

// TestTargetsBuildWithKustomizeCLI cross-checks the library result with
// the kustomize binary people run by hand, when it is installed.
func TestTargetsBuildWithKustomizeCLI(t *testing.T) {
	bin, err := exec.LookPath("kustomize")
	if err != nil {
		t.Skip("kustomize is not installed")
	}
	opts := Options{Apps: 4, Layout: Flux}
	dir, _ := generate(t, opts)
	for _, target := range []string{"clusters/dev", "apps/accounts-000/overlays/prod", "apps/checkout-003/overlays/staging"} {
		cmd := exec.Command(bin, "build", target)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if out, err := cmd.Output(); err != nil || len(out) == 0 {
			t.Errorf("kustomize build %s: %v\n%s", target, err, stderr.String())
		}
	}
}

// TestSettingsAreNotSecrets keeps the generated settings free of anything
// a secret scanner would rightly flag, so benchmarks measure clean repos.
func TestSettingsAreNotSecrets(t *testing.T) {
	dir, _ := generate(t, Options{Apps: 16})
	suspicious := regexp.MustCompile(`(?i)pass|secret|token|key|credential|auth`)
	for p, data := range readTree(t, dir) {
		if path.Base(p) != ".env" {
			continue
		}
		for line := range strings.Lines(data) {
			name, _, _ := strings.Cut(line, "=")
			if suspicious.MatchString(name) {
				t.Errorf("%s: setting %s looks like a credential", p, name)
			}
		}
	}
}

func TestGenerateRejects(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		dirt bool // the output directory already has a file
	}{
		{name: "no apps", opts: Options{}},
		{name: "unknown layout", opts: Options{Apps: 1, Layout: Layout(9)}},
		{name: "duplicate env", opts: Options{Apps: 1, Envs: []string{"dev", "dev"}}},
		{name: "env not a label", opts: Options{Apps: 1, Envs: []string{"Prod"}}},
		{name: "env with slash", opts: Options{Apps: 1, Envs: []string{"a/b"}}},
		{name: "dirty output", opts: Options{Apps: 1}, dirt: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.dirt {
				if err := os.WriteFile(filepath.Join(dir, "old"), nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := Generate(dir, tt.opts); err == nil {
				t.Errorf("Generate(%+v) succeeded", tt.opts)
			}
		})
	}
}

func TestParseLayout(t *testing.T) {
	for _, l := range []Layout{Argo, Flux} {
		got, err := ParseLayout(l.String())
		if err != nil || got != l {
			t.Errorf("ParseLayout(%q) = %v, %v", l.String(), got, err)
		}
	}
	if _, err := ParseLayout("helm"); err == nil {
		t.Error("ParseLayout(helm) succeeded")
	}
}
