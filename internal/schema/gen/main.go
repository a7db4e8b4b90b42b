// Command gen regenerates the embedded schema bundles. For each pinned
// Kubernetes release it fetches the k8s.io/kubernetes module through the
// Go module proxy, converts api/openapi-spec/swagger.json and writes
// <out>/v<version>.json.gz. For the GitOps stack (Argo CD, Flux, Sealed
// Secrets, External Secrets) it fetches the pinned modules that publish
// their CRD manifests, converts the CRDs and writes <out>/crds/gitops.json.gz.
// It is run by `go generate` in internal/schema.
//
// The module proxy is used instead of GitHub so that every download is
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
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

func main() {
	out := flag.String("out", "bundle", "directory for the generated bundles")
	flag.Parse()
	// Pinned so that regenerating is reproducible; bump deliberately.
	versions := []string{"v1.35.4", "v1.36.3", "v1.37.2"}
	if err := run(*out, versions, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := runCRDs(filepath.Join(*out, "crds"), gitopsCRDs, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// crdModule is a pinned Go module that publishes CRD manifests, and the
// kinds taken from it.
type crdModule struct {
	module, version string
	files           []string // inside the module
	kinds           []string // the kinds to keep; every file must define one
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
}

// runCRDs converts the CRDs of the pinned modules into one bundle.
func runCRDs(out string, modules []crdModule, log io.Writer) error {
	start := time.Now()
	var sources []crd.Source
	var kinds []crd.Kind
	for _, m := range modules {
		zipPath, err := download(m.module + "@" + m.version)
		if err != nil {
			return err
		}
		files, err := readZip(zipPath, m.module+"@"+m.version, m.files)
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
					if slices.Contains(m.kinds, k.Kind) {
						kinds = append(kinds, k)
						found[k.Kind] = true
					}
				}
			}
		}
		for _, k := range m.kinds {
			if !found[k] {
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

func run(out string, versions []string, log io.Writer) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, v := range versions {
		start := time.Now()
		swagger, err := fetchSwagger(v)
		if err != nil {
			return err
		}
		b, err := bundle.Convert(v, swagger)
		if err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
		var buf bytes.Buffer
		if err := b.Encode(&buf); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
		name := v + ".json.gz"
		keep[name] = true
		if err := os.WriteFile(filepath.Join(out, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(log, "gen: %s: %d kinds, %d definitions, %d bytes, %s\n",
			name, len(b.Kinds), len(b.Definitions), buf.Len(), time.Since(start).Round(time.Millisecond))
	}
	// Drop bundles of versions that are no longer pinned.
	old, err := filepath.Glob(filepath.Join(out, "*.json.gz"))
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

// fetchSwagger downloads k8s.io/kubernetes@version and reads the OpenAPI
// document straight from the module zip.
func fetchSwagger(version string) ([]byte, error) {
	mod := "k8s.io/kubernetes@" + version
	zipPath, err := download(mod)
	if err != nil {
		return nil, err
	}
	files, err := readZip(zipPath, mod, []string{"api/openapi-spec/swagger.json"})
	if err != nil {
		return nil, err
	}
	return files[0], nil
}

// download fetches module@version with `go mod download` and returns the
// path of its zip in the module cache.
func download(mod string) (string, error) {
	// Outside any module, so that the download cannot touch this
	// repository's go.mod or go.sum.
	dir, err := os.MkdirTemp("", "gitops-lint-gen-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)

	cmd := exec.Command("go", "mod", "download", "-json", mod)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, runErr := cmd.Output()
	var info struct {
		Zip   string
		Error string
	}
	if err := json.Unmarshal(stdout, &info); err != nil {
		return "", fmt.Errorf("go mod download %s: %v: %s", mod, runErr, strings.TrimSpace(stderr.String()))
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", mod, info.Error)
	}
	if runErr != nil {
		return "", fmt.Errorf("go mod download %s: %w: %s", mod, runErr, strings.TrimSpace(stderr.String()))
	}
	return info.Zip, nil
}

// readZip reads files, relative to the module root, from a module zip.
func readZip(zipPath, mod string, names []string) ([][]byte, error) {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out := make([][]byte, len(names))
	for i, name := range names {
		f, err := zr.Open(mod + "/" + name)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, fmt.Errorf("%s has no %s", mod, name)
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
