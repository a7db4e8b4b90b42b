// Command gen regenerates the embedded Kubernetes schema bundles: for each
// pinned release it fetches the k8s.io/kubernetes module through the Go
// module proxy, converts api/openapi-spec/swagger.json and writes
// <out>/v<version>.json.gz. It is run by `go generate` in internal/schema.
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
	"path/filepath"
	"strings"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
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

// fetchSwagger downloads k8s.io/kubernetes@version with `go mod download`
// and reads the OpenAPI document straight from the module zip.
func fetchSwagger(version string) ([]byte, error) {
	// Outside any module, so that the download cannot touch this
	// repository's go.mod or go.sum.
	dir, err := os.MkdirTemp("", "gitops-lint-gen-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	mod := "k8s.io/kubernetes@" + version
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
	f, err := zr.Open(mod + "/api/openapi-spec/swagger.json")
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s has no api/openapi-spec/swagger.json", mod)
		}
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}
