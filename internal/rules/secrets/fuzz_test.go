package secrets

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseSOPSConfig feeds .sops.yaml files to the parser: it must never
// panic, and a configuration it accepts must answer which rule a path
// matches.
func FuzzParseSOPSConfig(f *testing.F) {
	for _, dir := range []string{"sops", "sops-creation"} {
		if data, err := os.ReadFile(filepath.Join("testdata", dir, ".sops.yaml")); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("creation_rules:\n- path_regex: .*\\.env$\n  encrypted_regex: ^(data|stringData)$\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := parseSOPSConfig(".sops.yaml", data)
		if err != nil || c == nil {
			return
		}
		c.match("apps/web/secret.enc.yaml")
		c.match("x.env")
	})
}
