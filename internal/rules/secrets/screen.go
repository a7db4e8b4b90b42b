package secrets

import (
	"context"
	"encoding/base64"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/redact"
)

// Screen hides secret values in the output of `gitops-lint render`
// (render.Screen): every value of a Secret's data and stringData, every
// string value in which gitleaks recognises a credential, and the strong
// secret values (package redact) wherever they appear. It needs a Scanner
// made with Options.Found, which holds the values it knows.
type Screen struct {
	ctx     context.Context
	scanner *Scanner
}

// dataMarker replaces a value of a Secret's data: base64, so that the
// Secret stays valid, of the marker people read in stringData.
var dataMarker = base64.StdEncoding.EncodeToString([]byte(redact.Marker))

// NewScreen returns the Screen of a render that reads files (repository-
// relative): it scans them for credentials and learns the values of the
// Secrets written in them, which kustomize may carry elsewhere.
func (s *Scanner) NewScreen(ctx context.Context, files []string) *Screen {
	s.ScanFiles(ctx, files, 0) // what it finds goes to Options.Found
	s.found.Add(SourceValues(s.repo.Root, files)...)
	return &Screen{ctx: ctx, scanner: s}
}

// SourceValues are the values of the Secrets written in the manifest
// files among files (relative to root): what kustomize may quote in an
// error about a target that reads them. Only regular files of at most
// MaxFileSize bytes are read.
func SourceValues(root string, files []string) []string {
	var vals []string
	for _, f := range files {
		switch strings.ToLower(path.Ext(f)) {
		case ".yaml", ".yml", ".json":
		default:
			continue
		}
		abs := filepath.Join(root, filepath.FromSlash(f))
		if fi, err := os.Lstat(abs); err != nil || !fi.Mode().IsRegular() || fi.Size() > MaxFileSize {
			continue
		}
		data, err := os.ReadFile(abs)
		if err != nil {
			continue
		}
		docs, _ := manifest.DecodeFile(f, data)
		for _, d := range docs {
			if d.Object != nil {
				vals = append(vals, manifest.SecretValues(d.Object)...)
			}
		}
	}
	return vals
}

// Learn records the values of a rendered object, when it is a Secret.
func (sc *Screen) Learn(obj map[string]any) {
	sc.scanner.found.Add(manifest.SecretValues(obj)...)
}

// SecretValue hides every value of a Secret.
func (sc *Screen) SecretValue(field, _, _ string) string {
	if field == "data" {
		return dataMarker
	}
	return redact.Marker
}

// Scalar hides a value gitleaks flags under its key, and cuts the strong
// secret values out of any other.
func (sc *Screen) Scalar(key, value string) string {
	if value == "" {
		return value
	}
	if sc.scanner.Credential(sc.ctx, key, value) {
		return redact.Marker
	}
	return sc.scanner.found.Text(value)
}

// Text screens a message about the render, such as its error.
func (sc *Screen) Text(msg string) string { return sc.scanner.found.Text(msg) }
