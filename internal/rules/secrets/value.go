package secrets

import "context"

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
