package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// What an entry's key holds besides Key's run key: what the cache must
// know of a target, the repository and its inputs to tell one result
// from another. The files an entry read are not here: they are its
// Inputs, checked on every Get.

// TargetKey names a target's entry within a run's key: the target (path,
// kind, files) and how the run builds it - the units it renders, the
// manifest files its kustomization lists itself, and the settings the
// configuration gives it, formatted with %+v so that every field counts.
func TargetKey(t repo.Target, units, files []string, settings any) string {
	return fmt.Sprintf("%s\x00%s\x00%v\x00%v\x00%v\x00%+v", t.Path, t.Kind, t.Files, units, files, settings)
}

// RepositoryKey keys what the repository-level checks read besides the
// rendered objects, which come from targets with entries of their own:
// which files and directories exist (a Flux or Argo CD path must name one)
// and which targets there are.
func RepositoryKey(key string, files []string, targets []repo.Target) string {
	parts := []string{key, strings.Join(files, "\x00")}
	for _, t := range targets {
		parts = append(parts, t.Path, fmt.Sprint(t.Kind))
	}
	return Key(parts...)
}

// HashTree hashes a file or every file under a directory, "" when absent,
// reading it as a run does (rootfs.ReadTree: confined, bounded, regular
// files only): the inputs a key names by path, such as user policies and
// CRD files named on the command line.
func HashTree(root, p string) string {
	files, err := rootfs.ReadTree(root, p, func(string) bool { return true })
	if err != nil {
		return ""
	}
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.Name))
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// HashDir hashes every file under the directory dir by its path inside
// dir and its content, "" when unreadable: the inputs a key names by
// directory outside the repository (a --chart-dir), the same wherever
// the directory is.
func HashDir(dir string) string {
	files, err := rootfs.ReadTree(dir, dir, func(string) bool { return true })
	if err != nil {
		return ""
	}
	prefix := filepath.ToSlash(dir) + "/"
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(strings.TrimPrefix(f.Name, prefix)))
		h.Write([]byte{0})
		h.Write(f.Data)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// HashJSON identifies a value by its JSON encoding (the CRD schemas a
// target was validated against); "unknown" when it has none, which no
// other value hashes to.
func HashJSON(v any) string {
	data, err := json.Marshal(v)
	if err != nil {
		return "unknown"
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
