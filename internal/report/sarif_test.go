package report

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// sarifSchema compiles the official SARIF 2.1.0 schema kept under testdata
// (provenance in testdata/README.md), so validation never needs the network.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatalf("compiling the SARIF schema: %v", err)
	}
	return sch
}

// edgeInput holds what the sample does not: a rule missing from the
// catalogue, paths that need escaping, a finding without a file, a tool
// without version or URI.
func edgeInput() Input {
	return Input{
		Tool: Tool{Name: "gitops-lint"},
		Findings: []rules.Finding{
			{RuleID: "", Severity: rules.Info, Message: "no rule ID at all"},
			{RuleID: "rego-custom", Severity: rules.Warning, Message: "from a policy", Location: manifest.Origin{File: "apps/my app/deploy.yaml", Line: 2}},
			{RuleID: "rego-custom", Severity: rules.Error, Message: "colon", Location: manifest.Origin{File: "c:onfig.yaml", Col: 4},
				Related: []manifest.Origin{{File: "100%/x#y?.yaml"}, {}}},
		},
	}
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	sch := sarifSchema(t)
	tests := []struct {
		name string
		in   Input
	}{
		{name: "sample", in: sampleInput()},
		{name: "empty", in: emptyInput()},
		{name: "zero input", in: Input{}},
		{name: "edge cases", in: edgeInput()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := write(t, tt.in, Options{Format: FormatSARIF})
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
			if err != nil {
				t.Fatalf("output is not JSON: %v", err)
			}
			if err := sch.Validate(doc); err != nil {
				t.Errorf("output does not validate against SARIF 2.1.0:\n%v\n%s", err, out)
			}
		})
	}
}

// The validator must be able to fail, or the test above proves nothing.
func TestSARIFSchemaRejectsBrokenOutput(t *testing.T) {
	sch := sarifSchema(t)
	tests := []struct {
		name     string
		old, new string
	}{
		{name: "line 0", old: `"startLine": 9`, new: `"startLine": 0`},
		{name: "unknown level", old: `"level": "note"`, new: `"level": "info"`},
		{name: "wrong version", old: `"version": "2.1.0"`, new: `"version": "2.0.0"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := write(t, sampleInput(), Options{Format: FormatSARIF})
			if !bytes.Contains(out, []byte(tt.old)) {
				t.Fatalf("output lacks %s", tt.old)
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(bytes.Replace(out, []byte(tt.old), []byte(tt.new), 1)))
			if err != nil {
				t.Fatal(err)
			}
			if sch.Validate(doc) == nil {
				t.Errorf("the schema accepted %s", tt.new)
			}
		})
	}
}

func readSARIF(t *testing.T, in Input) *sarif.Run {
	t.Helper()
	log, err := sarif.FromBytes(write(t, in, Options{Format: FormatSARIF}))
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Runs) != 1 {
		t.Fatalf("got %d runs, want 1", len(log.Runs))
	}
	return log.Runs[0]
}

func TestSARIFRegionsStartAtLineOne(t *testing.T) {
	for name, in := range map[string]Input{"sample": sampleInput(), "edge cases": edgeInput()} {
		t.Run(name, func(t *testing.T) {
			for i, res := range readSARIF(t, in).Results {
				for _, loc := range append(res.Locations, res.RelatedLocations...) {
					region := loc.PhysicalLocation.Region
					if region == nil || region.StartLine == nil || *region.StartLine < 1 {
						t.Errorf("result %d (%s): a location has no startLine ≥ 1", i, *res.Message.Text)
					}
				}
			}
		})
	}
}

func TestSARIFResults(t *testing.T) {
	run := readSARIF(t, sampleInput())
	type result struct {
		RuleID, Level, Message, URI string
		RuleIndex, StartLine        int
		StartColumn                 *int
		Related                     int
		Fingerprint                 string
	}
	var got []result
	for _, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		if base := loc.ArtifactLocation.URIBaseID; base == nil || *base != "%SRCROOT%" {
			t.Errorf("%s: uriBaseId = %v, want %%SRCROOT%%", *res.RuleID, base)
		}
		got = append(got, result{
			RuleID: *res.RuleID, Level: res.Level, Message: *res.Message.Text, URI: *loc.ArtifactLocation.URI,
			RuleIndex: res.RuleIndex, StartLine: *loc.Region.StartLine, StartColumn: loc.Region.StartColumn,
			Related: len(res.RelatedLocations), Fingerprint: res.PartialFingerprints["gitopsLint/v1"],
		})
		if rule := run.Tool.Driver.Rules[res.RuleIndex]; *rule.ID != *res.RuleID {
			t.Errorf("ruleIndex %d of %s points at %s", res.RuleIndex, *res.RuleID, *rule.ID)
		}
	}
	col := func(n int) *int { return &n }
	want := []result{
		{RuleID: "schema-invalid", Level: "error", Message: `spec.replicas: expected integer, got string "three" (in overlays/dev, overlays/prod, overlays/staging)`,
			URI: "base/deployment.yaml", RuleIndex: 1, StartLine: 9, StartColumn: col(13), Related: 2, Fingerprint: "5d1c8a0e92f7b364"},
		{RuleID: "image-tag-latest", Level: "warning", Message: `container "web" uses image "nginx:latest" (in overlays/dev, overlays/prod)`,
			URI: "base/deployment.yaml", RuleIndex: 3, StartLine: 21, StartColumn: col(18), Fingerprint: "a07f3c5b1e2d9846"},
		{RuleID: "missing-schema", Level: "warning", Message: "no schema for example.com/v1alpha1 Widget; resources of this kind were not validated",
			URI: "crds/widget.yaml", RuleIndex: 2, StartLine: 1, Fingerprint: "c4e2f10b7a9d3658"},
		{RuleID: "kustomization-cycle", Level: "error", Message: "overlays/dev includes base, which includes overlays/dev",
			URI: "overlays/dev/kustomization.yaml", RuleIndex: 0, StartLine: 5, StartColumn: col(3), Fingerprint: "0b9e4d7c2a1f8536"},
		{RuleID: "single-replica", Level: "note", Message: "Deployment web runs a single replica",
			URI: "overlays/dev/replicas-patch.yaml", RuleIndex: 4, StartLine: 8, StartColumn: col(13), Fingerprint: "e81d6b3f0c5a2974"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}

	wantProps := map[string]any{
		"resource": "Deployment/shop/web",
		"path":     "/spec/replicas",
		"targets":  []any{"overlays/dev", "overlays/prod", "overlays/staging"},
	}
	if diff := cmp.Diff(wantProps, map[string]any(run.Results[0].Properties.Properties)); diff != "" {
		t.Errorf("properties (-want +got):\n%s", diff)
	}
	// Without a resource or path, only the target remains.
	if diff := cmp.Diff(map[string]any{"targets": []any{"overlays/dev"}}, map[string]any(run.Results[3].Properties.Properties)); diff != "" {
		t.Errorf("properties of a finding about a file (-want +got):\n%s", diff)
	}
}

func TestSARIFRules(t *testing.T) {
	run := readSARIF(t, sampleInput())
	if got := run.Tool.Driver; *got.Name != "gitops-lint" || *got.Version != "1.2.3" || *got.InformationURI != "https://github.com/gitops-lint/gitops-lint" {
		t.Errorf("driver = %s %s %s", *got.Name, *got.Version, *got.InformationURI)
	}
	type rule struct {
		ID, Name, Short, Full, HelpText, HelpMarkdown, Level, HelpURI string
	}
	deref := func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	}
	var got []rule
	for _, d := range run.Tool.Driver.Rules {
		r := rule{ID: *d.ID, Name: *d.Name, Short: *d.ShortDescription.Text, Level: d.DefaultConfiguration.Level, HelpURI: deref(d.HelpURI)}
		if d.FullDescription != nil {
			r.Full = *d.FullDescription.Text
		}
		if d.Help != nil {
			r.HelpText, r.HelpMarkdown = *d.Help.Text, *d.Help.Markdown
		}
		got = append(got, r)
	}
	// Only the rules with results are described, in catalogue order.
	used := map[string]bool{}
	for _, f := range sampleInput().Findings {
		used[f.RuleID] = true
	}
	var want []rule
	for _, r := range sampleRules() {
		if !used[r.ID] {
			continue
		}
		level := map[rules.Severity]string{rules.Error: "error", rules.Warning: "warning", rules.Info: "note"}[r.Severity]
		want = append(want, rule{ID: r.ID, Name: camelCase(r.Title()), Short: r.Title(), Full: r.Description(),
			HelpText: r.Remediation, HelpMarkdown: r.Remediation, Level: level, HelpURI: r.HelpURI})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rule table (-want +got):\n%s", diff)
	}
}

func TestSARIFEdgeCases(t *testing.T) {
	run := readSARIF(t, edgeInput())
	var ids []string
	for _, d := range run.Tool.Driver.Rules {
		ids = append(ids, *d.ID)
	}
	// Rules absent from the catalogue are appended in order of appearance.
	if diff := cmp.Diff([]string{"", "rego-custom"}, ids); diff != "" {
		t.Errorf("rule IDs (-want +got):\n%s", diff)
	}
	if d := run.Tool.Driver; d.Version != nil || d.InformationURI != nil {
		t.Errorf("driver has version %v and informationUri %v; want neither when unset", d.Version, d.InformationURI)
	}
	if n := len(run.Results[0].Locations); n != 0 {
		t.Errorf("a finding without a file has %d locations, want 0", n)
	}
	var uris []string
	for _, res := range run.Results[1:] {
		for _, loc := range append(res.Locations, res.RelatedLocations...) {
			uris = append(uris, *loc.PhysicalLocation.ArtifactLocation.URI)
		}
	}
	if diff := cmp.Diff([]string{"apps/my%20app/deploy.yaml", "./c:onfig.yaml", "100%25/x%23y%3F.yaml"}, uris); diff != "" {
		t.Errorf("artifact URIs (-want +got):\n%s", diff)
	}
	if col := run.Results[2].Locations[0].PhysicalLocation.Region.StartColumn; col != nil {
		t.Errorf("startColumn = %d for an unknown line; a column without its line means nothing", *col)
	}
}

func TestCamelCase(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{in: "Malformed YAML", want: "MalformedYAML"},
		{in: "render-error", want: "RenderError"},
		{in: "API version not served", want: "APIVersionNotServed"},
		{in: "Path leaves the repository", want: "PathLeavesTheRepository"},
		{in: "image uses a 'latest' tag", want: "ImageUsesALatestTag"},
		{in: "", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := camelCase(tt.in); got != tt.want {
				t.Errorf("camelCase(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
