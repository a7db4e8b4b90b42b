// Package redact keeps secret values out of everything gitops-lint prints:
// finding messages and paths in every format, errors, the result cache,
// the diff's pull-request comment and the output of render. One Set knows
// every secret value of a run; each place that prints text taken from the
// repository passes it through that Set.
//
// # What is a secret value
//
// The values of Secret objects (data, base64-decoded, and stringData), the
// literals and env-file values of secretGenerators, and every credential
// the secret scan (gitleaks) finds. A value of several lines (a key, a
// certificate) also counts line by line.
//
// # Where a value is hidden
//
// Hiding every occurrence of every such value would blank words that are
// not secrets: a secretGenerator's DB_USER=shop would turn every "shop" of
// every message into the marker. So the Set tells two kinds of value
// apart (see Strong):
//
//   - A strong value (at least MinLength bytes, not a plain word or number,
//     not made of too few distinct characters) is hidden wherever it
//     appears in any text: as written, in standard and URL base64 (padded
//     or not), in any letter case (a policy may upper() it), and as any
//     piece of at least MinLength bytes (a policy may take a substring).
//     A piece counts when it overlaps a part of the value that looks
//     random (between separators, strong itself, and mixing letters with
//     digits): never a piece made only of a scheme or host name such as
//     "postgres" in a URL, nor of the identifiers of a configuration file
//     kept in a Secret. Every piece of the base64 forms counts.
//   - A weak value (shorter, or a word) is hidden only where the value
//     itself is printed as a value (Value): a field of a Secret in render,
//     a changed value in diff. It is never cut out of other text.
//
// Text that names things is never hidden, even when a secret value is
// equal to it: resource names, kinds, namespaces, label keys and values,
// file and target paths, and rule IDs are registered with AddPublic, and a
// match that lies inside such a name where it is written in the text is
// left alone. Such a value is printed anyway, as the name it is, in every
// output; hiding it in some messages would only make one finding read two
// ways.
//
// A Set is safe for concurrent use; the zero value and a nil *Set are
// ready and hide nothing until values are added.
package redact

import (
	"encoding/base64"
	"slices"
	"strings"
	"sync"
)

// Marker replaces a secret value.
const Marker = "[redacted]"

// MinLength is the shortest strong value, and the shortest piece of a
// strong value that is hidden on its own.
const MinLength = 8

// wordLength is how long a value made only of letters (or only of
// digits) must be to count as strong: shorter ones are words and numbers
// that messages are full of ("production", "postgres", "3600000").
const wordLength = 20

// maxPieces bounds the bytes of one value cut into pieces: a large
// certificate is hidden line by line (its lines are values too), and
// every piece of a megabyte value would cost memory for nothing.
const maxPieces = 16 << 10

// publicSpan bounds how far around a match the Set looks for a name that
// covers it.
const publicSpan = 128

// Set is the secret values of a run and the names that are never hidden.
type Set struct {
	mu sync.RWMutex
	// values are every value added, trimmed, strong or weak.
	values map[string]bool
	// starts maps the first MinLength bytes (lowered) of every form of
	// every strong value to the forms that start so.
	starts map[string][]string
	// pieces are the lowered MinLength-byte pieces of strong values.
	pieces map[string]bool
	// public are names that are never hidden where they are written.
	public map[string]bool
}

// Add records secret values. Empty values are ignored; a value of several
// lines also adds its lines.
func (s *Set) Add(values ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		s.add(v)
		if strings.Contains(v, "\n") {
			for l := range strings.Lines(v) {
				if !strings.HasPrefix(strings.TrimSpace(l), "-----") {
					s.add(l) // not a PEM armour line: those name the format, not the key
				}
			}
		}
	}
}

func (s *Set) add(v string) {
	v = strings.TrimSpace(v)
	if v == "" || s.values[v] {
		return
	}
	if s.values == nil {
		s.values, s.starts, s.pieces = map[string]bool{}, map[string][]string{}, map[string]bool{}
	}
	s.values[v] = true
	if !Strong(v) {
		return
	}
	forms := []string{v,
		base64.StdEncoding.EncodeToString([]byte(v)),
		base64.RawStdEncoding.EncodeToString([]byte(v)),
		base64.URLEncoding.EncodeToString([]byte(v)),
		base64.RawURLEncoding.EncodeToString([]byte(v)),
	}
	for i, f := range forms {
		f = lower(f)
		if !slices.Contains(s.starts[f[:MinLength]], f) {
			s.starts[f[:MinLength]] = append(s.starts[f[:MinLength]], f)
		}
		if len(f) > maxPieces {
			continue
		}
		if i > 0 {
			s.addPieces(strings.TrimRight(f, "="))
			continue
		}
		if strings.Contains(f, "\n") {
			continue // its lines are values of their own
		}
		s.addRandomPieces(f)
	}
}

func (s *Set) addPieces(f string) {
	for i := 0; i+MinLength <= len(f); i++ {
		s.pieces[f[i:i+MinLength]] = true
	}
}

// addRandomPieces adds the pieces of v that overlap a part of it that
// looks random: a part between separators that is itself strong. In
// "postgres://shop:Zq9xK2mQ@db" that is "Zq9xK2mQ", so ":Zq9xK2m" is a
// piece and "postgres" is not.
func (s *Set) addRandomPieces(v string) {
	random := make([]bool, len(v))
	start := 0
	for i := 0; i <= len(v); i++ {
		if i < len(v) && !strings.ContainsRune(separators, rune(v[i])) {
			continue
		}
		if looksRandom(v[start:i]) {
			for j := start; j < i; j++ {
				random[j] = true
			}
		}
		start = i + 1
	}
	last := -1 // the last random byte seen
	for i := 0; i < len(v); i++ {
		if random[i] {
			last = i
		}
		// The piece ending at i overlaps a random part when its start is
		// at or before the last random byte.
		if from := i + 1 - MinLength; from >= 0 && last >= from {
			s.pieces[v[from:i+1]] = true
		}
	}
}

// looksRandom reports whether a part of a value looks generated rather
// than written: strong, and mixing letters with digits, as tokens, keys
// and passwords do. A Secret holding a whole configuration file has lines
// full of long identifiers ("logger.audit_resource.name"); cutting their
// pieces out of every message would blank words such as "resource".
func looksRandom(part string) bool {
	if !Strong(part) {
		return false
	}
	letter, digit := false, false
	for _, c := range part {
		letter = letter || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		digit = digit || '0' <= c && c <= '9'
	}
	return letter && digit
}

// separators split a value into parts (see addRandomPieces): those of
// URLs and key=value text, and those that join the words of identifiers
// ("connectorConfigurations.cluster-local-0-ssl" is words and a number,
// none of them random), which tokens seldom contain (a JWT's dots and a
// prefixed token's underscore separate parts that are random each).
const separators = ":/@?&=;,\"' \t\r\n.-_#<>()[]{}|"

// AddPublic records names that are never hidden where they are written
// (see the package doc): resource names, kinds, namespaces, labels, paths,
// rule IDs.
func (s *Set) AddPublic(names ...string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		if len(n) < MinLength || len(n) > publicSpan {
			continue // shorter ones are never hidden anyway
		}
		if s.public == nil {
			s.public = map[string]bool{}
		}
		s.public[n] = true
	}
}

// Strong reports whether v is hidden wherever it appears (see the package
// doc): at least MinLength bytes, at least four distinct characters, and,
// unless it is long, not only letters or only digits.
func Strong(v string) bool {
	if len(v) < MinLength {
		return false
	}
	distinct := map[rune]bool{}
	letters, digits := true, true
	for _, c := range v {
		distinct[c] = true
		isLetter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		isDigit := '0' <= c && c <= '9'
		letters = letters && isLetter
		digits = digits && isDigit
	}
	if len(distinct) < 4 {
		return false
	}
	return len(v) >= wordLength || !(letters || digits)
}

// Empty reports whether the Set holds no value.
func (s *Set) Empty() bool {
	if s == nil {
		return true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.values) == 0
}

// Has reports whether v (trimmed) is a secret value of the run, strong or
// weak.
func (s *Set) Has(v string) bool {
	if s == nil {
		return false
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.values[strings.TrimSpace(v)]
}

// Value screens a string printed as a value (a field of an object): the
// Marker when it is a secret value, strong or weak, else Text of it.
func (s *Set) Value(v string) string {
	if s.Has(v) {
		return Marker
	}
	return s.Text(v)
}

// Text hides the strong values in free text (a message, an error, a path):
// every occurrence in any form, and every piece of one, except where a
// public name is written (see the package doc).
func (s *Set) Text(msg string) string {
	if s == nil || len(msg) < MinLength {
		return msg
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if len(s.starts) == 0 {
		return msg
	}
	low := lower(msg)
	var spans [][2]int
	for i := 0; i+MinLength <= len(low); i++ {
		w := low[i : i+MinLength]
		end := 0
		if s.pieces[w] {
			end = i + MinLength
		}
		for _, f := range s.starts[w] {
			if strings.HasPrefix(low[i:], f) {
				end = max(end, i+len(f))
			}
		}
		if end == 0 {
			continue
		}
		if n := len(spans); n > 0 && spans[n-1][1] >= i {
			spans[n-1][1] = max(spans[n-1][1], end)
			continue
		}
		spans = append(spans, [2]int{i, end})
	}
	if len(spans) == 0 {
		return msg
	}
	var b strings.Builder
	last := 0
	for _, sp := range spans {
		if s.covered(msg, sp[0], sp[1]) {
			continue
		}
		b.WriteString(msg[last:sp[0]])
		b.WriteString(Marker)
		last = sp[1]
	}
	b.WriteString(msg[last:])
	return b.String()
}

// covered reports whether msg[from:to] lies inside a public name written
// in msg.
func (s *Set) covered(msg string, from, to int) bool {
	if len(s.public) == 0 || to-from > publicSpan {
		return false
	}
	for a := from; a >= 0 && a > from-publicSpan; a-- {
		for b := to; b <= len(msg) && b-a <= publicSpan; b++ {
			if s.public[msg[a:b]] {
				return true
			}
		}
	}
	return false
}

// lower lowers ASCII letters only, so that byte offsets stay those of the
// original text.
func lower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// Names are the public names of a Kubernetes object (see the package doc):
// its apiVersion, kind, name and namespace, its label keys and values, its
// annotation keys, and the names of the containers of its pods (messages
// name a container by them; a database's host name in a Secret is often
// its container's). Annotation values are not names: they may hold
// credentials.
func Names(obj map[string]any) []string {
	var out []string
	for _, k := range []string{"apiVersion", "kind"} {
		if s, ok := obj[k].(string); ok {
			out = append(out, s)
		}
	}
	md, _ := obj["metadata"].(map[string]any)
	for _, k := range []string{"name", "namespace", "generateName"} {
		if s, ok := md[k].(string); ok {
			out = append(out, s)
		}
	}
	labels, _ := md["labels"].(map[string]any)
	for k, v := range labels {
		out = append(out, k)
		if s, ok := v.(string); ok {
			out = append(out, s)
		}
	}
	annotations, _ := md["annotations"].(map[string]any)
	for k := range annotations {
		out = append(out, k)
	}
	return containerNames(obj["spec"], out, 0)
}

// containerNames appends the names of the containers of the pod specs
// under v: a Pod's own, a workload's template, a CronJob's job template.
func containerNames(v any, out []string, depth int) []string {
	m, ok := v.(map[string]any)
	if !ok || depth > 4 {
		return out
	}
	for _, list := range []string{"containers", "initContainers", "ephemeralContainers"} {
		items, _ := m[list].([]any)
		for _, it := range items {
			if c, ok := it.(map[string]any); ok {
				if name, ok := c["name"].(string); ok {
					out = append(out, name)
				}
			}
		}
	}
	for _, k := range []string{"template", "spec", "jobTemplate"} {
		out = containerNames(m[k], out, depth+1)
	}
	return out
}
