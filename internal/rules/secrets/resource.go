package secrets

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
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
	if f, ok := s.plaintextFinding(r); ok {
		out = append(out, f)
	}
	out = append(out, s.renderedValueFindings(r)...)
	for i := range out {
		out[i].Targets = []string{r.Target}
	}
	return out
}

// plaintextFinding reports a Secret with a plaintext value at the first
// place (in file order) where one is written, preferring a value that
// looks like a credential. A Secret none of whose values looks like one
// (only configuration, such as default_timezone = UTC) gets a finding one
// severity lower, which says why. A generated Secret is left to
// secret-generator-plaintext, which points at its inputs; in a SOPS file,
// a plain value that the file's own rules say must be encrypted is left
// to sops-unencrypted.
func (s *Scanner) plaintextFinding(r *manifest.Resource) (rules.Finding, bool) {
	if r.Generated {
		return rules.Finding{}, false
	}
	sel, isSOPS := sopsMetadata(r.Object["sops"])
	secretType, _ := r.Object["type"].(string)
	type candidate struct {
		loc             manifest.Origin
		ptr, field, key string
		reason          string
	}
	var best *candidate
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
			c := candidate{loc: origin.Field(r, ptr), ptr: ptr, field: field, key: key}
			plain := v
			if field == "data" {
				if dec, ok := decodeBase64(v); ok {
					plain = dec
				}
			}
			c.reason = s.credentialReason(r.Origin.File, secretType, key, plain)
			// A credential beats configuration; then file order.
			switch {
			case best == nil,
				c.reason != "" && best.reason == "",
				(c.reason != "") == (best.reason != "") && (c.loc.Less(best.loc) || (c.loc == best.loc && c.ptr < best.ptr)):
				best = &c
			}
		}
	}
	if best == nil {
		return rules.Finding{}, false
	}
	msg := fmt.Sprintf("Secret %q holds a plaintext value in stringData key %q", r.SourceID.Name, best.key)
	if best.field == "data" {
		msg = fmt.Sprintf("Secret %q holds a value that is only base64-encoded, not encrypted, in data key %q", r.SourceID.Name, best.key)
	}
	if best.reason != "" {
		msg += " (" + best.reason + ")"
	} else {
		msg += ": no key name, value or Secret type looks like a credential, hence a warning; configuration that is no secret belongs in a ConfigMap"
	}
	f := origin.FieldFinding(r, PlaintextSecret, best.ptr, msg)
	f.Lowered = best.reason == ""
	return f, true
}

// credentialTypes are the Secret types whose every value is a credential.
var credentialTypes = map[string]bool{
	"kubernetes.io/tls": true, "kubernetes.io/dockerconfigjson": true, "kubernetes.io/dockercfg": true,
	"kubernetes.io/basic-auth": true, "kubernetes.io/ssh-auth": true, "kubernetes.io/service-account-token": true,
	"bootstrap.kubernetes.io/token": true,
}

// credentialKey matches key names that hold credentials. It matches
// inside names (db_password, apiKey, tls.crt) and errs on the side of a
// credential: a false match only keeps the finding an error.
var credentialKey = regexp.MustCompile(`(?i)pass|pwd|secret|token|key|cred|auth|private|cert|crt|pem|salt|dsn|session|cookie|signature|htpasswd|jks|p12|pfx|keystore|truststore|kubeconfig|dockerconfig|bearer|hmac|seed|otp|webhook`)

// credentialReason says why a plaintext Secret value looks like a
// credential, "" when nothing does: the Secret's type, its key name, a
// gitleaks rule matching the value, a private key block, or a long,
// high-entropy token. The reason never quotes the value.
func (s *Scanner) credentialReason(file, secretType, key, value string) string {
	switch {
	case credentialTypes[secretType]:
		return fmt.Sprintf("a Secret of type %s holds credentials", secretType)
	case credentialKey.MatchString(key):
		return fmt.Sprintf("the key name %q names a credential", key)
	case strings.Contains(value, "-----BEGIN"):
		return "the value holds a PEM block"
	}
	if dets := s.detectValue(context.Background(), file, value); len(dets) > 0 {
		return fmt.Sprintf("gitleaks rule %s matches the value", dets[0].rule)
	}
	if highEntropy(value) {
		return "the value is a long random-looking token"
	}
	return ""
}

// highEntropy reports a token the way generated passwords and API keys
// look: at least 16 characters without spaces, upper and lower case
// letters and digits, and at least 3.7 bits per character. Host names,
// paths and identifiers (one case, or no digit) are no tokens, nor are
// URLs without credentials.
func highEntropy(v string) bool {
	v = strings.TrimSpace(v)
	if len(v) < 16 || strings.ContainsAny(v, " \t\n") {
		return false
	}
	if i := strings.Index(v, "://"); i >= 0 && !strings.Contains(v[i:], "@") {
		return false
	}
	if !strings.ContainsAny(v, "0123456789") || !strings.ContainsAny(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.ContainsAny(v, "abcdefghijklmnopqrstuvwxyz") {
		return false
	}
	counts := map[rune]int{}
	n := 0
	for _, c := range v {
		counts[c]++
		n++
	}
	var bits float64
	for _, k := range counts {
		p := float64(k) / float64(n)
		bits -= p * math.Log2(p)
	}
	return bits >= 3.7
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
		loc := origin.Field(r, ptr)
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
