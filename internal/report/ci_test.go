package report

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// ciInput holds what the CI formats must survive: text from the linted
// repository that would end or start a workflow command, separators in
// paths, a suppressed finding, findings without file, line or fingerprint,
// and findings that share a fingerprint.
func ciInput() Input {
	cm := manifest.ResID{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "cfg"}
	return Input{
		Tool: Tool{Name: "gitops-lint", Version: "1.2.3"},
		Findings: []rules.Finding{
			{RuleID: "render-error", Severity: rules.Error, Message: "kustomize failed without naming a file"},
			{
				RuleID: "yaml-syntax", Severity: rules.Error,
				Message:  "line one\r\nline two\n::error file=evil.yaml,line=1::injected 100% %0A",
				Location: manifest.Origin{File: "apps/a,b:c/100%.yaml", Line: 3, Col: 1},
				Targets:  []string{"apps/a,b:c"}, Fingerprint: "1111111111111111",
			},
			{
				RuleID: "schema-invalid", Severity: rules.Error, Message: "data.a: got integer, want string",
				Resource: cm, Path: "/data/a", Location: manifest.Origin{File: "base/cm.yaml", Line: 7, Col: 6},
				Targets: []string{"overlays/dev", "overlays/prod"}, Fingerprint: "2222222222222222",
				Related: []manifest.Origin{{File: "overlays/prod/patch.yaml", Line: 4, Col: 3}},
			},
			{
				// Same field, another message: the same fingerprint.
				RuleID: "schema-invalid", Severity: rules.Error, Message: "data.a: must be at most 10 characters",
				Resource: cm, Path: "/data/a", Location: manifest.Origin{File: "base/cm.yaml", Line: 7, Col: 6},
				Targets: []string{"overlays/dev"}, Fingerprint: "2222222222222222",
			},
			{
				// Same fingerprint and message, another place.
				RuleID: "schema-invalid", Severity: rules.Error, Message: "data.a: must be at most 10 characters",
				Resource: cm, Path: "/data/a", Location: manifest.Origin{File: "base/cm.yaml", Line: 9, Col: 6},
				Targets: []string{"overlays/dev"}, Fingerprint: "2222222222222222",
			},
			{
				RuleID: "missing-schema", Severity: rules.Warning, Message: "no schema for example.com/v1 Widget \x1b[31mred\x1b[0m",
				Location: manifest.Origin{File: "crds/widget.yaml"}, Targets: []string{"overlays/prod"}, Fingerprint: "3333333333333333",
			},
			{
				RuleID: "run-as-root", Severity: rules.Warning, Message: "container \"web\" may run as root",
				Location:    manifest.Origin{File: "base/deploy.yaml", Line: 20, Col: 9},
				Fingerprint: "4444444444444444",
				Suppression: &rules.Suppression{Kind: "inSource", Justification: "vendor image", Location: manifest.Origin{File: "base/deploy.yaml", Line: 19}},
			},
			{
				RuleID: "recommended-labels", Severity: rules.Info, Message: "no app.kubernetes.io/instance label",
				Location: manifest.Origin{File: "base/deploy.yaml", Line: 5}, Fingerprint: "5555555555555555",
			},
		},
		Suppressed: 1,
		Targets:    3,
		Resources:  9,
	}
}

// githubCommand is a workflow command read back the way the runner reads
// it: the command name, its properties, its message, all unescaped.
type githubCommand struct {
	Command string
	Props   map[string]string
	Data    string
}

// parseGitHubCommand follows the runner's parser (ActionCommand.TryParseV2):
// the properties end at the first "::" after the command, are separated by
// ",", and each splits at its first "=".
func parseGitHubCommand(t *testing.T, line string) githubCommand {
	t.Helper()
	rest, ok := strings.CutPrefix(line, "::")
	if !ok {
		t.Fatalf("not a command: %q", line)
	}
	head, data, ok := strings.Cut(rest, "::")
	if !ok {
		t.Fatalf("command without message: %q", line)
	}
	unescape := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",", "%25", "%")
	cmd := githubCommand{Props: map[string]string{}, Data: unescape.Replace(data)}
	name, props, _ := strings.Cut(head, " ")
	cmd.Command = name
	for _, p := range strings.Split(props, ",") {
		if p == "" {
			continue
		}
		k, v, ok := strings.Cut(p, "=")
		if !ok {
			t.Fatalf("property without '=' in %q", line)
		}
		cmd.Props[k] = unescape.Replace(v)
	}
	return cmd
}

func TestGitHubCommandsReadBack(t *testing.T) {
	in := ciInput()
	out := string(write(t, in, Options{Format: FormatGitHub}))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")

	var got []githubCommand
	for _, l := range lines[:len(lines)-1] {
		got = append(got, parseGitHubCommand(t, l))
	}
	if last := lines[len(lines)-1]; last != summary(in) {
		t.Errorf("last line = %q, want the summary %q", last, summary(in))
	}

	var want []githubCommand
	for _, f := range in.Findings {
		if !f.Active() {
			continue
		}
		c := githubCommand{Command: githubLevel(f.Severity), Props: map[string]string{"title": f.RuleID}, Data: sanitize(describe(f))}
		if f.Location.File != "" {
			c.Props["file"] = f.Location.File
		}
		if f.Location.Line > 0 {
			c.Props["line"] = strconv.Itoa(f.Location.Line)
		}
		if f.Location.Line > 0 && f.Location.Col > 0 {
			c.Props["col"] = strconv.Itoa(f.Location.Col)
		}
		want = append(want, c)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commands read back (-want +got):\n%s", diff)
	}
}

func TestGitHubEscaping(t *testing.T) {
	tests := []struct {
		name           string
		in             string
		data, property string
	}{
		{name: "plain", in: "base/deploy.yaml", data: "base/deploy.yaml", property: "base/deploy.yaml"},
		{name: "percent first", in: "100%0A", data: "100%250A", property: "100%250A"},
		{name: "newlines", in: "a\nb", data: "a%0Ab", property: "a%0Ab"},
		{name: "carriage return shown", in: "a\rb", data: `a\rb`, property: `a\rb`},
		{name: "separators", in: "a,b:c", data: "a,b:c", property: "a%2Cb%3Ac"},
		{name: "command in data", in: "x\n::error::y", data: "x%0A::error::y", property: "x%0A%3A%3Aerror%3A%3Ay"},
		{name: "terminal escape", in: "\x1b[2J", data: `\x1b[2J`, property: `\x1b[2J`},
		{name: "tab kept", in: "a\tb", data: "a\tb", property: "a\tb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := githubData(tt.in); got != tt.data {
				t.Errorf("githubData(%q) = %q, want %q", tt.in, got, tt.data)
			}
			if got := githubProperty(tt.in); got != tt.property {
				t.Errorf("githubProperty(%q) = %q, want %q", tt.in, got, tt.property)
			}
		})
	}
}

func TestGitHubEveryFindingIsOneLine(t *testing.T) {
	in := ciInput()
	out := string(write(t, in, Options{Format: FormatGitHub}))
	active := len(in.Findings) - rules.Suppressed(in.Findings)
	commands := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "::") {
			commands++
		}
	}
	if commands != active {
		t.Errorf("%d lines start a workflow command, want one per active finding (%d):\n%s", commands, active, out)
	}
	if strings.Contains(out, "run-as-root") {
		t.Errorf("the suppressed finding is annotated:\n%s", out)
	}
}

type gitlabReport []struct {
	Description string `json:"description"`
	CheckName   string `json:"check_name"`
	Fingerprint string `json:"fingerprint"`
	Severity    string `json:"severity"`
	Location    struct {
		Path  string `json:"path"`
		Lines struct {
			Begin int `json:"begin"`
		} `json:"lines"`
	} `json:"location"`
}

func readGitLab(t *testing.T, in Input) gitlabReport {
	t.Helper()
	var r gitlabReport
	if err := json.Unmarshal(write(t, in, Options{Format: FormatGitLab}), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestGitLabReport(t *testing.T) {
	for name, in := range map[string]Input{"sample": sampleInput(), "ci": ciInput()} {
		t.Run(name, func(t *testing.T) {
			issues := readGitLab(t, in)
			if want := len(in.Findings) - rules.Suppressed(in.Findings); len(issues) != want {
				t.Fatalf("%d issues, want one per active finding (%d)", len(issues), want)
			}
			seen := map[string]bool{}
			for i, is := range issues {
				if is.Description == "" || is.CheckName == "" || is.Fingerprint == "" || is.Location.Lines.Begin < 1 {
					t.Errorf("issue %d lacks a required field: %+v", i, is)
				}
				switch is.Severity {
				case "info", "minor", "major", "critical", "blocker":
				default:
					t.Errorf("issue %d: severity %q is not GitLab's", i, is.Severity)
				}
				if seen[is.Fingerprint] {
					t.Errorf("issue %d: fingerprint %s is not unique", i, is.Fingerprint)
				}
				seen[is.Fingerprint] = true
			}
		})
	}
}

// Disambiguating shared fingerprints must not bring in the line: an issue
// whose message tells it apart keeps its identity when lines move.
func TestGitLabFingerprintsSurviveLineShifts(t *testing.T) {
	before := readGitLab(t, ciInput())
	shifted := ciInput()
	for i := range shifted.Findings {
		if shifted.Findings[i].Location.Line > 0 {
			shifted.Findings[i].Location.Line += 10
		}
	}
	after := readGitLab(t, shifted)
	for i := range before {
		// The third schema-invalid finding repeats the second's message:
		// only its location tells them apart.
		moved := before[i].CheckName == "schema-invalid" && before[i].Location.Lines.Begin == 9
		if same := before[i].Fingerprint == after[i].Fingerprint; same == moved {
			t.Errorf("issue %d (%s line %d): fingerprint stable = %v, want %v", i, before[i].CheckName, before[i].Location.Lines.Begin, same, !moved)
		}
	}
	// The first of a fingerprint keeps the finding's own, which the
	// baseline and SARIF use too.
	if before[2].Fingerprint != "2222222222222222" {
		t.Errorf("first schema-invalid issue: fingerprint %s, want the finding's", before[2].Fingerprint)
	}
}
