package secrets

import (
	"context"
	"slices"
	"strings"

	"github.com/zricethezav/gitleaks/v8/detect"

	"github.com/gitops-lint/gitops-lint/internal/redact"
)

// Credential reports whether gitleaks, with the repository's
// configuration, recognises a credential in value written under key. It
// is for callers that print values taken from the repository (the
// rendered diff) and must hide those a scan would flag. The value is
// scanned as the line "key: value" of a YAML file, which gives gitleaks'
// generic rule the keyword it looks for; key may be empty. Fingerprints
// of .gitleaksignore are not consulted: they name file lines, and a
// printed value has none.
func (s *Scanner) Credential(ctx context.Context, key, value string) bool {
	text := value
	if key != "" {
		text = key + ": " + value
	}
	return len(s.detectValue(ctx, "", text)) > 0
}

// Scrub hides in text every credential that gitleaks' default rules find
// there, for text printed before a run knows the repository's secret
// values: an error in the configuration file, a failed git command, a
// policy that does not compile. A value gitleaks calls a credential is
// hidden wherever it occurs in text, however short.
func Scrub(ctx context.Context, text string) string {
	if text == "" {
		return text
	}
	silenceGitleaks()
	d, err := detect.NewDetectorDefaultConfig()
	if err != nil {
		return text
	}
	d.MaxDecodeDepth = decodeDepth
	var found []string
	for _, f := range d.DetectContext(ctx, detect.Fragment{Raw: text}) {
		if s := strings.TrimSpace(f.Secret); s != "" {
			found = append(found, s)
		}
	}
	// Longest first, so that a value holding another is hidden whole.
	slices.SortFunc(found, func(a, b string) int { return len(b) - len(a) })
	for _, s := range found {
		text = strings.ReplaceAll(text, s, redact.Marker)
	}
	return text
}
