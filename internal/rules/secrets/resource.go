package secrets

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// ScanResource checks one rendered (or plain) resource: plaintext-secret
// on a v1 Secret whose data or stringData is not encrypted, and gitleaks
// over decoded data values that no file holds as written (a value that a
// replacement or a JSON patch put there). Values that a file holds were
// scanned with that file. Findings carry the resource's target and are
// the same in every target that renders the same source, so that they
// merge.
func (s *Scanner) ScanResource(r *manifest.Resource) []rules.Finding {
	if !isSecret(r.ID) {
		return nil
	}
	var out []rules.Finding
	if f, ok := plaintextFinding(r); ok {
		out = append(out, f)
	}
	out = append(out, s.renderedValueFindings(r)...)
	for i := range out {
		out[i].Targets = []string{r.Target}
	}
	return out
}

// plaintextFinding reports a Secret with a plaintext value at the first
// place (in file order) where one is written. A generated Secret is left
// to secret-generator-plaintext, which points at its inputs; in a SOPS
// file, a plain value that the file's own rules say must be encrypted is
// left to sops-unencrypted.
func plaintextFinding(r *manifest.Resource) (rules.Finding, bool) {
	if r.Generated {
		return rules.Finding{}, false
	}
	sel, isSOPS := sopsMetadata(r.Object["sops"])
	var (
		best             manifest.Origin
		bestPtr, bestKey string
		bestField        string
	)
	for _, field := range []string{"data", "stringData"} {
		m, _ := r.Object[field].(map[string]any)
		for _, key := range slices.Sorted(maps.Keys(m)) {
			v, ok := scalarString(m[key])
			if !ok || v == "" || isENC(v) {
				continue
			}
			if notSecret(v) {
				continue
			}
			if isSOPS && sel.mustEncrypt([]string{field, key}, nil) {
				continue
			}
			ptr := "/" + field + "/" + escapePointer(key)
			loc := r.FieldOrigin(ptr)
			if bestPtr == "" || loc.Less(best) || (loc == best && ptr < bestPtr) {
				best, bestPtr, bestField, bestKey = loc, ptr, field, key
			}
		}
	}
	if bestPtr == "" {
		return rules.Finding{}, false
	}
	msg := fmt.Sprintf("Secret %q holds a plaintext value in stringData key %q", r.SourceID.Name, bestKey)
	if bestField == "data" {
		msg = fmt.Sprintf("Secret %q holds a value that is only base64-encoded, not encrypted, in data key %q", r.SourceID.Name, bestKey)
	}
	return rules.FieldFinding(r, PlaintextSecret, bestPtr, msg), true
}

// scalarString renders a scalar value as the API server would store it.
func scalarString(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case int64:
		return strconv.FormatInt(t, 10), true
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(t), true
	}
	return "", false
}

// references are whole values that name a secret kept elsewhere and are
// replaced at deploy time: Flux and envsubst ${VAR}, 1Password op://,
// argocd-vault-plugin <path:...> and <key>, bank-vaults vault:, vals ref+.
var references = regexp.MustCompile(`^(?:\$\{[A-Za-z_][A-Za-z0-9_]*\}|op://\S+|<path:[^<>]+>|<[A-Za-z0-9_.\-]+>|vault:\S+|ref\+[a-z0-9]+://\S+)$`)

func isReference(v string) bool { return references.MatchString(v) }

// placeholders are whole values that stand for a secret to be filled in:
// changeme, your-api-key-here, xxxx.
var placeholders = regexp.MustCompile(`(?i)^(?:change[-_.]?me|replace[-_.]?me|placeholder|redacted|todo|tbd|fixme|x{3,}|\*{3,}|your[-_.][\w.-]*)$`)

// notSecret reports whether a plaintext value is no secret: a reference or
// a placeholder, also when it is written base64-encoded.
func notSecret(v string) bool {
	v = strings.TrimSpace(v)
	if isReference(v) || placeholders.MatchString(v) {
		return true
	}
	if dec, ok := decodeBase64(v); ok && isText(dec) {
		dec = strings.TrimSpace(dec)
		return isReference(dec) || placeholders.MatchString(dec)
	}
	return false
}

// renderedValueFindings scans the decoded data values of a rendered
// Secret that no file holds as written; those that a file holds were
// scanned with the file, and reporting them again would only duplicate.
func (s *Scanner) renderedValueFindings(r *manifest.Resource) []rules.Finding {
	if r.Generated {
		return nil // its inputs are files and literals, scanned as text
	}
	m, _ := r.Object["data"].(map[string]any)
	scanned := scannedSecretDocs(r)
	var out []rules.Finding
	for _, key := range slices.Sorted(maps.Keys(m)) {
		v, ok := m[key].(string)
		if !ok || v == "" || isENC(v) {
			continue
		}
		ptr := "/data/" + escapePointer(key)
		if coveredByFile(scanned, ptr, m[key]) {
			continue
		}
		dec, ok := decodeBase64(v)
		if !ok || !isText(dec) {
			continue
		}
		loc := r.FieldOrigin(ptr)
		for _, d := range s.cachedDetect(loc.File, dec) {
			if s.ignored(loc.File, d.rule, loc.Line) {
				continue
			}
			out = append(out, valueFinding(loc, key, ptr, r.SourceID, d))
		}
	}
	return out
}

// scannedSecretDocs are the documents of a resource (its source and its
// patches) that the file scan decodes Secret data in: Secrets in YAML and
// JSON files.
func scannedSecretDocs(r *manifest.Resource) []*manifest.Document {
	docs := r.PatchDocs()
	if r.Doc != nil && r.Origin.File == r.Doc.File {
		docs = append(docs, r.Doc)
	}
	return slices.DeleteFunc(docs, func(d *manifest.Document) bool {
		f := formatOf(d.File)
		return !isSecret(d.ID()) || (f != yamlFormat && f != jsonFormat)
	})
}

// coveredByFile reports whether the rendered value at ptr is written, as
// is, in one of the scanned documents, whose file scan decodes and checks it.
func coveredByFile(docs []*manifest.Document, ptr string, v any) bool {
	for _, d := range docs {
		if sv, ok := manifest.Lookup(d.Object, ptr); ok && reflect.DeepEqual(sv, v) {
			return true
		}
	}
	return false
}

// cachedDetect scans a decoded value once however many overlays render
// it. The file is part of the key because gitleaks' allowlists may name
// paths.
func (s *Scanner) cachedDetect(file, value string) []detection {
	key := sha256.Sum256([]byte(file + "\x00" + value))
	return s.decoded.Get(key, func() []detection {
		return s.detectValue(context.Background(), file, value)
	})
}
