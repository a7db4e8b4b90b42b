package render

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// helmBinary is the helm v4 CLI `make helm-equality` installs into .bin
// from the module this package renders with; "" when absent.
func helmBinary() string {
	p, err := filepath.Abs("../../.bin/helm")
	if err != nil {
		return ""
	}
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}

// helmEqualityRepos are the test repositories whose helmCharts targets
// are compared, plus the corpus when present.
func helmEqualityRepos() []string {
	repos := []string{"../../testdata/repos/helm-kustomize"}
	// A worktree under ../wt/ is one level deeper than the main checkout.
	for _, dir := range []string{corpusDir, "../" + corpusDir} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			if e.IsDir() {
				repos = append(repos, filepath.Join(dir, e.Name()))
			}
		}
		break
	}
	return repos
}

// TestHelmChartsMatchKustomize compares the in-process render of every
// kustomize target with helmCharts whose charts are in the repository with
// `kustomize build --enable-helm --helm-command <helm v4>`. It runs only
// when `make helm-equality` has installed both tools (it needs the
// network to install them; the comparison itself does not).
func TestHelmChartsMatchKustomize(t *testing.T) {
	kbin, hbin := kustomizeBinary(), helmBinary()
	if kbin == "" || hbin == "" {
		t.Skip("kustomize or helm not installed (make helm-equality installs them)")
	}
	var same, differ, weFail, peerFails int
	for _, dir := range helmEqualityRepos() {
		rp, err := repo.Discover(dir, repo.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range rp.Targets {
			if tg.Kind != repo.Kustomize || tg.Blocked != "" || !readsHelmCharts(rp, tg) {
				continue
			}
			ours, err := New(Options{Root: rp.Root, YAML: true}).Render(tg.Path)
			cmd := exec.Command(kbin, "build", "--enable-helm", "--helm-command", hbin, filepath.Join(rp.Root, filepath.FromSlash(tg.Path)))
			cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			peer, perr := cmd.Output()
			switch {
			case perr != nil && err != nil:
				continue // neither builds it (a remote chart, offline)
			case perr != nil:
				peerFails++
				t.Logf("%s/%s: only kustomize fails: %s", filepath.Base(dir), tg.Path, stderr.String())
				continue
			case err != nil:
				weFail++
				t.Errorf("%s/%s: only we fail: %v", filepath.Base(dir), tg.Path, err)
				continue
			}
			a, na, err1 := normalise(ours.YAML)
			b, nb, err2 := normalise(peer)
			if err1 != nil || err2 != nil || a != b {
				differ++
				t.Errorf("%s/%s: %d objects differ from kustomize's %d:\n--- ours\n%s\n--- kustomize\n%s", filepath.Base(dir), tg.Path, na, nb, ours.YAML, peer)
				continue
			}
			same++
		}
	}
	t.Logf("helmCharts targets: %d identical, %d differ, %d only we fail, %d only kustomize fails", same, differ, weFail, peerFails)
}

// TestChartsMatchHelmTemplate compares helm.Render with `helm template`
// for every chart directory of the test repositories (and corpus).
func TestChartsMatchHelmTemplate(t *testing.T) {
	hbin := helmBinary()
	if hbin == "" {
		t.Skip("helm not installed (make helm-equality installs it)")
	}
	var same, bothFail, total int
	for _, dir := range append(helmEqualityRepos(), "../../testdata/repos/helm-flux") {
		fsys, err := rootfs.New(dir)
		if err != nil {
			t.Fatal(err)
		}
		_ = filepath.WalkDir(fsys.Root(), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || d.Name() != "Chart.yaml" {
				return nil
			}
			chartDir := filepath.Dir(p)
			if strings.Contains(filepath.ToSlash(chartDir), "/charts/") && strings.Count(filepath.ToSlash(fsys.Rel(chartDir)), "/charts/") > 1 {
				return nil // a subchart: rendered with its parent
			}
			ch, err := helm.Load(fsys, fsys.Rel(chartDir))
			if err != nil {
				return nil
			}
			total++
			ours, oerr := helm.Render(context.Background(), ch, helm.Release{Name: "release-name"})
			cmd := exec.Command(hbin, "template", "release-name", chartDir)
			cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+t.TempDir(), "HELM_CONFIG_HOME="+t.TempDir(), "HELM_DATA_HOME="+t.TempDir())
			peer, perr := cmd.Output()
			if oerr != nil || perr != nil {
				if (oerr == nil) != (perr == nil) {
					t.Errorf("%s: ours %v, helm template %v", fsys.Rel(chartDir), oerr, perr)
					return nil
				}
				bothFail++
				t.Logf("%s: both fail; ours: %v", fsys.Rel(chartDir), oerr)
				return nil
			}
			if ours.YAML != string(peer) {
				t.Errorf("%s: output differs from helm template:\n--- ours\n%s\n--- helm\n%s", fsys.Rel(chartDir), ours.YAML, peer)
				return nil
			}
			same++
			return nil
		})
	}
	t.Logf("charts: %d of %d byte-identical to helm template, %d refused by both", same, total, bothFail)
}

// readsHelmCharts reports whether a kustomization of the target's closure
// has helmCharts.
func readsHelmCharts(rp *repo.Repo, tg repo.Target) bool {
	for _, d := range rp.Closure(tg.Path) {
		if k, ok := rp.Kustomizations[d]; ok {
			if data, err := rp.FS.ReadFile(k.File); err == nil && hasHelmCharts(data) {
				return true
			}
		}
	}
	return false
}
