package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// FuzzRoundTrip writes a finding made of arbitrary text in the JSON and
// SARIF formats and reads it back: the output must be valid JSON whose
// finding carries the same rule, message, file and line, whatever the
// text holds (quotes, control characters, HTML, invalid UTF-8).
func FuzzRoundTrip(f *testing.F) {
	f.Add("host-network", "hostNetwork is true", "apps/web/deploy.yaml", 12, "/spec/hostNetwork", "web")
	f.Add("schema-invalid", "spec.replicas: got string \"three\", want integer <&>", "a b/c%20.yaml", 1, "", "")
	f.Add("x", "\x00\u2028\"\\", "ü/ß.yml", 0, "/a~1b", "n")
	f.Fuzz(func(t *testing.T, rule, msg, file string, line int, path, name string) {
		for _, s := range []string{rule, msg, file, path, name} {
			// Findings hold text decoded from YAML, which is UTF-8; JSON
			// writes invalid bytes as U+FFFD. Each string is tested on its
			// own: two invalid halves can make a valid pair.
			if !utf8.ValidString(s) {
				return
			}
		}
		fd := rules.Finding{
			RuleID: rule, Severity: rules.Error, Message: msg, Path: path,
			Resource: manifest.ResID{APIVersion: "v1", Kind: "ConfigMap", Name: name},
			Location: manifest.Origin{File: file, Line: line}, Fingerprint: "0123456789abcdef",
		}
		in := Input{Tool: Tool{Name: "gitops-lint", Version: "dev"}, Rules: []*rules.Rule{{ID: rule, Severity: rules.Error, Doc: "Title\nBody"}}, Findings: []rules.Finding{fd}}

		var buf bytes.Buffer
		if err := Write(&buf, in, Options{Format: FormatJSON}); err != nil {
			t.Fatal(err)
		}
		var got jsonReport
		if err := json.Unmarshal(buf.Bytes(), &got); err != nil {
			t.Fatalf("JSON report does not decode: %v\n%s", err, buf.Bytes())
		}
		if len(got.Findings) != 1 {
			t.Fatalf("%d findings back", len(got.Findings))
		}
		g := got.Findings[0]
		if g.RuleID != rule || g.Message != msg || g.Location.File != file || g.Location.Line != line || g.Path != path {
			t.Fatalf("JSON round trip changed the finding:\n got %+v\nwant %+v", g, fd)
		}

		buf.Reset()
		if err := Write(&buf, in, Options{Format: FormatSARIF}); err != nil {
			t.Fatal(err)
		}
		var log struct {
			Runs []struct {
				Results []struct {
					RuleID  string `json:"ruleId"`
					Message struct {
						Text string `json:"text"`
					} `json:"message"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatalf("SARIF does not decode: %v\n%s", err, buf.Bytes())
		}
		if len(log.Runs) != 1 || len(log.Runs[0].Results) != 1 {
			t.Fatalf("SARIF holds %+v", log.Runs)
		}
		r := log.Runs[0].Results[0]
		if r.RuleID != rule || !strings.Contains(r.Message.Text, strings.TrimSpace(msg)) {
			t.Fatalf("SARIF round trip changed the result: %+v, want rule %q message %q", r, rule, msg)
		}
	})
}
