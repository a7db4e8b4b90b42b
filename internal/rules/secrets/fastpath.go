package secrets

import (
	"context"
	"encoding/base64"
	"strings"

	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/detect/codec"
	"github.com/zricethezav/gitleaks/v8/report"
)

// genericRule is gitleaks' catch-all rule. Its keywords ("key", "api",
// "secret", "token", ...) occur in nearly every manifest, so its costly
// regular expression runs over nearly every file and takes more than half
// of the scan.
const genericRule = "generic-api-key"

// genericReach is how many lines after the line of its keyword a match of
// the default generic rule can reach: up to 3 line breaks before the
// separator and 5 after it. A match starts at most 50 word characters
// before its keyword, on the keyword's line.
const genericReach = 8

// fastPath runs the generic rule over only the lines that can hold one of
// its matches: lines with one of its keywords (or any non-ASCII byte, which
// case folding might turn into one) and the genericReach lines after them,
// the others blanked so that line numbers stay. The other rules run over
// the whole text as usual. This gives exactly gitleaks' result (a test
// compares both on every fixture, a synthetic repository and the corpus)
// as long as no decoding pass runs, so it is only taken for texts with
// nothing gitleaks would decode; the rest goes through the full detector.
type fastPath struct {
	others, generic *detect.Detector
	keywords        []string
}

// newFastPath splits the configuration, or returns nil when the generic
// rule is not gitleaks' own (a .gitleaks.toml may change its regex, and
// the reach above would no longer hold) or another rule requires it.
func newFastPath(cfg config.Config) *fastPath {
	def, err := defaultConfig()
	if err != nil {
		return nil
	}
	g, ok := cfg.Rules[genericRule]
	dg := def.Rules[genericRule]
	if !ok || g.Regex == nil || dg.Regex == nil || g.Regex.String() != dg.Regex.String() || len(g.RequiredRules) > 0 || len(g.Keywords) == 0 {
		return nil
	}
	others := cfg
	others.Rules = make(map[string]config.Rule, len(cfg.Rules))
	others.Keywords = map[string]struct{}{}
	others.OrderedRules = nil
	for _, id := range cfg.OrderedRules {
		r, ok := cfg.Rules[id]
		if !ok || id == genericRule {
			continue
		}
		for _, req := range r.RequiredRules {
			if req.RuleID == genericRule {
				return nil
			}
		}
		others.Rules[id] = r
		others.OrderedRules = append(others.OrderedRules, id)
		for _, k := range r.Keywords {
			others.Keywords[strings.ToLower(k)] = struct{}{}
		}
	}
	generic := cfg
	generic.Rules = map[string]config.Rule{genericRule: g}
	generic.OrderedRules = []string{genericRule}
	generic.Keywords = map[string]struct{}{}
	var keywords []string
	for _, k := range g.Keywords {
		generic.Keywords[strings.ToLower(k)] = struct{}{}
		keywords = append(keywords, strings.ToLower(k))
	}
	// No decoding pass: the fast path only sees texts without encoded parts.
	return &fastPath{others: detect.NewDetector(others), generic: detect.NewDetector(generic), keywords: keywords}
}

// hoistPathAllowlists takes the path conditions out of the global
// allowlists that allow on any condition, so that they are tested once per
// file instead of once per detector run: matching a path against gitleaks'
// default list of about thirty patterns costs as much as scanning a small
// manifest. It returns the configuration without them and the allowlists
// whose paths to test. A file they allow is skipped whole, as gitleaks
// skips it before running any rule.
func hoistPathAllowlists(cfg config.Config) (config.Config, []*config.Allowlist) {
	var hoisted, kept []*config.Allowlist
	for _, a := range cfg.Allowlists {
		if a.MatchCondition != config.AllowlistMatchOr || len(a.Paths) == 0 {
			kept = append(kept, a)
			continue
		}
		hoisted = append(hoisted, a)
		if len(a.Regexes) == 0 && len(a.StopWords) == 0 && len(a.Commits) == 0 {
			continue
		}
		rest := &config.Allowlist{
			Description:    a.Description,
			MatchCondition: a.MatchCondition,
			Commits:        a.Commits,
			RegexTarget:    a.RegexTarget,
			Regexes:        a.Regexes,
			StopWords:      a.StopWords,
		}
		if err := rest.Validate(); err != nil {
			return cfg, nil // cannot happen for a validated allowlist; keep gitleaks' own handling
		}
		kept = append(kept, rest)
	}
	cfg.Allowlists = kept
	return cfg, hoisted
}

// find runs gitleaks over text as the file named file, through the fast
// path when it can.
func (s *Scanner) find(ctx context.Context, file, text string) []report.Finding {
	for _, a := range s.allowPaths {
		if a.PathAllowed(file) {
			return nil
		}
	}
	frag := func(raw string) detect.Fragment { return detect.Fragment{Raw: raw, FilePath: file, StartLine: 1} }
	if s.fast == nil {
		return s.detector.DetectContext(ctx, frag(text))
	}
	if mayDecode(text) {
		if _, segs := codec.NewDecoder().Decode(text, nil); len(segs) > 0 {
			return s.detector.DetectContext(ctx, frag(text))
		}
	}
	found := s.fast.others.DetectContext(ctx, frag(text))
	specific := len(found)
	for _, g := range s.fast.generic.DetectContext(ctx, frag(s.fast.mask(text))) {
		// As gitleaks does: a specific rule's finding on the same line that
		// contains the generic one's secret supersedes it.
		shadowed := false
		for _, o := range found[:specific] {
			if o.StartLine == g.StartLine && !strings.Contains(strings.ToLower(o.RuleID), "generic") && strings.Contains(o.Secret, g.Secret) {
				shadowed = true
				break
			}
		}
		if !shadowed {
			found = append(found, g)
		}
	}
	return found
}

// mask blanks the lines where the generic rule cannot match, keeping line
// breaks.
func (f *fastPath) mask(text string) string {
	var b strings.Builder
	b.Grow(len(text))
	keepUntil := 0
	n := 0
	for line := range strings.Lines(text) {
		n++
		if f.mayMatch(line) {
			keepUntil = n + genericReach
		}
		if n <= keepUntil {
			b.WriteString(line)
		} else if strings.HasSuffix(line, "\n") {
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func (f *fastPath) mayMatch(line string) bool {
	for i := 0; i < len(line); i++ {
		if line[i] >= 0x80 {
			return true
		}
	}
	lower := strings.ToLower(line)
	for _, k := range f.keywords {
		if strings.Contains(lower, k) {
			return true
		}
	}
	return false
}

// mayDecode is a quick test that is false only for texts in which gitleaks'
// decoder finds nothing to decode, so that its regular-expression pass
// (a quarter of the scan) runs only on the rest. In a text without
// percent, unicode or hex escapes, the decoder's base64 candidates are
// exactly the maximal runs of [A-Za-z0-9_/+-] of 16 characters or more
// (with up to two = after them); one counts when it holds one of
// 0-9 + / - _ and decodes, standard or URL-safe, to printable ASCII.
func mayDecode(text string) bool {
	runStart, hexRun := -1, 0
	for i := 0; i <= len(text); i++ {
		var c byte
		if i < len(text) {
			c = text[i]
		}
		if isHex(c) {
			if hexRun++; hexRun >= 32 {
				return true
			}
		} else {
			hexRun = 0
		}
		switch {
		case c == '%' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			return true
		case c == 'U' && i+5 < len(text) && text[i+1] == '+' && allHex(text[i+2:i+6]):
			return true
		case c == '\\' && i+5 < len(text) && (text[i+1] == 'u' || text[i+1] == 'U') && allHex(text[i+2:i+6]):
			return true
		}
		if i < len(text) && isRunByte(c) {
			if runStart < 0 {
				runStart = i
			}
			continue
		}
		if runStart >= 0 && i-runStart >= 16 && base64Candidate(text, runStart, i) {
			return true
		}
		runStart = -1
	}
	return false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isRunByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '/' || c == '+' || c == '-'
}

// base64Candidate reports whether text[start:end], a maximal run, would
// decode to printable ASCII (as gitleaks' decoder judges it).
func base64Candidate(text string, start, end int) bool {
	run := text[start:end]
	if !strings.ContainsAny(run, "0123456789+/-_") {
		return false
	}
	padded := run
	for j := end; j < len(text) && j < end+2 && text[j] == '='; j++ {
		padded = text[start : j+1]
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(padded); err == nil && printable(b) {
			return true
		}
	}
	return false
}

func printable(b []byte) bool {
	for _, c := range b {
		if c <= '\x08' || c >= '\x7f' {
			return false
		}
	}
	return true
}
