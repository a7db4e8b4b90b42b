package secrets

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"path"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/zricethezav/gitleaks/v8/report"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// ScanFiles scans each repository-relative file once: gitleaks over its
// text and over the decoded data of the Secrets written in it, and the
// SOPS rules. Binary files are skipped silently (only gitleaks' file-name
// rules look at them); files over MaxFileSize yield secret-scan-skipped.
// Up to jobs files are scanned at once (GOMAXPROCS when jobs <= 0). The
// result is sorted and does not depend on jobs. When ctx is cancelled the
// scan stops early and returns what it found so far.
func (s *Scanner) ScanFiles(ctx context.Context, files []string, jobs int) []rules.Finding {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	results := make([][]rules.Finding, len(files))
	var g errgroup.Group
	g.SetLimit(jobs)
	for i, f := range files {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			if ctx.Err() == nil {
				results[i], _ = s.scanFile(ctx, f)
			}
			return nil
		})
	}
	_ = g.Wait() // workers never fail: a file that cannot be read is skipped
	var out []rules.Finding
	for _, r := range results {
		out = append(out, r...)
	}
	slices.SortStableFunc(out, rules.Compare)
	return out
}

// ScanFile scans one repository-relative file as ScanFiles does; the
// engine's file-scope checks call it for each file in parallel. learned
// reports that the scan found a credential and taught its value to
// Options.Found: the run's redaction then depends on this scan, so its
// result may not be replayed from a cache in place of scanning.
func (s *Scanner) ScanFile(ctx context.Context, file string) (findings []rules.Finding, learned bool) {
	return s.scanFile(ctx, file)
}

func (s *Scanner) scanFile(ctx context.Context, file string) ([]rules.Finding, bool) {
	// One read: the run's other readers of the file share it (rootfs
	// keeps it), and only a file too large to be read is looked at again.
	data, err := s.repo.FS.ReadFile(file)
	var size int64
	switch {
	case err == nil:
		size = int64(len(data))
	case errors.Is(err, rootfs.ErrTooLarge):
		fi, err := s.repo.FS.Stat(file)
		if err != nil {
			return nil, false
		}
		size = fi.Size()
	default:
		return nil, false
	}
	if size > MaxFileSize {
		f := rules.Finding{
			RuleID:   SecretScanSkipped,
			Message:  fmt.Sprintf("file is %.1f MiB, over the %d MiB limit of the credential scan; it was not scanned", float64(size)/(1<<20), MaxFileSize>>20),
			Location: manifest.Origin{File: file, Line: 1},
		}
		f.Fingerprint = rules.Fingerprint(SecretScanSkipped, file, manifest.ResID{}, "", "")
		out, learned := s.scanText(ctx, file, "")
		return append(out, f), learned
	}
	if isBinary(data) {
		// Only gitleaks' file-name rules (a committed .p12, say) apply.
		return s.scanText(ctx, file, "")
	}
	return s.scanText(ctx, file, string(data))
}

// isBinary uses git's test: a NUL byte in the first 8000 bytes.
func isBinary(data []byte) bool {
	return bytes.IndexByte(data[:min(len(data), 8000)], 0) >= 0
}

// detection is a gitleaks finding reduced to what may be kept: its rule
// and position and a redacted prefix, never the secret (which goes only to
// the run's redaction Set, to be hidden wherever it is printed).
type detection struct {
	rule string
	// line is 1-based; glLine is the line gitleaks puts in its
	// fingerprint (0 for a file-name rule).
	line, glLine, col int
	prefix            string
	// fileName is set for rules that match the file's name, not its text.
	fileName bool
	// ciphertext is set when the match lies inside SOPS ENC[...] values.
	ciphertext bool
	// lineKey is the key written before the secret on its line (KEY= in
	// an env or properties file), for files without a decoded structure.
	lineKey string
}

// detect runs gitleaks over text as the file named file (so that path
// allowlists apply) and reduces its findings to detections. gitleaks'
// findings hold the secret in Secret, Match and Line; they go no further
// than this function.
func (s *Scanner) detect(ctx context.Context, file, text string) []detection {
	found := s.find(ctx, file, text)
	if len(found) == 0 {
		return nil
	}
	lines := newLineIndex(text)
	out := make([]detection, 0, len(found))
	for _, f := range found {
		d := detection{rule: f.RuleID, line: max(f.StartLine, 1), glLine: f.StartLine}
		if strings.HasPrefix(f.Match, "file detected:") && f.Secret == "" {
			d.fileName = true
			out = append(out, d)
			continue
		}
		secret := strings.TrimSpace(f.Secret)
		s.found.Add(secret)
		d.prefix = prefix(secret)
		lt := lines.text(d.line)
		d.col = column(lt, f.Match, secret, f)
		d.lineKey = lineKey(lt, d.col)
		if strings.Contains(lt, "ENC[") && encValue.MatchString(lt) {
			// Decoded ciphertext is not in the stripped line either.
			d.ciphertext = secret == "" || !strings.Contains(encValue.ReplaceAllString(lt, ""), secret)
		}
		out = append(out, d)
	}
	return out
}

// column is the 1-based column of the secret (else of the match) in its
// line. When neither is there as written (gitleaks decoded it) it falls
// back on gitleaks' column of the encoded text, which counts the
// preceding line break on every line but the first.
func column(line, match, secret string, f report.Finding) int {
	if secret != "" {
		if i := strings.Index(line, secret); i >= 0 {
			return utf8.RuneCountInString(line[:i]) + 1
		}
	}
	first, _, _ := strings.Cut(strings.TrimLeft(match, "\n"), "\n")
	if first != "" {
		if i := strings.Index(line, first); i >= 0 {
			return utf8.RuneCountInString(line[:i]) + 1
		}
	}
	if f.StartLine > 1 {
		return max(f.StartColumn-1, 0)
	}
	return max(f.StartColumn, 0)
}

// keyBefore matches the key of an env, properties or YAML-like line.
var keyBefore = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]`)

// lineKey returns the key of a line when it ends before the secret's
// column, so that the key never holds any of the secret.
func lineKey(line string, col int) string {
	m := keyBefore.FindStringSubmatchIndex(line)
	if m == nil || col == 0 || utf8.RuneCountInString(line[:m[1]]) >= col {
		return ""
	}
	return line[m[2]:m[3]]
}

// prefix is what a message may show of a secret: its first characters,
// at most four and at most a quarter of it, so that a short password is
// not half given away; nothing unless they are letters, digits or _ (a
// prefix such as "ghp_" or "AKIA" says what the credential is, "----"
// of a PEM block says nothing).
func prefix(secret string) string {
	n := min(4, utf8.RuneCountInString(secret)/4)
	if n == 0 {
		return ""
	}
	p := secret[:n]
	for _, c := range []byte(p) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return ""
		}
	}
	return p + "…"
}

// lineIndex finds the text of a line without splitting the whole file.
type lineIndex struct {
	src    string
	starts []int
}

func newLineIndex(text string) *lineIndex {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{src: text, starts: starts}
}

func (l *lineIndex) count() int { return len(l.starts) }

// text returns line n (1-based) without its line break, "" out of range.
func (l *lineIndex) text(n int) string {
	if n < 1 || n > len(l.starts) {
		return ""
	}
	end := len(l.src)
	if n < len(l.starts) {
		end = l.starts[n] - 1
	}
	return strings.TrimSuffix(l.src[l.starts[n-1]:end], "\r")
}

// span is an inclusive range of lines.
type span struct{ from, to int }

func inSpans(spans []span, line int) bool {
	for _, s := range spans {
		if s.from <= line && line <= s.to {
			return true
		}
	}
	return false
}

// layout is what a file's structure says about its lines.
type layout struct {
	docs []docSpan
	// cipher lines hold ciphertext: SOPS metadata, SealedSecret
	// encryptedData. Nothing found on them is reported.
	cipher []span
	// encoded lines hold base64 Secret data, which is scanned decoded
	// instead (and reported at its key).
	encoded []span
	// values are the decoded Secret data values to scan.
	values []secretValue
	// keys are the mapping keys of the documents in file order, to name
	// the key a detection is under.
	keys []keyPos
	// sops is set when the file carries SOPS metadata; plain then lists
	// the values it should have encrypted.
	sops  bool
	plain []plainValue
	// parsed is set when the file was decoded as YAML or JSON.
	parsed  bool
	manDocs []*manifest.Document
}

type docSpan struct {
	from, to int
	id       manifest.ResID
	// reference is set for kinds whose values name secrets kept
	// elsewhere (ExternalSecret, SecretStore, SecretProviderClass):
	// gitleaks' generic rule mistakes those names for keys.
	reference bool
}

type keyPos struct {
	line, col int
	key       string
	pointer   string
}

type secretValue struct {
	key, pointer string
	pos          manifest.Origin
	id           manifest.ResID
	decoded      string
	lines        span
}

// referenceKinds are the kinds whose values point at secrets stored
// outside the repository, by API group.
var referenceKinds = map[string][]string{
	"external-secrets.io":        {"ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore", "PushSecret", "ClusterPushSecret"},
	"secrets-store.csi.x-k8s.io": {"SecretProviderClass"},
}

func isReferenceKind(id manifest.ResID) bool {
	group := id.Group()
	if i := strings.LastIndex(group, "/"); i >= 0 {
		group = group[:i]
	}
	return slices.Contains(referenceKinds[group], id.Kind)
}

// isSecret reports whether a document is a core v1 Secret (patches may
// leave out the apiVersion).
func isSecret(id manifest.ResID) bool {
	return id.Kind == "Secret" && (id.APIVersion == "v1" || id.APIVersion == "")
}

// isSealedSecret reports whether a document is a Bitnami SealedSecret.
func isSealedSecret(id manifest.ResID) bool {
	return id.Kind == "SealedSecret" && id.Group() == "bitnami.com"
}

// structured reports whether a YAML or JSON file is worth decoding: it
// may hold a Secret, a SealedSecret, a reference kind (all have "Secret" in
// their kind) or SOPS metadata, it has detections to attribute to keys, or
// a creation rule covers it.
func structured(text string, detections int, creationRule bool) bool {
	return detections > 0 || creationRule || strings.Contains(text, "Secret") || strings.Contains(text, "sops")
}

// yamlLayout decodes a YAML or JSON file and maps its lines.
func yamlLayout(file, text string, lines *lineIndex) layout {
	var l layout
	docs, _ := manifest.DecodeFile(file, []byte(text)) // what decodes before an error still counts
	l.parsed = len(docs) > 0
	l.manDocs = docs
	for i, d := range docs {
		to := lines.count()
		if i+1 < len(docs) {
			to = docs[i+1].Line - 1
		}
		if d.Node == nil {
			continue
		}
		id := d.ID()
		l.docs = append(l.docs, docSpan{from: d.Line, to: to, id: id, reference: isReferenceKind(id)})
		collectKeys(d.Node, "", &l.keys)
		if sel, ok := sopsMetadata(d.Object["sops"]); ok {
			l.sops = true
			if k, v := lookupEntry(d.Node, "sops"); k != nil {
				l.cipher = append(l.cipher, span{k.Line, endLine(v)})
			}
			l.plain = append(l.plain, yamlPlainValues(file, d, sel)...)
		}
		switch {
		case isSealedSecret(id):
			if k, v := lookupEntry(lookupNode(d.Node, "spec"), "encryptedData"); k != nil {
				l.cipher = append(l.cipher, span{k.Line, endLine(v)})
			}
		case isSecret(id):
			data := lookupNode(d.Node, "data")
			if data == nil || data.Kind != yaml.MappingNode {
				break
			}
			for j := 0; j+1 < len(data.Content); j += 2 {
				k, v := data.Content[j], data.Content[j+1]
				if v.Kind != yaml.ScalarNode || v.Value == "" || isENC(v.Value) {
					continue
				}
				decoded, ok := decodeBase64(v.Value)
				if !ok {
					continue // not base64: gitleaks' scan of the text stands
				}
				vs := span{v.Line, endLine(v)}
				l.encoded = append(l.encoded, vs)
				if !isText(decoded) {
					continue
				}
				l.values = append(l.values, secretValue{
					key:     k.Value,
					pointer: "/data/" + escapePointer(k.Value),
					pos:     manifest.Origin{File: file, Line: k.Line, Col: k.Column},
					id:      id,
					decoded: decoded,
					lines:   span{k.Line, vs.to},
				})
			}
		}
	}
	return l
}

// collectKeys lists the mapping keys under n in document order with the
// JSON pointer of their values.
func collectKeys(n *yaml.Node, pointer string, out *[]keyPos) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			p := pointer + "/" + escapePointer(k.Value)
			*out = append(*out, keyPos{line: k.Line, col: k.Column, key: k.Value, pointer: p})
			collectKeys(n.Content[i+1], p, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			collectKeys(c, fmt.Sprintf("%s/%d", pointer, i), out)
		}
	}
}

// keyAt returns the last key written at or above line within [from, to]:
// the key whose value holds what is on that line.
func keyAt(keys []keyPos, from, line int) (keyPos, bool) {
	i := sort.Search(len(keys), func(i int) bool { return keys[i].line > line })
	if i == 0 || keys[i-1].line < from {
		return keyPos{}, false
	}
	return keys[i-1], true
}

func lookupEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

// endLine is the last line a node's text occupies.
func endLine(n *yaml.Node) int {
	end := n.Line
	switch n.Kind {
	case yaml.ScalarNode:
		v := strings.TrimRight(n.Value, "\n")
		switch n.Style {
		case yaml.LiteralStyle, yaml.FoldedStyle:
			// The text starts on the line after the indicator.
			end += 1 + strings.Count(v, "\n")
		case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle, 0:
			end += strings.Count(v, "\n")
		}
	default:
		for _, c := range n.Content {
			end = max(end, endLine(c))
		}
	}
	return end
}

// decodeBase64 decodes a Secret data value as the API server does
// (standard encoding), tolerating the line breaks of folded values.
func decodeBase64(v string) (string, bool) {
	v = strings.Join(strings.Fields(v), "")
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil || len(b) == 0 {
		return "", false
	}
	return string(b), true
}

// isText reports whether decoded bytes are text worth scanning.
func isText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// scanText runs every file-level check over one file's text ("" for a
// binary or oversized file, where only file-name rules apply).
func (s *Scanner) scanText(ctx context.Context, file, text string) (out []rules.Finding, learned bool) {
	if file == s.configFile {
		return nil, false // gitleaks never scans its own configuration
	}
	dets := s.detect(ctx, file, text)
	learned = slices.ContainsFunc(dets, func(d detection) bool { return !d.fileName })
	if text == "" {
		return s.credentialFindings(file, dets, nil), learned
	}
	lines := newLineIndex(text)
	rule, hasRule := s.sops.match(file)
	hasRule = hasRule && !exemptFromCreationRules(file)
	var l layout
	switch f := formatOf(file); {
	case f == yamlFormat || f == jsonFormat || (f == binaryFormat && strings.HasPrefix(strings.TrimSpace(text), "{") && strings.Contains(text, `"sops"`)):
		if structured(text, len(dets), hasRule) {
			l = yamlLayout(file, text, lines)
		}
	case f == iniFormat:
		entries := parseINI(text)
		if sel, ok := iniSOPS(entries); ok {
			l.sops = true
			for _, e := range entries {
				if e.section == "sops" {
					l.cipher = append(l.cipher, span{e.line, e.line})
				}
			}
			l.plain = iniPlainValues(file, entries, sel)
		}
	case strings.Contains(text, "sops_"):
		if sel, ok := dotenvSOPS(text); ok {
			l.sops = true
			for n := 1; n <= lines.count(); n++ {
				if strings.HasPrefix(strings.TrimSpace(lines.text(n)), "sops_") {
					l.cipher = append(l.cipher, span{n, n})
				}
			}
			l.plain = dotenvPlainValues(file, text, sel)
		}
	}
	out = s.credentialFindings(file, dets, &l)
	for _, v := range l.values {
		fs, detected := s.decodedFindings(ctx, file, v, lines)
		out = append(out, fs...)
		learned = learned || detected
	}
	for _, p := range l.plain {
		out = append(out, partialFinding(p))
	}
	if hasRule && !l.sops {
		if f, ok := creationRuleFinding(file, text, rule, &l, s.sops.file); ok {
			out = append(out, f)
		}
	}
	return out, learned
}

// credentialFindings turns the detections of a file's text into findings,
// dropping those on ciphertext, on Secret data that is scanned decoded,
// generic ones on references, and those in .gitleaksignore.
func (s *Scanner) credentialFindings(file string, dets []detection, l *layout) []rules.Finding {
	var out []rules.Finding
	seen := map[string]int{}
	for _, d := range dets {
		if s.ignored(file, d.rule, d.glLine) {
			continue
		}
		var key keyPos
		var id manifest.ResID
		if l != nil && !d.fileName {
			if d.ciphertext || inSpans(l.cipher, d.line) || inSpans(l.encoded, d.line) {
				continue
			}
			if doc, ok := docAt(l.docs, d.line); ok {
				if doc.reference && strings.Contains(d.rule, "generic") {
					continue
				}
				if isSecret(doc.id) && supersededRules[d.rule] {
					continue
				}
				if doc.id.Name != "" {
					id = doc.id
				}
				key, _ = keyAt(l.keys, doc.from, d.line)
				if key.line == d.line && (d.col == 0 || d.col < key.col+utf8.RuneCountInString(key.key)) {
					// The secret starts in the key itself: name none.
					key = keyPos{}
				}
			}
		}
		name := key.key
		if l == nil || len(l.docs) == 0 {
			name = d.lineKey
		}
		f := credentialFinding(file, d, name, key.pointer, id)
		// Two detections of one rule under one key differ by their order.
		disc := d.rule + "\x00" + key.pointer + "\x00" + name
		f.Fingerprint = rules.Fingerprint(LeakedCredential, file, id, key.pointer, fmt.Sprintf("%s\x00%d", disc, seen[disc]))
		seen[disc]++
		out = append(out, f)
	}
	return out
}

// supersededRules are gitleaks rules that plaintext-secret does better
// inside a Secret: gitleaks' kubernetes-secret-yaml flags any Secret with
// data, without telling SOPS ciphertext or references from plaintext.
var supersededRules = map[string]bool{"kubernetes-secret-yaml": true}

func docAt(docs []docSpan, line int) (docSpan, bool) {
	for _, d := range docs {
		if d.from <= line && line <= d.to {
			return d, true
		}
	}
	return docSpan{}, false
}

// decodedFindings scans one decoded Secret data value and reports what
// gitleaks finds at the value's key, where a person edits it.
func (s *Scanner) decodedFindings(ctx context.Context, file string, v secretValue, lines *lineIndex) (out []rules.Finding, detected bool) {
	for n := v.lines.from; n <= v.lines.to; n++ {
		if strings.Contains(lines.text(n), "gitleaks:allow") {
			return nil, false
		}
	}
	dets := s.detectValue(ctx, file, v.decoded)
	for _, d := range dets {
		if s.ignored(file, d.rule, v.pos.Line) {
			continue
		}
		out = append(out, valueFinding(v.pos, v.key, v.pointer, v.id, d))
	}
	return out, len(dets) > 0
}

// detectValue scans a decoded value; file-name rules are left to the scan
// of the file itself.
func (s *Scanner) detectValue(ctx context.Context, file, value string) []detection {
	var out []detection
	for _, d := range s.detect(ctx, file, value) {
		if !d.fileName {
			out = append(out, d)
		}
	}
	return out
}

// valueFinding is a detection in a decoded value, located at its key. The
// file scan and the scan of rendered resources build it the same way, so
// that both agree on every field.
func valueFinding(pos manifest.Origin, key, pointer string, id manifest.ResID, d detection) rules.Finding {
	d.line, d.glLine, d.col = pos.Line, pos.Line, pos.Col
	f := credentialFinding(pos.File, d, key, pointer, id)
	f.Fingerprint = rules.Fingerprint(LeakedCredential, pos.File, id, pointer, d.rule)
	return f
}

// credentialFinding words a detection. The message carries the gitleaks
// rule, the key, the redacted prefix and the gitleaks fingerprint.
func credentialFinding(file string, d detection, key, pointer string, id manifest.ResID) rules.Finding {
	var b strings.Builder
	fmt.Fprintf(&b, "gitleaks rule %s", d.rule)
	switch {
	case d.fileName:
		b.WriteString(" matches the file name")
	case d.prefix != "":
		fmt.Fprintf(&b, " matches %q", d.prefix)
	default:
		b.WriteString(" matches a value")
	}
	if key != "" {
		fmt.Fprintf(&b, " under key %q", key)
	}
	fmt.Fprintf(&b, " (fingerprint %s)", gitleaksFingerprint(file, d.rule, d.glLine))
	return rules.Finding{
		RuleID:   LeakedCredential,
		Message:  b.String(),
		Resource: id,
		Path:     pointer,
		Location: manifest.Origin{File: file, Line: d.line, Col: d.col},
	}
}

// partialFinding reports a value that a SOPS file's own metadata says
// must be encrypted but is plain.
func partialFinding(p plainValue) rules.Finding {
	return rules.Finding{
		RuleID:      SOPSUnencrypted,
		Message:     fmt.Sprintf("%s is plaintext in a SOPS-encrypted file, whose metadata (%s) says it must be encrypted", keyName(p.keys), p.option),
		Resource:    p.id,
		Path:        p.pointer,
		Location:    p.pos,
		Fingerprint: rules.Fingerprint(SOPSUnencrypted, p.pos.File, p.id, p.pointer, strings.Join(p.keys, "\x00")),
	}
}

func keyName(keys []string) string {
	if len(keys) == 0 {
		return "the value"
	}
	return fmt.Sprintf("value of %q", strings.Join(keys, "."))
}

// exemptFromCreationRules are files a broad path_regex may match that SOPS
// must not encrypt: kustomize and the tools read them as they are.
func exemptFromCreationRules(file string) bool {
	base := path.Base(file)
	switch base {
	case "kustomization.yaml", "kustomization.yml", "Kustomization", ".sops.yaml", ".sops.yml", ".gitleaks.toml", ".gitleaksignore", ".gitignore":
		return true
	}
	return strings.EqualFold(path.Ext(base), ".md")
}

// creationRuleFinding reports a file under a .sops.yaml creation rule that
// is not encrypted and holds something the rule would encrypt. In a file of
// Kubernetes objects only Secrets count: SOPS in a GitOps repository
// protects Secrets, and a broad path_regex such as .*\.yaml also matches
// every Deployment.
func creationRuleFinding(file, text string, rule creationRule, l *layout, sopsFile string) (rules.Finding, bool) {
	var first *plainValue
	switch formatOf(file) {
	case yamlFormat, jsonFormat:
		if !l.parsed {
			break
		}
		for _, d := range l.manDocs {
			if d.Node == nil || (manifest.IsKubernetesObject(d.Object) && !isSecret(d.ID())) {
				continue
			}
			if vs := yamlPlainValues(file, d, rule.sel); len(vs) > 0 {
				first = &vs[0]
				break
			}
		}
		if first == nil {
			return rules.Finding{}, false
		}
	case dotenvFormat:
		if vs := dotenvPlainValues(file, text, rule.sel); len(vs) > 0 {
			first = &vs[0]
		} else {
			return rules.Finding{}, false
		}
	case iniFormat:
		if vs := iniPlainValues(file, parseINI(text), rule.sel); len(vs) > 0 {
			first = &vs[0]
		} else {
			return rules.Finding{}, false
		}
	}
	if first == nil {
		if strings.TrimSpace(text) == "" {
			return rules.Finding{}, false
		}
		first = &plainValue{pos: manifest.Origin{File: file, Line: 1}}
	}
	msg := fmt.Sprintf("not SOPS-encrypted, but creation rule %d of %s (path_regex %s) covers it", rule.index, sopsFile, rule.pathRegex)
	if len(first.keys) > 0 {
		msg += fmt.Sprintf("; %s would be encrypted", keyName(first.keys))
	}
	return rules.Finding{
		RuleID:      SOPSUnencrypted,
		Message:     msg,
		Resource:    first.id,
		Path:        first.pointer,
		Location:    first.pos,
		Related:     []manifest.Origin{rule.pos},
		Fingerprint: rules.Fingerprint(SOPSUnencrypted, file, first.id, first.pointer, "creation-rule"),
	}, true
}

// gitleaksFingerprint is how gitleaks names a finding in .gitleaksignore.
func gitleaksFingerprint(file, rule string, line int) string {
	return fmt.Sprintf("%s:%s:%d", file, rule, line)
}

// ignored reports whether .gitleaksignore lists the finding.
func (s *Scanner) ignored(file, rule string, line int) bool {
	return s.ignore[gitleaksFingerprint(file, rule, line)]
}
