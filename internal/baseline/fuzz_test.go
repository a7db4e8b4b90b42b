package baseline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// FuzzLoad feeds baseline files to the loader: it must never panic, an
// error names the file and a line, and a file it accepts writes back to
// one it accepts with the same entries.
func FuzzLoad(f *testing.F) {
	var buf bytes.Buffer
	_ = New([]rules.Finding{{RuleID: "host-network", Fingerprint: "0123456789abcdef", Location: manifest.Origin{File: "a.yaml", Line: 3}, Path: "/spec"}}).Write(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"version": 1, "findings": []}`))
	f.Add([]byte(`{"version": 1, "findings": [{"fingerprint": 5}]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "baseline.json")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		b, err := Load(p)
		if err != nil {
			if !bytes.HasPrefix([]byte(err.Error()), []byte(p)) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := b.Write(&out); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, out.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
		again, err := Load(p)
		if err != nil {
			t.Fatalf("a written baseline does not load: %v\n%s", err, out.Bytes())
		}
		if len(again.Entries) != len(b.Entries) {
			t.Fatalf("%d entries, then %d", len(b.Entries), len(again.Entries))
		}
	})
}
