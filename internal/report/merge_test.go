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

// TestMergeSARIF merges two shards' SARIF logs as TestMergeJSON merges
// JSON reports; the merged log is the one a whole check writes, with
// every field a result carries (several targets in the message, related
// locations, a suppression, a resource, a path that needs escaping).
func TestMergeSARIF(t *testing.T) {
	at := func(file string, line, col int) manifest.Origin {
		return manifest.Origin{File: file, Line: line, Col: col}
	}
	catalogue := []*rules.Rule{
		{ID: rules.SuppressionUnused, Severity: rules.Info, Doc: "Suppression unused."},
		{ID: "run-as-root", Severity: rules.Warning, Doc: "Runs as root.", Remediation: "Set `runAsNonRoot`."},
		{ID: "host-network", Severity: rules.Error, Doc: "Uses the host network."},
	}
	tool := Tool{Name: "gitops-lint", Version: "v1", InformationURI: "https://example.com"}
	shard := func(in Input, fs ...rules.Finding) []byte {
		var buf bytes.Buffer
		in.Tool, in.Rules, in.Findings = tool, catalogue, fs
		if err := writeSARIF(&buf, in); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	web := manifest.ResID{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "web"}
	base := rules.Finding{
		RuleID: "run-as-root", Severity: rules.Warning, Message: "runs as root", Resource: web, Path: "/spec/template/spec/securityContext",
		Location: at("base dir/deploy.yaml", 3, 5), Fingerprint: "0123456789abcdef",
	}
	inA, inB, inC := base, base, base
	inA.Targets, inA.Related = []string{"overlays/a", "overlays/c"}, []manifest.Origin{at("overlays/a/patch.yaml", 4, 3)}
	inB.Targets, inB.Related = []string{"overlays/b"}, []manifest.Origin{at("overlays/b/patch.yaml", 2, 0)}
	inC.Targets = []string{"overlays/c"}
	suppressed := rules.Finding{
		RuleID: "host-network", Severity: rules.Error, Message: "host network", Location: at("base dir/deploy.yaml", 9, 0),
		Fingerprint: "3333333333333333", Targets: []string{"overlays/b"},
		Suppression: &rules.Suppression{Kind: "inSource", Justification: "node agent", Location: at("base dir/deploy.yaml", 8, 0)},
	}
	unusedEverywhere := rules.Finding{RuleID: rules.SuppressionUnused, Severity: rules.Info, Message: "unused", Location: at("a:b.yaml", 1, 0), Fingerprint: "1111111111111111"}
	unusedInOne := rules.Finding{RuleID: rules.SuppressionUnused, Severity: rules.Info, Message: "unused", Location: at("base dir/deploy.yaml", 12, 0), Fingerprint: "2222222222222222"}
	order := []string{rules.SuppressionUnused, "run-as-root", "host-network"}
	m, err := Merge([][]byte{
		shard(Input{Targets: 2, PartlyRendered: 1}, inA, unusedEverywhere, unusedInOne),
		shard(Input{Targets: 1, NotRendered: 1, FluxSource: "flux-system"}, inB, suppressed, unusedEverywhere),
		shard(Input{Targets: 1}, inC, unusedEverywhere),
	}, order)
	if err != nil {
		t.Fatal(err)
	}
	if m.Format != FormatSARIF {
		t.Fatalf("format %q, want sarif", m.Format)
	}
	all := base
	all.Targets = []string{"overlays/a", "overlays/b", "overlays/c"}
	all.Related = []manifest.Origin{at("overlays/a/patch.yaml", 4, 3), at("overlays/b/patch.yaml", 2, 0)}
	want := shard(Input{Targets: 4, PartlyRendered: 1, NotRendered: 1, FluxSource: "flux-system"},
		rules.Merge([]rules.Finding{unusedEverywhere, all, suppressed})...)
	var got bytes.Buffer
	if err := m.Write(&got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got.String()); diff != "" {
		t.Errorf("merged log (-want +got):\n%s", diff)
	}
	if n := len(m.Findings); n != 3 {
		t.Errorf("%d merged findings, want 3", n)
	}

	other := Tool{Name: "gitops-lint", Version: "v2"}
	tests := []struct {
		name    string
		reports [][]byte
	}{
		{name: "not SARIF after SARIF", reports: [][]byte{shard(Input{}), []byte(`{"schemaVersion": 1}`)}},
		{name: "other version", reports: [][]byte{shard(Input{}), bytes.Replace(shard(Input{}), []byte(`"v1"`), []byte(`"`+other.Version+`"`), 1)}},
		{name: "two runs", reports: [][]byte{[]byte(`{"version": "2.1.0", "runs": [{}, {}]}`)}},
		{name: "rule described otherwise", reports: [][]byte{
			shard(Input{}, inA),
			bytes.Replace(shard(Input{}, inB), []byte("Runs as root."), []byte("Runs as root!"), 1),
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Merge(tc.reports, order); err == nil {
				t.Error("merged")
			}
		})
	}
}
