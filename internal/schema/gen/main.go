// Command gen regenerates what the binary embeds about Kubernetes releases:
// for each pinned release it fetches the k8s.io/kubernetes module through
// the Go module proxy and reads api/openapi-spec/swagger.json, then
//
//   - converts it to <bundles>/v<version>.json.gz, the schema bundle, for
//     the newest releases only (schemas are the bulk of the binary), and
//   - adds it to <apis>, the table of which minors serve which
//     apiVersion/kind (package apis), for every release.
//
// For the GitOps stack (Argo CD, Flux, Sealed Secrets, External Secrets) it
// fetches the pinned modules that publish their CRD manifests, converts the
// CRDs and writes <bundles>/crds/gitops.json.gz.
//
// It is run by `go generate` in internal/schema. With -pluto FILE it instead
// writes a pinned copy of pluto's table of deprecated APIs, which the tests
// of package apis compare with ours.
//
// The module proxy is used instead of GitHub so that the download is
// checksummed against sum.golang.org and needs no other network access.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/apis/table"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

// releases are read for the API table: one per minor from 1.16, the oldest
// minor whose removals still turn up in repositories, to the newest.
// Pinned so that regenerating is reproducible; bump deliberately. The patch
// is whichever was newest when the list was last bumped: patch releases do
// not change which APIs are served.
var releases = []string{
	"v1.16.15", "v1.17.17", "v1.18.20", "v1.19.16", "v1.20.15", "v1.21.14",
	"v1.22.17", "v1.23.17", "v1.24.17", "v1.25.16", "v1.26.15", "v1.27.16",
	"v1.28.15", "v1.29.15", "v1.30.14", "v1.31.14", "v1.32.13", "v1.33.13",
	"v1.34.8", "v1.35.4", "v1.36.3", "v1.37.2",
}

// bundled is how many of the newest releases get full schema bundles;
// older minors get deltas, each from the next newer minor (see deltas).
const bundled = 4

// pluto is the release of pluto (github.com/FairwindsOps/pluto, Apache-2.0)
// whose versions.yaml -pluto copies.
const (
	plutoModule  = "github.com/fairwindsops/pluto/v5"
	plutoVersion = "v5.22.8"
)

func main() {
	bundles := flag.String("bundles", "bundle", "directory for the generated schema bundles")
	apis := flag.String("apis", "../apis/served.json", "file for the generated API table")
	pluto := flag.String("pluto", "", "instead of generating, write pluto's versions.yaml to this file")
	crdsOnly := flag.Bool("crds-only", false, "regenerate only the GitOps CRD bundle (a few small modules, not every Kubernetes release)")
	flag.Parse()
	var err error
	if *pluto != "" {
		err = writePluto(*pluto, os.Stderr)
	} else if *crdsOnly {
		err = runCRDs(filepath.Join(*bundles, "crds"), gitopsCRDs, os.Stderr)
	} else if err = run(*bundles, *apis, releases, os.Stderr); err == nil {
		err = runCRDs(filepath.Join(*bundles, "crds"), gitopsCRDs, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(bundleDir, apisFile string, releases []string, log io.Writer) error {
	if err := os.MkdirAll(bundleDir, 0o755); err != nil {
		return err
	}
	start := time.Now()
	var b table.Builder
	keep := map[string]bool{}
	var older *bundle.Bundle // the previous release's, awaiting its base
	for i, v := range releases {
		t := time.Now()
		swagger, err := fetchFile("k8s.io/kubernetes", v, "api/openapi-spec/swagger.json")
		if err != nil {
			return err
		}
		if err := b.Add(v, swagger); err != nil {
			return err
		}
		msg := ""
		if i >= len(releases)-bundled {
			name, err := writeBundle(bundleDir, v, swagger)
			if err != nil {
				return err
			}
			keep[name] = true
			msg = ", wrote " + name
		}
		if older, msg, err = deltas(bundleDir, older, v, swagger, i < len(releases)-bundled, keep, msg); err != nil {
			return err
		}
		fmt.Fprintf(log, "gen: %s: read %d bytes of OpenAPI%s, %s\n", v, len(swagger), msg, time.Since(t).Round(time.Millisecond))
	}
	var buf bytes.Buffer
	tbl := b.Table()
	if err := tbl.Encode(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(apisFile, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "gen: %s: %d apiVersion/kinds of %d releases, %d bytes; %s in all\n",
		apisFile, len(tbl.APIs), len(tbl.Releases), buf.Len(), time.Since(start).Round(time.Second))

	// Drop bundles of versions that are no longer bundled.
	old, err := filepath.Glob(filepath.Join(bundleDir, "*.json.gz"))
	if err != nil {
		return err
	}
	for _, f := range old {
		if !keep[filepath.Base(f)] {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// crdModule is a pinned Go module that publishes CRD manifests, and the
// kinds taken from it.
type crdModule struct {
	module, version string
	files           []string // inside the module
	kinds           []string // the kinds to keep; every file must define one
	// versions, when set, are the only versions kept: an older release
	// brings the versions the newer ones no longer serve. A kind and
	// version already bundled from a module listed before is not taken
	// again.
	versions []string
}

// gitopsCRDs are the CRDs of the GitOps stack that gitops-lint knows
// without being told. Pinned so that regenerating is reproducible; bump
// deliberately. Versions are the newest whose go.mod does not require a
// newer Go than this repository's (`go mod download` refuses those).
// Flux's image-reflector, image-automation and notification controllers
// are not on the module proxy (their api submodules are, without CRDs).
var gitopsCRDs = []crdModule{
	{
		module: "github.com/argoproj/argo-cd/v3", version: "v3.5.7",
		files: []string{"manifests/crds/application-crd.yaml", "manifests/crds/applicationset-crd.yaml", "manifests/crds/appproject-crd.yaml"},
		kinds: []string{"Application", "ApplicationSet", "AppProject"},
	},
	{
		module: "github.com/fluxcd/kustomize-controller", version: "v1.9.6",
		files: []string{"config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml"},
		kinds: []string{"Kustomization"},
	},
	{
		module: "github.com/fluxcd/helm-controller", version: "v1.6.4",
		files: []string{"config/crd/bases/helm.toolkit.fluxcd.io_helmreleases.yaml"},
		kinds: []string{"HelmRelease"},
	},
	{
		module: "github.com/fluxcd/source-controller", version: "v1.9.6",
		files: []string{
			"config/crd/bases/source.toolkit.fluxcd.io_buckets.yaml",
			"config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml",
			"config/crd/bases/source.toolkit.fluxcd.io_helmcharts.yaml",
			"config/crd/bases/source.toolkit.fluxcd.io_helmrepositories.yaml",
			"config/crd/bases/source.toolkit.fluxcd.io_ocirepositories.yaml",
		},
		kinds: []string{"Bucket", "GitRepository", "HelmChart", "HelmRepository", "OCIRepository"},
	},
	{
		module: "github.com/bitnami-labs/sealed-secrets", version: "v0.40.0",
		files: []string{"helm/sealed-secrets/crds/bitnami.com_sealedsecrets.yaml"},
		kinds: []string{"SealedSecret"},
	},
	{
		module: "github.com/external-secrets/external-secrets", version: "v1.3.2",
		files: []string{
			"config/crds/bases/external-secrets.io_clusterexternalsecrets.yaml",
			"config/crds/bases/external-secrets.io_clustersecretstores.yaml",
			"config/crds/bases/external-secrets.io_externalsecrets.yaml",
			"config/crds/bases/external-secrets.io_pushsecrets.yaml",
			"config/crds/bases/external-secrets.io_secretstores.yaml",
		},
		kinds: []string{"ClusterExternalSecret", "ClusterSecretStore", "ExternalSecret", "PushSecret", "SecretStore"},
	},
	// Older served versions, from the last releases that served them, so
	// that a repository not yet migrated is validated rather than skipped.
	// helm-controller's HelmRelease v2beta1 and v2beta2: the releases
	// that served them (v0.37, v1.0 to v1.3) are not on the module proxy
	// that generation uses, so they are not bundled.
	{
		module: "github.com/fluxcd/kustomize-controller", version: "v1.7.3",
		files:    []string{"config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml"},
		kinds:    []string{"Kustomization"},
		versions: []string{"v1beta2"},
	},
	// source-controller's v1beta2: the releases on the module proxy that
	// generation uses (v1.8 and later) no longer serve it.
	{
		module: "github.com/external-secrets/external-secrets", version: "v0.16.2",
		files: []string{
			"config/crds/bases/external-secrets.io_clusterexternalsecrets.yaml",
			"config/crds/bases/external-secrets.io_clustersecretstores.yaml",
			"config/crds/bases/external-secrets.io_externalsecrets.yaml",
			"config/crds/bases/external-secrets.io_secretstores.yaml",
		},
		kinds:    []string{"ClusterExternalSecret", "ClusterSecretStore", "ExternalSecret", "SecretStore"},
		versions: []string{"v1beta1"},
	},
}

// runCRDs converts the CRDs of the pinned modules into one bundle.
func runCRDs(out string, modules []crdModule, log io.Writer) error {
	start := time.Now()
	var sources []crd.Source
	var kinds []crd.Kind
	have := map[string]bool{} // apiVersion/kind already bundled
	for _, m := range modules {
		files, err := fetchFiles(m.module, m.version, m.files...)
		if err != nil {
			return err
		}
		found := map[string]bool{}
		for i, name := range m.files {
			docs, err := manifest.DecodeFile(name, files[i])
			if err != nil {
				return fmt.Errorf("%s@%s: %w", m.module, m.version, err)
			}
			for _, d := range docs {
				if d.Object == nil || !crd.IsCRD(d.Object) {
					continue
				}
				ks, err := crd.Kinds(d.Object)
				if err != nil {
					return fmt.Errorf("%s@%s %s: %w", m.module, m.version, name, err)
				}
				for _, k := range ks {
					if !slices.Contains(m.kinds, k.Kind) || (m.versions != nil && !slices.Contains(m.versions, k.Version)) {
						continue
					}
					found[k.Kind] = true
					if key := k.APIVersion() + "/" + k.Kind; !have[key] {
						have[key] = true
						kinds = append(kinds, k)
					}
				}
			}
		}
		for _, k := range m.kinds {
			// An older release may serve an old version of some kinds only.
			if !found[k] && m.versions == nil {
				return fmt.Errorf("%s@%s: no served version of %s in %v", m.module, m.version, k, m.files)
			}
		}
		sources = append(sources, crd.Source{Module: m.module, Version: m.version, Files: m.files})
	}
	b := crd.NewBundle(sources, kinds)
	var buf bytes.Buffer
	if err := b.Encode(&buf); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "gitops.json.gz"), buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "gen: crds/gitops.json.gz: %d kinds from %d modules, %d shared definitions, %d bytes, %s\n",
		len(b.Kinds), len(sources), len(b.Definitions), buf.Len(), time.Since(start).Round(time.Millisecond))
	return nil
}

func writeBundle(dir, version string, swagger []byte) (string, error) {
	b, err := bundle.Convert(version, swagger)
	if err != nil {
		return "", fmt.Errorf("%s: %w", version, err)
	}
	var buf bytes.Buffer
	if err := b.Encode(&buf); err != nil {
		return "", fmt.Errorf("%s: %w", version, err)
	}
	name := version + ".json.gz"
	return name, os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644)
}

// deltas writes the previous release's bundle (older, when set) as a
// delta from this release's, and returns this release's bundle when it
// needs one in turn (it is not among the fully bundled releases). Every
// accepted minor thus has schemas, the older ones as a chain of deltas
// down from the oldest full bundle.
func deltas(dir string, older *bundle.Bundle, version string, swagger []byte, needsDelta bool, keep map[string]bool, msg string) (*bundle.Bundle, string, error) {
	if older == nil && !needsDelta {
		return nil, msg, nil
	}
	b, err := bundle.Convert(version, swagger)
	if err != nil {
		return nil, msg, fmt.Errorf("%s: %w", version, err)
	}
	if older != nil {
		var buf bytes.Buffer
		if err := bundle.Diff(b, older).Encode(&buf); err != nil {
			return nil, msg, err
		}
		name := "v" + older.KubernetesVersion + ".delta.json.gz"
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return nil, msg, err
		}
		keep[name] = true
		msg += fmt.Sprintf(", wrote %s (%d bytes)", name, buf.Len())
	}
	if !needsDelta {
		return nil, msg, nil
	}
	return b, msg, nil
}

// plutoFiles are where pluto's module has kept versions.yaml, newest
// layout first.
var plutoFiles = []string{"pkg/api/versions.yaml", "versions.yaml"}

// writePluto writes pluto's table with a header naming its source and
// licence; the body is byte for byte pluto's.
func writePluto(out string, log io.Writer) error {
	var data []byte
	var from string
	var err error
	for _, f := range plutoFiles {
		data, err = fetchFile(plutoModule, plutoVersion, f)
		if err == nil {
			from = f
			break
		}
		if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if from == "" {
		return fmt.Errorf("%s@%s has none of %s", plutoModule, plutoVersion, strings.Join(plutoFiles, ", "))
	}
	header := fmt.Sprintf(`# Copied verbatim (below this header) from %s of the Go module %s@%s,
# that is pluto by Fairwinds (https://github.com/FairwindsOps/pluto), licensed under the
# Apache License, Version 2.0 (https://www.apache.org/licenses/LICENSE-2.0).
# Written by `+"`make pluto-table`"+` (go run ./internal/schema/gen -pluto FILE); do not edit.
# Only the tests of internal/apis read it, to compare pluto's table with ours.
`, from, plutoModule, plutoVersion)
	if err := os.WriteFile(out, append([]byte(header), data...), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(log, "gen: %s: %s of %s@%s, %d bytes\n", out, from, plutoModule, plutoVersion, len(data))
	return nil
}

// fetchFile downloads module@version with `go mod download` and reads one
// file straight from the module zip. A missing file is os.ErrNotExist.
func fetchFile(module, version, name string) ([]byte, error) {
	files, err := fetchFiles(module, version, name)
	if err != nil {
		return nil, err
	}
	return files[0], nil
}

// fetchFiles is fetchFile for several files of one module.
//
// Each download goes to its own temporary module cache, removed at once:
// k8s.io/kubernetes is 13 to 22 MB zipped and about 100 MB unpacked per
// release, and two dozen releases would otherwise stay in the user's (and
// CI's) module cache for the sake of one file each.
func fetchFiles(module, version string, names ...string) ([][]byte, error) {
	dir, err := os.MkdirTemp("", "gitops-lint-gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cache := filepath.Join(dir, "modcache")

	mod := module + "@" + version
	cmd := exec.Command("go", "mod", "download", "-json", mod)
	// Outside any module, so that the download cannot touch this
	// repository's go.mod or go.sum; -modcacherw so that the unpacked
	// module can be removed.
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOMODCACHE="+cache,
		"GOFLAGS="+strings.TrimSpace(os.Getenv("GOFLAGS")+" -modcacherw"))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, runErr := cmd.Output()
	var info struct {
		Zip   string
		Error string
	}
	if err := json.Unmarshal(stdout, &info); err != nil {
		return nil, fmt.Errorf("go mod download %s: %v: %s", mod, runErr, strings.TrimSpace(stderr.String()))
	}
	if info.Error != "" {
		return nil, fmt.Errorf("go mod download %s: %s", mod, info.Error)
	}
	if runErr != nil {
		return nil, fmt.Errorf("go mod download %s: %w: %s", mod, runErr, strings.TrimSpace(stderr.String()))
	}

	zr, err := zip.OpenReader(info.Zip)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out := make([][]byte, len(names))
	for i, name := range names {
		f, err := zr.Open(path.Join(mod, name))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s has no %s: %w", mod, name, os.ErrNotExist)
			}
			return nil, err
		}
		out[i], err = io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
