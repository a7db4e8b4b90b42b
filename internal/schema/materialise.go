package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
)

// kubeconform finds a schema by expanding a location template. Ours is
// kubeconform's own file name, {{ .ResourceKind }}{{ .KindSuffix }}.json,
// inside one directory per API group: the suffix keeps only the first label
// of the group, so apps.example.com/v1 Deployment would otherwise find the
// file of apps/v1 Deployment once that has been written, and the outcome
// would depend on what an earlier run left in the cache.
const fileTemplate = "{{ .Group }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"

// cacheRoot returns, creating it, the directory that holds the materialised
// schemas of one bundle. It is content-addressed by hash, so processes
// running different binaries never see each other's files.
func cacheRoot(dir, hash, version string) (string, error) {
	return cacheDir(dir, filepath.Join(hash, "v"+version+"-standalone-strict"))
}

// remoteCache returns, creating it, the directory where kubeconform keeps
// the schemas it downloads from http(s) locations, one file per URL, so
// that a run fetches each schema once, not once per run.
func remoteCache(dir string) (string, error) {
	return cacheDir(dir, "remote")
}

// cacheDir creates leaf under dir, or by default under the user cache
// directory, or under the temporary directory when there is no usable
// user cache directory.
func cacheDir(dir, leaf string) (string, error) {
	if dir != "" {
		root := filepath.Join(dir, leaf)
		if err := os.MkdirAll(root, 0o755); err != nil {
			return "", fmt.Errorf("schema cache: %w", err)
		}
		return root, nil
	}
	if base, err := os.UserCacheDir(); err == nil {
		root := filepath.Join(base, "gitops-lint", "schemas", leaf)
		if os.MkdirAll(root, 0o755) == nil {
			return root, nil
		}
	}
	root := filepath.Join(os.TempDir(), "gitops-lint", "schemas", leaf)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", fmt.Errorf("schema cache: %w", err)
	}
	return root, nil
}

// locationTemplate is the kubeconform schema location for files under root.
func locationTemplate(root string) (string, error) {
	if strings.Contains(root, "{{") || strings.Contains(root, "}}") {
		return "", fmt.Errorf("schema directory %q cannot be used in a kubeconform template", root)
	}
	return filepath.ToSlash(root) + "/" + fileTemplate, nil
}

// schemaFile is the path, relative to a schema directory, at which
// kubeconform looks for apiVersion/kind under fileTemplate. It mirrors
// kubeconform's registry.schemaPath.
func schemaFile(apiVersion, kind string) string {
	groupParts := strings.Split(apiVersion, "/")
	suffix := "-" + strings.ToLower(strings.Split(groupParts[0], ".")[0])
	if len(groupParts) > 1 {
		suffix += "-" + strings.ToLower(groupParts[1])
	}
	return filepath.Join(groupParts[0], strings.ToLower(kind)+suffix+".json")
}

// materialise writes the schema of k into the cache unless an earlier
// goroutine or process already has.
func (v *Validator) materialise(k bundle.Kind) error {
	path := filepath.Join(v.root, schemaFile(k.APIVersion(), k.Kind))
	if _, err := os.Stat(path); err == nil {
		return nil // complete: files only ever appear by rename
	}
	return v.writeSchema(path, k)
}

func (v *Validator) writeSchema(path string, k bundle.Kind) error {
	data, err := v.bundle.Standalone(k)
	if err != nil {
		return err
	}
	if err := writeAtomic(path, data); err != nil {
		return fmt.Errorf("write schema of %s %s: %w", k.APIVersion(), k.Kind, err)
	}
	return nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory and a rename, so that a concurrent reader (another goroutine, or
// another gitops-lint process sharing the cache) sees the whole file or none.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		// Where rename does not replace (Windows), a concurrent writer may
		// have won; its file has the same content.
		if _, statErr := os.Stat(path); statErr == nil {
			return nil
		}
		return err
	}
	return nil
}

// Export writes every embedded schema of the selected version, and the
// embedded GitOps CRD schemas, into dir, laid out as the Validator's cache
// is, and returns the kubeconform -schema-location template that reads
// them, so that a separate `kubeconform -strict -schema-location <template>`
// uses the same schemas.
// The template names the version literally: no -kubernetes-version needed.
func (v *Validator) Export(dir string) (template string, err error) {
	root, err := filepath.Abs(filepath.Join(dir, "v"+v.version+"-standalone-strict"))
	if err != nil {
		return "", err
	}
	for _, k := range v.bundle.Kinds {
		if err := v.writeSchema(filepath.Join(root, schemaFile(k.APIVersion(), k.Kind)), k); err != nil {
			return "", err
		}
	}
	if err := v.exportGitOps(root); err != nil {
		return "", err
	}
	return locationTemplate(root)
}
