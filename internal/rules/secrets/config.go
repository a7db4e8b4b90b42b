package secrets

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/viper"
	"github.com/zricethezav/gitleaks/v8/config"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// gitleaksConfigFile is where gitleaks looks for a repository's configuration.
const gitleaksConfigFile = ".gitleaks.toml"

// maxExtendDepth is how many [extend] steps gitleaks follows: a
// configuration may extend one that extends a third, whose own [extend]
// is ignored.
const maxExtendDepth = 2

// defaultConfig is gitleaks' built-in rule set, translated once: compiling
// its two hundred regular expressions is the costly part of New, and the
// result is only read afterwards.
var defaultConfig = sync.OnceValues(func() (config.Config, error) {
	// Translating logs through gitleaks' global logger, which New
	// silences: silenced first, so that Prepare's translation in the
	// background never races with it.
	silenceGitleaks()
	const name = "gitleaks default configuration"
	vc, err := readViperConfig(name, []byte(config.DefaultConfig))
	if err != nil {
		return config.Config{}, err
	}
	// gitleaks' own rules compile (its tests see to it): checking each
	// first would compile every expression twice.
	return compile(name, vc)
})

// Prepare compiles gitleaks' built-in rules, the costly part of New for a
// repository at root without a configuration file of its own, so that a
// caller with time to spare before New (waiting on git, discovering the
// repository) can do it in the background. A repository that has one is
// left alone: its rules are compiled by New, and the built-in ones may
// never be needed.
func Prepare(root string) {
	if _, err := os.Lstat(filepath.Join(root, gitleaksConfigFile)); errors.Is(err, os.ErrNotExist) {
		_, _ = defaultConfig() // an error is New's to report
	}
}

// loadGitleaksConfig returns the detector configuration for the repository
// at root and the repository-relative path of its configuration file ("" when
// it has none and gitleaks' defaults apply).
//
// gitleaks' own loader cannot be used as is: it reads and extends through
// the global viper instance and counts extension depth in a package
// variable that is never reset, so a second load in one process would
// silently skip [extend]. Here each file is read with its own viper
// instance, extensions are merged before translation (with gitleaks'
// merge rules), and the translation itself sees no [extend] at all.
func loadGitleaksConfig(fsys *rootfs.FS) (config.Config, string, error) {
	data, err := readSettings(fsys, gitleaksConfigFile)
	if errors.Is(err, os.ErrNotExist) {
		cfg, err := defaultConfig()
		return cfg, "", err
	}
	if err != nil {
		return config.Config{}, "", fmt.Errorf("%s: %w", gitleaksConfigFile, err)
	}
	vc, err := readViperConfig(gitleaksConfigFile, data)
	if err != nil {
		return config.Config{}, "", err
	}
	vc, err = resolveExtend(fsys, gitleaksConfigFile, vc, 0)
	if err != nil {
		return config.Config{}, "", err
	}
	cfg, err := translate(gitleaksConfigFile, data, vc)
	if err != nil {
		return config.Config{}, "", err
	}
	// gitleaks never scans its own configuration file.
	cfg.Path = gitleaksConfigFile
	return cfg, gitleaksConfigFile, nil
}

// readViperConfig parses TOML into gitleaks' configuration structure with
// a viper instance of its own.
func readViperConfig(name string, data []byte) (config.ViperConfig, error) {
	v := viper.New()
	v.SetConfigType("toml")
	var vc config.ViperConfig
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		var pos interface{ Position() (row, col int) }
		if errors.As(err, &pos) {
			row, _ := pos.Position()
			return vc, fmt.Errorf("%s:%d: %w", name, row, errors.Unwrap(err))
		}
		return vc, fmt.Errorf("%s: %w", name, err)
	}
	if err := v.Unmarshal(&vc); err != nil {
		return vc, fmt.Errorf("%s: %w", name, err)
	}
	return vc, nil
}

// resolveExtend merges the configuration that vc extends into it, as
// gitleaks would, and clears vc.Extend. Only the default rule set and
// files inside the repository can be extended: gitops-lint works offline
// and reads nothing outside the repository.
func resolveExtend(fsys *rootfs.FS, name string, vc config.ViperConfig, depth int) (config.ViperConfig, error) {
	ext := vc.Extend
	vc.Extend = config.Extend{}
	if depth >= maxExtendDepth {
		return vc, nil
	}
	switch {
	case ext.URL != "":
		return vc, fmt.Errorf("%s: extend.url %q is not supported: gitops-lint does not fetch configuration over the network; vendor the file and use extend.path", name, withoutUserinfo(ext.URL))
	case ext.Path != "" && ext.UseDefault:
		return vc, fmt.Errorf("%s: extend.path and extend.useDefault cannot both be set", name)
	case ext.UseDefault:
		base, err := readViperConfig("gitleaks default configuration", []byte(config.DefaultConfig))
		if err != nil {
			return vc, err
		}
		return mergeConfig(name, base, vc, ext.DisabledRules)
	case ext.Path != "":
		rel, err := insideRoot(fsys, ext.Path)
		if err != nil {
			return vc, fmt.Errorf("%s: extend.path %q: %w", name, ext.Path, err)
		}
		data, err := fsys.ReadFile(rel)
		if err != nil {
			return vc, fmt.Errorf("%s: extend.path: %w", name, err)
		}
		base, err := readViperConfig(rel, data)
		if err != nil {
			return vc, err
		}
		if base, err = resolveExtend(fsys, rel, base, depth+1); err != nil {
			return vc, err
		}
		return mergeConfig(name, base, vc, ext.DisabledRules)
	}
	return vc, nil
}

// withoutUserinfo drops the user and password from a URL: a token in
// https://user:token@host/ must not reach an error message.
func withoutUserinfo(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.User = nil
	return u.String()
}

// insideRoot resolves p (relative to the repository root, where gitleaks
// is run) and refuses paths that leave the repository, also through
// symlinks. It returns the slash-separated path relative to root.
func insideRoot(fsys *rootfs.FS, p string) (string, error) {
	if filepath.IsAbs(p) {
		return "", errors.New("absolute paths are not read; use a path inside the repository")
	}
	resolved, err := fsys.Resolve(filepath.ToSlash(p))
	if errors.Is(err, rootfs.ErrOutside) {
		return "", errors.New("leaves the repository; it is not read")
	}
	if err != nil {
		return "", err
	}
	return fsys.Rel(resolved), nil
}

// readSettings reads a settings file at the repository root. One that is
// a symlink out of the repository, or not a regular file, counts as
// absent: the repository walk reports the link (path-escape), and
// nothing outside is read.
func readSettings(fsys *rootfs.FS, name string) ([]byte, error) {
	data, err := fsys.ReadFile(name)
	if errors.Is(err, rootfs.ErrOutside) || errors.Is(err, rootfs.ErrNotRegular) {
		return nil, fmt.Errorf("%s: %w", name, os.ErrNotExist)
	}
	return data, err
}

// mergeConfig folds base into cur the way gitleaks' Config.extend does: a
// rule of base that cur also defines takes cur's description, entropy,
// secret group, regex and path where cur sets them, and both their tags,
// keywords and allowlists; rules only in base are added unless disabled;
// global allowlists are concatenated.
func mergeConfig(name string, base, cur config.ViperConfig, disabled []string) (config.ViperConfig, error) {
	if err := foldDeprecatedAllowlists(name, &base); err != nil {
		return cur, err
	}
	if err := foldDeprecatedAllowlists(name, &cur); err != nil {
		return cur, err
	}
	out := cur
	out.Rules = slices.Clone(cur.Rules)
	index := make(map[string]int, len(out.Rules))
	for i, r := range out.Rules {
		index[r.ID] = i
	}
	for _, br := range base.Rules {
		if slices.Contains(disabled, br.ID) {
			continue
		}
		i, ok := index[br.ID]
		if !ok {
			index[br.ID] = len(out.Rules)
			out.Rules = append(out.Rules, br)
			continue
		}
		cr, m := out.Rules[i], br
		if cr.Description != "" {
			m.Description = cr.Description
		}
		if cr.Entropy != 0 {
			m.Entropy = cr.Entropy
		}
		if cr.SecretGroup != 0 {
			m.SecretGroup = cr.SecretGroup
		}
		if cr.Regex != "" {
			m.Regex = cr.Regex
		}
		if cr.Path != "" {
			m.Path = cr.Path
		}
		m.Tags = append(slices.Clip(br.Tags), cr.Tags...)
		m.Keywords = append(slices.Clip(br.Keywords), cr.Keywords...)
		m.Allowlists = append(slices.Clip(br.Allowlists), cr.Allowlists...)
		out.Rules[i] = m
	}
	out.Allowlists = append(slices.Clip(cur.Allowlists), base.Allowlists...)
	return out, nil
}

// foldDeprecatedAllowlists moves the deprecated single [allowlist] tables
// into the [[allowlists]] lists, so that merged rules keep both sides',
// refusing a table that uses both forms as gitleaks does.
func foldDeprecatedAllowlists(name string, vc *config.ViperConfig) error {
	for i := range vc.Rules {
		r := &vc.Rules[i]
		if r.AllowList == nil {
			continue
		}
		if len(r.Allowlists) > 0 {
			return fmt.Errorf("%s: rule %q: [rules.allowlist] is deprecated, it cannot be used alongside [[rules.allowlists]]", name, r.ID)
		}
		r.Allowlists = append(r.Allowlists, r.AllowList)
		r.AllowList = nil
	}
	if vc.AllowList != nil {
		if len(vc.Allowlists) > 0 {
			return fmt.Errorf("%s: [allowlist] is deprecated, it cannot be used alongside [[allowlists]]", name)
		}
		vc.Allowlists = append(vc.Allowlists, vc.AllowList)
		vc.AllowList = nil
	}
	return nil
}

// translate compiles a configuration without [extend]. gitleaks compiles
// the regular expressions of a configuration with MustCompile, so they are
// checked first to turn a typo into an error that names the rule (and its
// line, when the file's text is at hand) instead of a panic.
func translate(name string, data []byte, vc config.ViperConfig) (config.Config, error) {
	if err := checkRegexes(name, data, vc); err != nil {
		return config.Config{}, err
	}
	return compile(name, vc)
}

// checkRegexes compiles every regular expression of a configuration on
// its own, to report the first that does not compile.
func checkRegexes(name string, data []byte, vc config.ViperConfig) error {
	check := func(what, id, expr string) error {
		if expr == "" {
			return nil
		}
		if _, err := rules.CompileRegexp(expr); err != nil {
			return fmt.Errorf("%s: %s: %w", ruleLine(name, data, id), what, err)
		}
		return nil
	}
	for _, r := range vc.Rules {
		if err := errors.Join(check(fmt.Sprintf("rule %q regex", r.ID), r.ID, r.Regex), check(fmt.Sprintf("rule %q path", r.ID), r.ID, r.Path)); err != nil {
			return err
		}
		for _, a := range r.Allowlists {
			for _, e := range slices.Concat(a.Regexes, a.Paths) {
				if err := check(fmt.Sprintf("rule %q allowlist", r.ID), r.ID, e); err != nil {
					return err
				}
			}
		}
		if r.AllowList != nil {
			for _, e := range slices.Concat(r.AllowList.Regexes, r.AllowList.Paths) {
				if err := check(fmt.Sprintf("rule %q allowlist", r.ID), r.ID, e); err != nil {
					return err
				}
			}
		}
	}
	globals := slices.Clone(vc.Allowlists)
	if vc.AllowList != nil {
		globals = append(globals, vc.AllowList)
	}
	for _, a := range globals {
		for _, e := range slices.Concat(a.Regexes, a.Paths) {
			if err := check("allowlist", "", e); err != nil {
				return err
			}
		}
	}
	return nil
}

// compile is gitleaks' translation of a configuration, with a panic of
// its MustCompile turned into an error.
func compile(name string, vc config.ViperConfig) (cfg config.Config, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: %v", name, p)
		}
	}()
	restore := holdStopwords(&vc)
	cfg, err = vc.Translate()
	if err != nil {
		return cfg, fmt.Errorf("%s: %w", name, err)
	}
	restore(cfg)
	return cfg, nil
}

// trieStopwords is the length of a rule allowlist's stopword list from
// which holdStopwords takes it out of gitleaks' translation.
const trieStopwords = 64

// holdStopwords takes the long stopword lists out of vc's rule allowlists
// and returns the function that gives them back to the translated rules.
//
// Translating an allowlist builds an Aho-Corasick trie of its stopwords.
// For the default generic-api-key rule (about 1,400 words) that trie is
// 14 MiB, 10 of the 23 MB the translation allocates: fresh pages that
// every run has the kernel fault in and zero, a sixth of the page faults
// of a pre-commit check. An allowlist without a trie checks the same
// stopwords one by one (Allowlist.ContainsStopWord) with the same answer,
// and it is only asked about a rule's candidates that already passed its
// expression and entropy, which are few. Only an allowlist with another
// check (a regex, a path or a commit) is held, since gitleaks refuses an
// empty one, and only in a rule whose ID is not repeated, so that the
// translated rule is the one held from.
func holdStopwords(vc *config.ViperConfig) (restore func(config.Config)) {
	type held struct {
		rule  string
		index int
		words []string
	}
	ids := map[string]int{}
	for _, r := range vc.Rules {
		ids[r.ID]++
	}
	var hs []held
	for _, r := range vc.Rules {
		if ids[r.ID] != 1 {
			continue
		}
		for i, a := range r.Allowlists {
			if len(a.StopWords) < trieStopwords || len(a.Regexes)+len(a.Paths)+len(a.Commits) == 0 {
				continue
			}
			hs = append(hs, held{rule: r.ID, index: i, words: a.StopWords})
			a.StopWords = nil
		}
	}
	return func(cfg config.Config) {
		for _, h := range hs {
			// Translate makes one rule of each ID, its allowlists in order.
			// Were it not so, the words would be lost: the rule would
			// allow less, never more.
			r, ok := cfg.Rules[h.rule]
			if !ok || h.index >= len(r.Allowlists) {
				continue
			}
			al := r.Allowlists[h.index]
			// Lowered and without repeats, as the translation leaves them:
			// ContainsStopWord lowers only the text it looks in.
			words := make([]string, len(h.words))
			for i, w := range h.words {
				words[i] = strings.ToLower(w)
			}
			slices.Sort(words)
			al.StopWords = slices.Compact(words)
		}
	}
}

// ruleLine names the file and, when its text is known, the line where the
// rule with that ID is declared.
func ruleLine(name string, data []byte, id string) string {
	if id == "" || data == nil {
		return name
	}
	n := 0
	for line := range strings.Lines(string(data)) {
		n++
		key, value, ok := strings.Cut(line, "=")
		if ok && strings.TrimSpace(key) == "id" && strings.Trim(strings.TrimSpace(value), `"'`) == id {
			return fmt.Sprintf("%s:%d", name, n)
		}
	}
	return name
}
