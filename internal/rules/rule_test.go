package rules

import (
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/google/go-cmp/cmp"
)

func TestBuiltinCatalogueIsValid(t *testing.T) {
	if err := Validate(Builtin()); err != nil {
		t.Fatal(err)
	}
}

func TestValidateRejects(t *testing.T) {
	tests := []struct {
		name  string
		rules []*Rule
	}{
		{name: "duplicate id", rules: []*Rule{{ID: "a", Doc: "A", Remediation: "x"}, {ID: "a", Doc: "B", Remediation: "x"}}},
		{name: "missing doc", rules: []*Rule{{ID: "a", Remediation: "x"}}},
		{name: "missing id", rules: []*Rule{{Doc: "A", Remediation: "x"}}},
		{name: "missing remediation", rules: []*Rule{{ID: "a", Doc: "A"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Validate(tt.rules); err == nil {
				t.Fatal("Validate accepted an invalid catalogue")
			}
		})
	}
}

func TestMergeUnitesTargetsAndSorts(t *testing.T) {
	base := manifest.Origin{File: "base/deployment.yml", Line: 7}
	in := []Finding{
		{RuleID: "r", Message: "m", Location: base, Targets: []string{"overlays/prod"}},
		{RuleID: "r", Message: "m", Location: manifest.Origin{File: "a.yaml", Line: 1}, Targets: []string{"x"}},
		{RuleID: "r", Message: "m", Location: base, Targets: []string{"overlays/dev"}},
	}
	got := Merge(in)
	want := []Finding{
		{RuleID: "r", Message: "m", Location: manifest.Origin{File: "a.yaml", Line: 1}, Targets: []string{"x"}},
		{RuleID: "r", Message: "m", Location: base, Targets: []string{"overlays/dev", "overlays/prod"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Merge (-want +got):\n%s", diff)
	}
}

func TestFingerprintIgnoresLines(t *testing.T) {
	id := manifest.ResID{APIVersion: "apps/v1", Kind: "Deployment", Name: "web"}
	a := Fingerprint("schema-invalid", "base/d.yml", id, "/spec/replicas", "")
	b := Fingerprint("schema-invalid", "base/d.yml", id, "/spec/replicas", "")
	c := Fingerprint("schema-invalid", "base/d.yml", id, "/spec/template", "")
	if a != b || a == c || len(a) != 16 {
		t.Fatalf("fingerprints: %q %q %q", a, b, c)
	}
}

func TestParseSeverity(t *testing.T) {
	for _, s := range []Severity{Info, Warning, Error} {
		got, err := ParseSeverity(s.String())
		if err != nil || got != s {
			t.Errorf("ParseSeverity(%q) = %v, %v", s, got, err)
		}
	}
	if _, err := ParseSeverity("fatal"); err == nil {
		t.Error("ParseSeverity accepted fatal")
	}
}

func TestSettings(t *testing.T) {
	catalogue := []*Rule{
		{ID: "a", Severity: Error, Doc: "A", Remediation: "fix"},
		{ID: "b", Severity: Warning, Doc: "B", Remediation: "fix"},
		{ID: "c", Severity: Info, Doc: "C", Remediation: "fix"},
	}
	tests := []struct {
		name            string
		disable, enable []string
		// base, when set, are settings (a configuration file's) that the
		// flags go over.
		base    *Settings
		want    []string // id=severity of the rules that run
		wantErr string
	}{
		{name: "defaults", want: []string{"a=error", "b=warning", "c=info"}},
		{name: "disable list", disable: []string{"a,c"}, want: []string{"b=warning"}},
		{name: "enable wins and sets severity", disable: []string{"a", "b"}, enable: []string{"b=error"}, want: []string{"b=error", "c=info"}},
		{name: "unknown rule", disable: []string{"nope"}, wantErr: "unknown rule nope"},
		{name: "bad severity", enable: []string{"a=loud"}, wantErr: "--enable a=loud"},
		{name: "unknown rule enabled", enable: []string{"nope"}, wantErr: "unknown rule nope"},
		{
			name:    "flags over the file: enable turns back on, disable turns off, severity replaces",
			base:    &Settings{Disabled: map[string]bool{"a": true}, Severity: map[string]Severity{"b": Info, "c": Error}},
			disable: []string{"c"}, enable: []string{"a", "b=error"},
			want: []string{"a=error", "b=error"},
		},
		{
			name: "the file's settings stay where flags say nothing",
			base: &Settings{Disabled: map[string]bool{"a": true}, Severity: map[string]Severity{"b": Info}},
			want: []string{"b=info", "c=info"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseSettings(tt.disable, tt.enable)
			if tt.base != nil {
				s = s.Over(*tt.base)
			}
			var got []*Rule
			if err == nil {
				got, err = s.Apply(catalogue)
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range got {
				ids = append(ids, r.ID+"="+r.Severity.String())
			}
			if diff := cmp.Diff(tt.want, ids); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if catalogue[1].Severity != Warning {
				t.Error("Apply changed the catalogue it was given")
			}
		})
	}
}

func TestCompileRegexpQuotesOnlyAPrefix(t *testing.T) {
	secret := "ghp_" + strings.Repeat("x9", 18)
	tests := []struct {
		name, expr, want string
	}{
		{name: "unclosed group holding a token", expr: "(" + secret, want: `error parsing regexp: missing closing ) in the pattern starting "(ghp_x…"`},
		{name: "short pattern", expr: "a(", want: `error parsing regexp: missing closing ) in the pattern starting "a("`},
		{name: "bad repetition at the end", expr: secret + "**", want: `error parsing regexp: invalid nested repetition operator in the pattern starting "ghp_x9…"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := CompileRegexp(tc.expr)
			if err == nil || err.Error() != tc.want {
				t.Fatalf("error = %v, want %s", err, tc.want)
			}
			if strings.Contains(err.Error(), secret[:12]) {
				t.Errorf("the error quotes the pattern: %v", err)
			}
		})
	}
	if _, err := CompileRegexp(`^AKIA[0-9A-Z]{16}$`); err != nil {
		t.Errorf("a good pattern: %v", err)
	}
}
