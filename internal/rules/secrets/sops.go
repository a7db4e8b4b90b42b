package secrets

import (
	"errors"
	"fmt"
	"os"
	"path"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// encValue matches a value SOPS encrypted: ENC[AES256_GCM,data:...,type:str].
var encValue = regexp.MustCompile(`ENC\[[A-Z0-9_]+,data:[^\]]*\]`)

// isENC reports whether a whole value is SOPS ciphertext.
func isENC(v string) bool {
	return strings.HasPrefix(v, "ENC[") && strings.HasSuffix(v, "]") && encValue.MatchString(v)
}

// selector decides which values of a file SOPS encrypts, from the options
// of a creation rule or of a file's sops metadata. SOPS allows one of the
// four key options (and one of the two comment options) at a time.
type selector struct {
	unencryptedSuffix, encryptedSuffix string
	unencryptedRegex, encryptedRegex   *regexp.Regexp
	// Comment regexes look at the comments above a value.
	unencryptedCommentRegex, encryptedCommentRegex *regexp.Regexp
	// option is what a message cites: "encrypted_regex ^(data|stringData)$".
	option string
}

// selectorOptions are the option names, as in .sops.yaml and in the sops
// metadata of YAML and JSON files (dotenv and INI prefix them).
var selectorOptions = []string{"encrypted_regex", "unencrypted_regex", "encrypted_suffix", "unencrypted_suffix", "encrypted_comment_regex", "unencrypted_comment_regex"}

// newSelector builds a selector from option values by name. Without any
// key option SOPS leaves only keys ending in _unencrypted in plain text.
func newSelector(get func(string) string) (selector, error) {
	var s selector
	var opts []string
	for _, name := range selectorOptions {
		v := get(name)
		if v == "" {
			continue
		}
		var re *regexp.Regexp
		if strings.HasSuffix(name, "_regex") {
			var err error
			if re, err = rules.CompileRegexp(v); err != nil {
				return s, fmt.Errorf("%s: %w", name, err)
			}
		}
		switch name {
		case "encrypted_regex":
			s.encryptedRegex = re
		case "unencrypted_regex":
			s.unencryptedRegex = re
		case "encrypted_suffix":
			s.encryptedSuffix = v
		case "unencrypted_suffix":
			s.unencryptedSuffix = v
		case "encrypted_comment_regex":
			s.encryptedCommentRegex = re
		case "unencrypted_comment_regex":
			s.unencryptedCommentRegex = re
		}
		opts = append(opts, name+" "+v)
	}
	if s.encryptedRegex == nil && s.unencryptedRegex == nil && s.encryptedSuffix == "" && s.unencryptedSuffix == "" {
		s.unencryptedSuffix = "_unencrypted"
		if len(opts) == 0 {
			opts = append(opts, "every value but keys ending in _unencrypted")
		}
	}
	s.option = strings.Join(opts, ", ")
	return s, nil
}

// mustEncrypt mirrors SOPS's shouldBeEncrypted: path holds the mapping keys
// from the root to the value, comments the comments written above it.
func (s selector) mustEncrypt(keys, comments []string) bool {
	enc := s.unencryptedSuffix == "" || !anyKey(keys, func(k string) bool { return strings.HasSuffix(k, s.unencryptedSuffix) })
	if s.encryptedSuffix != "" {
		enc = anyKey(keys, func(k string) bool { return strings.HasSuffix(k, s.encryptedSuffix) })
	}
	if s.unencryptedRegex != nil && anyKey(keys, s.unencryptedRegex.MatchString) {
		enc = false
	}
	if s.encryptedRegex != nil {
		enc = anyKey(keys, s.encryptedRegex.MatchString)
	}
	if s.unencryptedCommentRegex != nil && anyKey(comments, s.unencryptedCommentRegex.MatchString) {
		enc = false
	}
	if s.encryptedCommentRegex != nil {
		enc = anyKey(comments, s.encryptedCommentRegex.MatchString)
	}
	return enc
}

func anyKey(keys []string, match func(string) bool) bool {
	for _, k := range keys {
		if match(k) {
			return true
		}
	}
	return false
}

// sopsMetadata reads the selector from a decoded sops: block; ok is false
// when v is not SOPS metadata (a mapping with a mac or a version).
func sopsMetadata(v any) (selector, bool) {
	m, isMap := v.(map[string]any)
	if !isMap || (m["mac"] == nil && m["version"] == nil) {
		return selector{}, false
	}
	s, err := newSelector(func(name string) string { str, _ := m[name].(string); return str })
	if err != nil {
		// A file SOPS wrote has valid regexes; if not, everything counts.
		s, _ = newSelector(func(string) string { return "" })
	}
	return s, true
}

// sopsConfig is the part of .sops.yaml that says which files must be
// encrypted.
type sopsConfig struct {
	file  string
	rules []creationRule
}

type creationRule struct {
	index     int // 1-based, as people count them
	pos       manifest.Origin
	pathRegex *regexp.Regexp
	sel       selector
}

// sopsConfigFiles are the names SOPS looks for, in its order.
var sopsConfigFiles = []string{".sops.yaml", ".sops.yml"}

// loadSOPSConfig reads the root .sops.yaml; a malformed one is an error
// with its line.
func loadSOPSConfig(fsys *rootfs.FS) (*sopsConfig, error) {
	for _, name := range sopsConfigFiles {
		data, err := readSettings(fsys, name)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		return parseSOPSConfig(name, data)
	}
	return nil, nil
}

func parseSOPSConfig(name string, data []byte) (*sopsConfig, error) {
	docs, err := manifest.DecodeFile(name, data)
	if err != nil {
		return nil, err
	}
	c := &sopsConfig{file: name}
	for _, d := range docs {
		if d.Node == nil {
			continue
		}
		list := lookupNode(d.Node, "creation_rules")
		if list == nil {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return nil, fmt.Errorf("%s:%d: creation_rules must be a list", name, list.Line)
		}
		for i, n := range list.Content {
			if n.Kind != yaml.MappingNode {
				return nil, fmt.Errorf("%s:%d: a creation rule must be a mapping", name, n.Line)
			}
			r := creationRule{index: i + 1, pos: manifest.Origin{File: name, Line: n.Line, Col: n.Column}}
			if p := lookupNode(n, "path_regex"); p != nil && p.Value != "" {
				r.pos = manifest.Origin{File: name, Line: p.Line, Col: p.Column}
				if r.pathRegex, err = rules.CompileRegexp(p.Value); err != nil {
					return nil, fmt.Errorf("%s:%d: path_regex: %w", name, p.Line, err)
				}
			}
			r.sel, err = newSelector(func(opt string) string {
				if v := lookupNode(n, opt); v != nil {
					return v.Value
				}
				return ""
			})
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", name, n.Line, err)
			}
			c.rules = append(c.rules, r)
		}
	}
	return c, nil
}

// match returns the creation rule SOPS would apply to a repository-relative
// file: the first whose path_regex matches. A rule without path_regex
// matches every file, so it ends the search, but it says nothing about
// which files are meant to be encrypted and yields no rule.
func (c *sopsConfig) match(file string) (creationRule, bool) {
	if c == nil || file == c.file {
		return creationRule{}, false
	}
	for _, r := range c.rules {
		if r.pathRegex == nil {
			return creationRule{}, false
		}
		if r.pathRegex.MatchString(file) {
			return r, true
		}
	}
	return creationRule{}, false
}

// lookupNode returns the value of key in a mapping node, nil when absent.
func lookupNode(m *yaml.Node, key string) *yaml.Node {
	_, v := lookupEntry(m, key)
	return v
}

// format is how SOPS stores a file, which it picks by extension.
type format int

const (
	binaryFormat format = iota // anything else: SOPS wraps the whole file
	yamlFormat
	jsonFormat
	dotenvFormat
	iniFormat
)

func formatOf(file string) format {
	switch strings.ToLower(path.Ext(file)) {
	case ".yaml", ".yml":
		return yamlFormat
	case ".json":
		return jsonFormat
	case ".env":
		return dotenvFormat
	case ".ini":
		return iniFormat
	}
	return binaryFormat
}

// plainValue is a value that SOPS would encrypt (or should have), with
// where it is written.
type plainValue struct {
	keys    []string // mapping keys from the root, for the message
	pointer string   // JSON pointer, for YAML and JSON
	pos     manifest.Origin
	id      manifest.ResID
	// option is the selector option that requires encryption, for messages.
	option string
}

// walkYAML calls fn for every scalar value of a document except the sops
// block, with the mapping keys above it and the comments written over
// those keys, the way SOPS walks a tree.
func walkYAML(n *yaml.Node, keys, comments []string, pointer string, fn func(v *yaml.Node, keys, comments []string, pointer string, keyNode *yaml.Node), keyNode *yaml.Node) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if len(keys) == 0 && k.Value == "sops" {
				continue
			}
			cs := comments
			if k.HeadComment != "" {
				cs = append(cs[:len(cs):len(cs)], strings.TrimSpace(strings.TrimLeft(k.HeadComment, "# ")))
			}
			walkYAML(v, append(keys[:len(keys):len(keys)], k.Value), cs, pointer+"/"+escapePointer(k.Value), fn, k)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			walkYAML(c, keys, comments, fmt.Sprintf("%s/%d", pointer, i), fn, c)
		}
	case yaml.ScalarNode:
		fn(n, keys, comments, pointer, keyNode)
	case yaml.AliasNode:
		// An alias repeats a value written (and checked) elsewhere.
	}
}

func escapePointer(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// yamlPlainValues lists the values of a document that sel says must be
// encrypted and that are not: non-empty scalars that are not ENC[...].
func yamlPlainValues(file string, d *manifest.Document, sel selector) []plainValue {
	var out []plainValue
	walkYAML(d.Node, nil, nil, "", func(v *yaml.Node, keys, comments []string, pointer string, k *yaml.Node) {
		if v.Tag == "!!null" || v.Value == "" || isENC(v.Value) || !sel.mustEncrypt(keys, comments) {
			return
		}
		out = append(out, plainValue{keys: keys, pointer: pointer, pos: manifest.Origin{File: file, Line: k.Line, Col: k.Column}, id: d.ID(), option: sel.option})
	}, d.Node)
	return out
}

// dotenvSOPS reports whether a dotenv file carries SOPS metadata, and its selector.
func dotenvSOPS(text string) (selector, bool) {
	meta := map[string]string{}
	found := false
	for line := range strings.Lines(text) {
		k, v, ok := strings.Cut(strings.TrimSpace(line), "=")
		if !ok || !strings.HasPrefix(k, "sops_") {
			continue
		}
		opt := strings.TrimPrefix(k, "sops_")
		if opt == "mac" || opt == "version" {
			found = true
		}
		meta[opt] = v
	}
	if !found {
		return selector{}, false
	}
	sel, err := newSelector(func(name string) string { return meta[name] })
	if err != nil {
		sel, _ = newSelector(func(string) string { return "" })
	}
	return sel, true
}

// dotenvPlainValues lists the entries of a dotenv file that sel says must
// be encrypted and that are not. SOPS metadata lines are skipped.
func dotenvPlainValues(file string, text string, sel selector) []plainValue {
	var out []plainValue
	n := 0
	for line := range strings.Lines(text) {
		n++
		t := strings.TrimSpace(line)
		if t == "" || t[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(t, "=")
		if !ok || strings.HasPrefix(k, "sops_") || v == "" || isENC(v) || !sel.mustEncrypt([]string{k}, nil) {
			continue
		}
		out = append(out, plainValue{keys: []string{k}, pos: manifest.Origin{File: file, Line: n, Col: 1}, option: sel.option})
	}
	return out
}

// iniEntry is one key = value line of an INI file.
type iniEntry struct {
	section, key, value string
	line                int
}

// parseINI reads the INI subset SOPS writes: [section] headers and
// key = value lines, with ; and # comments.
func parseINI(text string) []iniEntry {
	var out []iniEntry
	section := ""
	n := 0
	for line := range strings.Lines(text) {
		n++
		t := strings.TrimSpace(line)
		switch {
		case t == "" || t[0] == ';' || t[0] == '#':
		case t[0] == '[' && strings.HasSuffix(t, "]"):
			section = strings.TrimSpace(t[1 : len(t)-1])
		default:
			k, v, ok := strings.Cut(t, "=")
			if ok {
				out = append(out, iniEntry{section: section, key: strings.TrimSpace(k), value: strings.TrimSpace(v), line: n})
			}
		}
	}
	return out
}

// iniSOPS reports whether INI entries carry a [sops] section, and its selector.
func iniSOPS(entries []iniEntry) (selector, bool) {
	meta := map[string]string{}
	for _, e := range entries {
		if e.section == "sops" {
			meta[e.key] = e.value
		}
	}
	if meta["mac"] == "" && meta["version"] == "" {
		return selector{}, false
	}
	sel, err := newSelector(func(name string) string { return meta[name] })
	if err != nil {
		sel, _ = newSelector(func(string) string { return "" })
	}
	return sel, true
}

func iniPlainValues(file string, entries []iniEntry, sel selector) []plainValue {
	var out []plainValue
	for _, e := range entries {
		if e.section == "sops" || e.value == "" || isENC(e.value) || !sel.mustEncrypt([]string{e.section, e.key}, nil) {
			continue
		}
		out = append(out, plainValue{keys: []string{e.section, e.key}, pos: manifest.Origin{File: file, Line: e.line, Col: 1}, option: sel.option})
	}
	return out
}
