package report

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// TestMergeJSON merges two shards' reports: a finding both report is one
// with both targets, counts add up, and an unused suppression survives
// only when every shard reports it.
func TestMergeJSON(t *testing.T) {
	at := func(line int) manifest.Origin { return manifest.Origin{File: "base/deploy.yaml", Line: line} }
	// The catalogue: each report describes only the rules of its findings.
	catalogue := []*rules.Rule{
		{ID: rules.SuppressionUnused, Severity: rules.Info, Doc: "Suppression unused."},
		{ID: "run-as-root", Severity: rules.Warning, Doc: "Runs as root."},
		{ID: "host-network", Severity: rules.Warning, Doc: "Uses the host network."},
	}
	shard := func(targets int, fs ...rules.Finding) []byte {
		var buf bytes.Buffer
		if err := writeJSON(&buf, Input{Tool: Tool{Name: "gitops-lint", Version: "v1"}, Targets: targets, Resources: 2 * targets, Findings: fs, Rules: catalogue}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	base := rules.Finding{RuleID: "run-as-root", Severity: rules.Warning, Message: "runs as root", Location: at(3), Fingerprint: "0123456789abcdef"}
	inA, inB := base, base
	inA.Targets, inB.Targets = []string{"overlays/a"}, []string{"overlays/b"}
	unusedEverywhere := rules.Finding{RuleID: rules.SuppressionUnused, Severity: rules.Info, Message: "unused", Location: at(9), Fingerprint: "1111111111111111"}
	unusedInOne := rules.Finding{RuleID: rules.SuppressionUnused, Severity: rules.Info, Message: "unused", Location: at(12), Fingerprint: "2222222222222222"}

	// Only the second shard has a finding of host-network: the merged
	// report describes every rule of its findings, in catalogue order.
	hostNet := rules.Finding{RuleID: "host-network", Severity: rules.Warning, Message: "host network", Location: at(5), Fingerprint: "3333333333333333", Targets: []string{"overlays/b"}}
	order := []string{rules.SuppressionUnused, "run-as-root", "host-network"}
	m, err := MergeJSON([][]byte{shard(1, inA, unusedEverywhere, unusedInOne), shard(2, inB, hostNet, unusedEverywhere)}, order)
	if err != nil {
		t.Fatal(err)
	}
	both := base
	both.Targets = []string{"overlays/a", "overlays/b"}
	var want bytes.Buffer
	if err := writeJSON(&want, Input{Tool: Tool{Name: "gitops-lint", Version: "v1"}, Targets: 3, Resources: 6, Findings: []rules.Finding{both, hostNet, unusedEverywhere}, Rules: catalogue}); err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	if err := m.Write(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.String(), got.String()); diff != "" {
		t.Errorf("merged report (-want +got):\n%s", diff)
	}

	tests := []struct {
		name    string
		reports [][]byte
	}{
		{name: "none"},
		{name: "not JSON", reports: [][]byte{[]byte("<sarif/>")}},
		{name: "other schema version", reports: [][]byte{[]byte(`{"schemaVersion": 99}`)}},
		{name: "other version", reports: [][]byte{shard(1), bytes.Replace(shard(1), []byte(`"v1"`), []byte(`"v2"`), 1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := MergeJSON(tc.reports, nil); err == nil {
				t.Error("merged")
			}
		})
	}
}
