package diff

import (
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
)

// newScanner is a secret scanner with gitleaks' default rules.
func newScanner(t *testing.T) *secrets.Scanner {
	t.Helper()
	rp, err := repo.Discover(t.TempDir(), repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := secrets.New(rp, secrets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
