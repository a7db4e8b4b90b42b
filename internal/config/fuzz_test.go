package config

import (
	"os"
	"path/filepath"
	"testing"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// FuzzParse feeds configuration files to the parser: it must never panic,
// and a file it accepts must be usable (targets, rules and paths answered
// without panicking).
func FuzzParse(f *testing.F) {
	for _, p := range []string{
		filepath.Join("..", "..", "testdata", "repos", "configured", ".gitops-lint.yaml"),
	} {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Add(Template(TemplateOptions{Active: true, KubernetesExample: "1.37"}))
	f.Add(Template(TemplateOptions{}))
	f.Add([]byte("include: [a]\nexclude: [b/**]\nrules:\n  host-network: off\n"))
	root := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse(".gitops-lint.yaml", root, data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("an error without a message")
			}
			return
		}
		s := cfg.Scope(types.LoadRestrictionsNone)
		s.Target("apps/web", []string{"apps/web/deploy.yaml"})
		s.Excluded("apps/web/deploy.yaml")
		s.SecretAllowed("apps/web/secret.yaml")
		cfg.Settings()
		f := rules.Finding{RuleID: "host-network", Location: manifest.Origin{File: "apps/web/deploy.yaml", Line: 3}}
		s.Adjust(&f)
	})
}
