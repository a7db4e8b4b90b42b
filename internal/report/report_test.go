package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// sampleRules is a fixed catalogue, independent of rules.Builtin so that
// editing a built-in rule's doc does not churn these golden files.
func sampleRules() []*rules.Rule {
	return []*rules.Rule{
		{
			ID:       "kustomization-cycle",
			Severity: rules.Error,
			Doc: `Kustomizations include each other
Following resources, bases and components leads back to a kustomization already being built.`,
			Remediation: "Break the cycle: a base must not include the overlays that build on it.",
		},
		{
			ID:       "schema-invalid",
			Severity: rules.Error,
			Doc: `Resource does not match its schema
The rendered resource fails validation against the Kubernetes OpenAPI schema.`,
			Remediation: "Fix the field named in the message; unknown fields are often typos or wrong indentation.",
		},
		{
			ID:          "missing-schema",
			Severity:    rules.Warning,
			Doc:         "No schema for this kind",
			Remediation: "Add the CRD's schema with `--schema-location`.",
		},
		{
			ID:       "image-tag-latest",
			Severity: rules.Warning,
			Doc: `Image uses the latest tag
A mutable tag makes a rollout depend on when the node pulls the image.`,
			Remediation: "Pin the image to a version tag or a digest, e.g. `nginx:1.27` or `nginx@sha256:<digest>`.",
			HelpURI:     "https://example.com/rules/image-tag-latest",
		},
		{
			ID:          "single-replica",
			Severity:    rules.Info,
			Doc:         "Deployment runs a single replica\nA single replica means downtime on every rollout and node drain.",
			Remediation: "Set `spec.replicas` to 2 or more, or add a PodDisruptionBudget if one is enough.",
		},
		{
			ID:          "removed-api",
			Severity:    rules.Error,
			Doc:         "API version not served\nThe apiVersion is not served by the selected Kubernetes version.",
			Remediation: "Migrate the resource to a served apiVersion.",
		},
	}
}

func web(ns string) manifest.ResID {
	return manifest.ResID{APIVersion: "apps/v1", Kind: "Deployment", Namespace: ns, Name: "web"}
}

// sampleInput covers what every format must handle: several files, every
// severity, a finding in several targets, related locations, an unknown
// line and a finding about a file rather than a resource.
func sampleInput() Input {
	return Input{
		Tool:  Tool{Name: "gitops-lint", Version: "1.2.3", InformationURI: "https://github.com/gitops-lint/gitops-lint"},
		Rules: sampleRules(),
		Findings: []rules.Finding{
			{
				RuleID:   "schema-invalid",
				Severity: rules.Error,
				Message:  `spec.replicas: expected integer, got string "three"`,
				Resource: web("shop"),
				Path:     "/spec/replicas",
				Location: manifest.Origin{File: "base/deployment.yaml", Line: 9, Col: 13},
				Related: []manifest.Origin{
					{File: "overlays/prod/replicas-patch.yaml", Line: 6, Col: 3},
					{File: "overlays/staging/replicas-patch.yaml", Line: 6},
				},
				Targets:     []string{"overlays/dev", "overlays/prod", "overlays/staging"},
				Fingerprint: "5d1c8a0e92f7b364",
			},
			{
				RuleID:      "image-tag-latest",
				Severity:    rules.Warning,
				Message:     `container "web" uses image "nginx:latest"`,
				Resource:    web("shop"),
				Path:        "/spec/template/spec/containers/0/image",
				Location:    manifest.Origin{File: "base/deployment.yaml", Line: 21, Col: 18},
				Targets:     []string{"overlays/dev", "overlays/prod"},
				Fingerprint: "a07f3c5b1e2d9846",
			},
			{
				RuleID:      "missing-schema",
				Severity:    rules.Warning,
				Message:     "no schema for example.com/v1alpha1 Widget; resources of this kind were not validated",
				Resource:    manifest.ResID{APIVersion: "example.com/v1alpha1", Kind: "Widget", Namespace: "shop", Name: "gizmo"},
				Location:    manifest.Origin{File: "crds/widget.yaml"},
				Targets:     []string{"overlays/prod"},
				Fingerprint: "c4e2f10b7a9d3658",
			},
			{
				RuleID:      "kustomization-cycle",
				Severity:    rules.Error,
				Message:     "overlays/dev includes base, which includes overlays/dev",
				Location:    manifest.Origin{File: "overlays/dev/kustomization.yaml", Line: 5, Col: 3},
				Targets:     []string{"overlays/dev"},
				Fingerprint: "0b9e4d7c2a1f8536",
			},
			{
				RuleID:      "single-replica",
				Severity:    rules.Info,
				Message:     "Deployment web runs a single replica",
				Resource:    web("shop-dev"),
				Path:        "/spec/replicas",
				Location:    manifest.Origin{File: "overlays/dev/replicas-patch.yaml", Line: 8, Col: 13},
				Targets:     []string{"overlays/dev"},
				Fingerprint: "e81d6b3f0c5a2974",
			},
		},
		Targets:   3,
		Resources: 14,
		// Every format with a summary shows the gaps and the Flux source.
		PartlyRendered: 1,
		NotRendered:    1,
		FluxSource:     `Flux source: GitRepository "flux-system" (bootstrap Kustomization in clusters/prod/flux-system/gotk-sync.yaml)`,
	}
}

func emptyInput() Input {
	return Input{
		Tool:      Tool{Name: "gitops-lint", Version: "1.2.3", InformationURI: "https://github.com/gitops-lint/gitops-lint"},
		Rules:     sampleRules(),
		Targets:   3,
		Resources: 14,
	}
}

func write(t *testing.T, in Input, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, in, opts); err != nil {
		t.Fatalf("Write(%+v): %v", opts, err)
	}
	return buf.Bytes()
}

func TestSampleIsMergedAndSorted(t *testing.T) {
	// Reporters trust their input's order; keep the fixture realistic.
	in := sampleInput()
	if diff := cmp.Diff(rules.Merge(in.Findings), in.Findings); diff != "" {
		t.Errorf("sample findings are not what rules.Merge returns (-merged +sample):\n%s", diff)
	}
}

func TestGolden(t *testing.T) {
	formats := []struct {
		suffix string
		opts   Options
	}{
		{suffix: ".txt", opts: Options{Format: FormatText}},
		{suffix: ".color.txt", opts: Options{Format: FormatText, Color: true}},
		{suffix: ".json", opts: Options{Format: FormatJSON}},
		{suffix: ".sarif", opts: Options{Format: FormatSARIF}},
		{suffix: ".github.txt", opts: Options{Format: FormatGitHub}},
		{suffix: ".gitlab.json", opts: Options{Format: FormatGitLab}},
	}
	inputs := []struct {
		name string
		in   Input
		// formats limits the input to these formats; empty means all.
		formats []string
	}{
		{name: "sample", in: sampleInput()},
		{name: "empty", in: emptyInput()},
		{name: "ci", in: ciInput(), formats: []string{FormatGitHub, FormatGitLab}},
	}
	for _, input := range inputs {
		for _, format := range formats {
			if len(input.formats) > 0 && !slices.Contains(input.formats, format.opts.Format) {
				continue
			}
			name := input.name + format.suffix
			t.Run(name, func(t *testing.T) {
				got := write(t, input.in, format.opts)
				path := filepath.Join("testdata", "golden", name)
				if *update {
					if err := os.WriteFile(path, got, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), string(got)); diff != "" {
					t.Errorf("%s differs (-want +got); run with -update if the change is intended:\n%s", path, diff)
				}
			})
		}
	}
}

func TestDeterministic(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			first := write(t, sampleInput(), Options{Format: format})
			for range 5 {
				if again := write(t, sampleInput(), Options{Format: format}); !bytes.Equal(first, again) {
					t.Fatal("two writes of the same input differ")
				}
			}
		})
	}
}

func TestWriteFormats(t *testing.T) {
	tests := []struct {
		name    string
		format  string
		wantErr string
	}{
		{name: "text", format: "text"},
		{name: "json", format: "json"},
		{name: "sarif", format: "sarif"},
		{name: "empty means text", format: ""},
		{name: "github", format: "github"},
		{name: "gitlab", format: "gitlab"},
		{name: "unknown", format: "xml", wantErr: `unknown format "xml" (valid: text, json, sarif, github, gitlab)`},
		{name: "case matters", format: "JSON", wantErr: `unknown format "JSON" (valid: text, json, sarif, github, gitlab)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, sampleInput(), Options{Format: tt.format})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Write: %v", err)
			case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
				t.Fatalf("Write error = %v, want %q", err, tt.wantErr)
			case tt.wantErr != "" && buf.Len() > 0:
				t.Fatalf("Write wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func TestEmptyFormatIsText(t *testing.T) {
	got := write(t, sampleInput(), Options{})
	want := write(t, sampleInput(), Options{Format: FormatText})
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("zero Options differ from text (-text +zero):\n%s", diff)
	}
}

// failingWriter fails every write, standing in for a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, os.ErrClosed }

func TestWriteReportsWriterErrors(t *testing.T) {
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			if err := Write(failingWriter{}, sampleInput(), Options{Format: format}); err == nil {
				t.Fatal("Write to a failing writer returned nil")
			}
		})
	}
}

func TestEmptyFindingsInEveryFormat(t *testing.T) {
	for _, findings := range [][]rules.Finding{nil, {}} {
		in := emptyInput()
		in.Findings = findings
		for _, format := range Formats() {
			t.Run(format, func(t *testing.T) {
				out := write(t, in, Options{Format: format})
				if len(out) == 0 || out[len(out)-1] != '\n' {
					t.Fatalf("output is empty or lacks a trailing newline: %q", out)
				}
				if format == FormatText || format == FormatGitHub {
					return
				}
				var doc any // an object, or GitLab's array
				if err := json.Unmarshal(out, &doc); err != nil {
					t.Fatalf("output is not JSON: %v", err)
				}
			})
		}
	}
}

func TestJSONFindingsNeverNull(t *testing.T) {
	for _, findings := range [][]rules.Finding{nil, {}} {
		in := emptyInput()
		in.Findings = findings
		in.Rules = nil
		var doc struct {
			Findings json.RawMessage `json:"findings"`
			Rules    json.RawMessage `json:"rules"`
		}
		if err := json.Unmarshal(write(t, in, Options{Format: FormatJSON}), &doc); err != nil {
			t.Fatal(err)
		}
		if string(doc.Findings) != "[]" || string(doc.Rules) != "[]" {
			t.Errorf("findings = %s, rules = %s; want [] for both", doc.Findings, doc.Rules)
		}
	}
}

// The JSON report's findings are rules.Finding; decoding them back must
// give the input, or JSON.md and the model have drifted apart.
func TestJSONRoundTrip(t *testing.T) {
	in := sampleInput()
	var doc struct {
		SchemaVersion int             `json:"schemaVersion"`
		Findings      []rules.Finding `json:"findings"`
		Summary       struct {
			Findings map[string]int `json:"findings"`
		} `json:"summary"`
	}
	if err := json.Unmarshal(write(t, in, Options{Format: FormatJSON}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SchemaVersion != JSONSchemaVersion {
		t.Errorf("schemaVersion = %d, want %d", doc.SchemaVersion, JSONSchemaVersion)
	}
	if diff := cmp.Diff(in.Findings, doc.Findings); diff != "" {
		t.Errorf("findings after a round trip (-in +decoded):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"error": 2, "warning": 2, "info": 1}, doc.Summary.Findings); diff != "" {
		t.Errorf("summary counts (-want +got):\n%s", diff)
	}
}

func TestTextWithoutColorHasNoEscapes(t *testing.T) {
	in := sampleInput()
	// A message quoting hostile file content must not reach the terminal raw.
	in.Findings[0].Message = "bad value \x1b[2J\x1b]0;pwned\x07 here"
	plain := write(t, in, Options{Format: FormatText})
	if i := bytes.IndexByte(plain, 0x1b); i >= 0 {
		t.Errorf("Color=false output has an escape byte at %d:\n%s", i, plain)
	}
	if !bytes.Contains(plain, []byte(`bad value \x1b[2J\x1b]0;pwned\a here`)) {
		t.Errorf("control characters in the message are not shown escaped:\n%s", plain)
	}
	colored := write(t, in, Options{Format: FormatText, Color: true})
	if !bytes.Contains(colored, []byte(ansiRed+"error"+ansiReset)) {
		t.Errorf("Color=true output does not color the error severity:\n%q", colored)
	}
}

func TestTextFinding(t *testing.T) {
	file := "a.yaml"
	tests := []struct {
		name    string
		finding rules.Finding
		want    string
	}{
		{
			name:    "line and column",
			finding: rules.Finding{RuleID: "r", Severity: rules.Error, Message: "m", Location: manifest.Origin{File: file, Line: 3, Col: 7}},
			want:    "  3:7  error    r  m\n",
		},
		{
			name:    "line only",
			finding: rules.Finding{RuleID: "r", Severity: rules.Warning, Message: "m", Location: manifest.Origin{File: file, Line: 3}},
			want:    "  3  warning  r  m\n",
		},
		{
			name:    "unknown line",
			finding: rules.Finding{RuleID: "r", Severity: rules.Info, Message: "m", Location: manifest.Origin{File: file}},
			want:    "  -  info     r  m\n",
		},
		{
			name: "resource and one target",
			finding: rules.Finding{RuleID: "r", Message: "m", Location: manifest.Origin{File: file, Line: 1},
				Resource: manifest.ResID{Kind: "ConfigMap", Name: "cfg"}, Targets: []string{"overlays/dev"}},
			want: "  1  info     r  m  (ConfigMap/cfg)\n",
		},
		{
			name: "several targets",
			finding: rules.Finding{RuleID: "r", Message: "m", Location: manifest.Origin{File: file, Line: 1},
				Targets: []string{"overlays/dev", "overlays/prod"}},
			want: "  1  info     r  m  in overlays/dev, overlays/prod\n",
		},
		{
			name: "related",
			finding: rules.Finding{RuleID: "r", Message: "m", Location: manifest.Origin{File: file, Line: 1},
				Related: []manifest.Origin{{File: "b.yaml", Line: 2, Col: 4}, {File: "c.yaml"}}},
			want: "  1  info     r  m\n    see b.yaml:2:4\n    see c.yaml\n",
		},
		{
			name:    "multi-line message",
			finding: rules.Finding{RuleID: "r", Message: "first\nsecond", Location: manifest.Origin{File: file, Line: 1}},
			want:    "  1  info     r  first\n    second\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Findings: []rules.Finding{tt.finding}, Targets: 1, Resources: 1}
			out := string(write(t, in, Options{Format: FormatText}))
			body, ok := strings.CutPrefix(out, file+"\n")
			if !ok {
				t.Fatalf("output does not start with the file header:\n%s", out)
			}
			body, _, _ = strings.Cut(body, "\n\n")
			if diff := cmp.Diff(tt.want, body+"\n"); diff != "" {
				t.Errorf("finding lines (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTextGroupsByFile(t *testing.T) {
	in := Input{Findings: []rules.Finding{
		{RuleID: "r", Message: "in b", Location: manifest.Origin{File: "b.yaml", Line: 1}},
		{RuleID: "r", Message: "in a, second", Location: manifest.Origin{File: "a.yaml", Line: 9}},
		{RuleID: "r", Message: "in a, first", Location: manifest.Origin{File: "a.yaml", Line: 2}},
		{RuleID: "r", Message: "nowhere"},
	}}
	want := `(no file)
  -  info     r  nowhere

a.yaml
  9  info     r  in a, second
  2  info     r  in a, first

b.yaml
  1  info     r  in b

0 targets (0 partly rendered, 0 not rendered), 0 resources: 0 errors, 0 warnings, 4 infos
`
	if diff := cmp.Diff(want, string(write(t, in, Options{}))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSummary(t *testing.T) {
	one := func(s rules.Severity) rules.Finding { return rules.Finding{Severity: s} }
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{
			name: "clean",
			in:   Input{Targets: 3, Resources: 12},
			want: "3 targets (0 partly rendered, 0 not rendered), 12 resources: no findings",
		},
		{
			name: "gaps",
			in:   Input{Targets: 12, PartlyRendered: 2, NotRendered: 1, Resources: 234},
			want: "12 targets (2 partly rendered, 1 not rendered), 234 resources: no findings",
		},
		{
			name: "singulars",
			in:   Input{Targets: 1, Resources: 1, Findings: []rules.Finding{one(rules.Error), one(rules.Warning), one(rules.Info)}},
			want: "1 target (0 partly rendered, 0 not rendered), 1 resource: 1 error, 1 warning, 1 info",
		},
		{
			name: "plurals",
			in:   Input{Targets: 2, Resources: 0, Findings: []rules.Finding{one(rules.Error), one(rules.Error), one(rules.Info), one(rules.Info)}},
			want: "2 targets (0 partly rendered, 0 not rendered), 0 resources: 2 errors, 0 warnings, 2 infos",
		},
		{
			name: "suppressed",
			in:   Input{Targets: 1, Resources: 4, Suppressed: 2},
			want: "1 target (0 partly rendered, 0 not rendered), 4 resources: no findings, 2 suppressed",
		},
		{
			name: "seconds",
			in:   Input{Targets: 1, Resources: 4, Duration: 1234 * time.Millisecond},
			want: "1 target (0 partly rendered, 0 not rendered), 4 resources: no findings (in 1.23s)",
		},
		{
			name: "milliseconds",
			in:   Input{Targets: 1, Resources: 4, Duration: 45_600 * time.Microsecond},
			want: "1 target (0 partly rendered, 0 not rendered), 4 resources: no findings (in 46ms)",
		},
		{
			name: "under a millisecond",
			in:   Input{Targets: 1, Resources: 4, Duration: 300 * time.Microsecond},
			want: "1 target (0 partly rendered, 0 not rendered), 4 resources: no findings (in <1ms)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := string(write(t, tt.in, Options{Format: FormatText}))
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			if got := lines[len(lines)-1]; got != tt.want {
				t.Errorf("summary = %q, want %q", got, tt.want)
			}
			if strings.Count(out, " targets (")+strings.Count(out, " target (") != 1 {
				t.Errorf("want exactly one summary line:\n%s", out)
			}
		})
	}
}

func TestFormatsAreAccepted(t *testing.T) {
	formats := Formats()
	if !slices.Equal(formats, []string{"text", "json", "sarif", "github", "gitlab"}) {
		t.Errorf("Formats() = %v", formats)
	}
	// Formats returns a fresh slice: a caller sorting it must not reorder ours.
	formats[0] = "changed"
	if Formats()[0] != "text" {
		t.Error("Formats() shares its backing array")
	}
}
