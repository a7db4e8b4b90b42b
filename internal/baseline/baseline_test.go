package baseline

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

func TestNewWriteLoadFilter(t *testing.T) {
	at := manifest.Origin{File: "a.yaml", Line: 3}
	recorded := []rules.Finding{
		{RuleID: "r1", Fingerprint: "f1", Location: at},
		{RuleID: "r1", Fingerprint: "f1", Location: at}, // same problem twice: one entry
		{RuleID: "r2", Fingerprint: "f2", Location: at, Suppression: &rules.Suppression{Kind: "inSource"}},
	}
	b := New(recorded)
	if got := len(b.Entries); got != 1 {
		t.Fatalf("entries = %d, want 1 (duplicates and suppressed ones left out)", got)
	}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), DefaultFile)
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, loaded); diff != "" {
		t.Errorf("round trip (-wrote +read):\n%s", diff)
	}
	now := []rules.Finding{
		{RuleID: "r1", Fingerprint: "f1", Location: manifest.Origin{File: "a.yaml", Line: 9}},
		{RuleID: "r3", Fingerprint: "f3"},
		{RuleID: "r1", Fingerprint: "f1", Suppression: &rules.Suppression{Kind: "inSource"}},
	}
	kept, dropped := loaded.Filter(now)
	if dropped != 1 || len(kept) != 2 || kept[0].RuleID != "r3" {
		t.Errorf("Filter kept %v, dropped %d; want r3 and the suppressed r1 kept, one dropped", kept, dropped)
	}
}

func TestLoadRejectsOtherVersions(t *testing.T) {
	file := filepath.Join(t.TempDir(), "b.json")
	if err := os.WriteFile(file, []byte(`{"version": 2, "findings": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(file); err == nil {
		t.Error("version 2 accepted")
	}
}
