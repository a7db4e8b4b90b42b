package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// repoWith makes a repository with the given files (content "" for a
// directory).
func repoWith(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestParse(t *testing.T) {
	root := repoWith(t, map[string]string{"policy/": "", "policy/data/": ""})
	tests := []struct {
		name string
		yaml string
		// wantErr lists substrings of the error, each with its
		// file:line; empty means the file is valid.
		wantErr []string
		check   func(t *testing.T, c *Config)
	}{
		{name: "empty file", yaml: "", check: func(t *testing.T, c *Config) {
			if c.KubernetesVersion.Line != 0 || len(c.Rules) != 0 {
				t.Errorf("empty file gave %+v", c)
			}
		}},
		{name: "only comments", yaml: "# nothing\n"},
		{name: "explicit null", yaml: "include:\nrules:\n"},
		{
			name: "valid",
			yaml: `kubernetesVersion: 1.36
failOn: warning
include: [apps/**]
exclude: ./vendor
rules:
  recommended-labels: off
  run-as-root: INFO
overrides:
  - paths: ["tests/**"]
    rules: {plaintext-secret: off}
policies:
  paths: [policy]
  builtin: false
`,
			check: func(t *testing.T, c *Config) {
				if c.KubernetesVersion.Value != "1.36" || c.FailOn != "warning" {
					t.Errorf("scalars: %q %q", c.KubernetesVersion.Value, c.FailOn)
				}
				if diff := cmp.Diff([]Glob{{Pattern: "vendor", Line: 4}}, c.Exclude); diff != "" {
					t.Errorf("exclude (-want +got):\n%s", diff)
				}
				want := []RuleSetting{{ID: "recommended-labels", Off: true, Line: 6}, {ID: "run-as-root", Severity: rules.Info, Line: 7}}
				if diff := cmp.Diff(want, c.Rules); diff != "" {
					t.Errorf("rules (-want +got):\n%s", diff)
				}
				if got := c.Policies.Paths; len(got) != 1 || got[0] != filepath.Join(root, "policy") {
					t.Errorf("policy paths %v are not joined with the root", got)
				}
				if c.Policies.Builtin == nil || *c.Policies.Builtin {
					t.Errorf("builtin = %v, want false", c.Policies.Builtin)
				}
			},
		},
		{name: "unknown key at the top", yaml: "include: [a]\nexlude: [b]\n", wantErr: []string{`cfg.yaml:2: unknown key "exlude"; did you mean "exclude"?`}},
		{name: "unknown key far from any", yaml: "colour: red\n", wantErr: []string{`cfg.yaml:1: unknown key "colour" (want one of baseline, cacheURL, chartDirs, crds, exclude, failOn, gitops, include,`}},
		{name: "unknown key nested", yaml: "targets:\n  - paths: [a]\n    skp: true\n", wantErr: []string{`cfg.yaml:3: unknown key "skp" in targets[0]; did you mean "skip"?`}},
		{name: "unknown key in the allowlist", yaml: "secrets:\n  allowlist:\n    path: [a]\n", wantErr: []string{`cfg.yaml:3: unknown key "path" in secrets.allowlist; did you mean "paths"?`}},
		{name: "cacheURL", yaml: "failOn: error\ncacheURL: s3://ci-cache/gitops-lint?region=eu-west-1\n", check: func(t *testing.T, c *Config) {
			if c.CacheURL != "s3://ci-cache/gitops-lint?region=eu-west-1" || c.CacheURLLine != 2 {
				t.Errorf("cacheURL %q at line %d", c.CacheURL, c.CacheURLLine)
			}
		}},
		{name: "cacheURL not a URL", yaml: "cacheURL: my-bucket\n", wantErr: []string{`cfg.yaml:1: cacheURL: not a bucket URL`}},
		{name: "duplicate key", yaml: "failOn: error\nfailOn: info\n", wantErr: []string{`cfg.yaml:2: duplicate key "failOn"`}},
		{name: "bad severity", yaml: "rules:\n  run-as-root: loud\n", wantErr: []string{`cfg.yaml:2: rules.run-as-root: unknown severity "loud"`}},
		{name: "bad severity in an override", yaml: "overrides:\n- paths: [a]\n  rules:\n    x: fatal\n", wantErr: []string{`cfg.yaml:4: overrides[0].rules.x: unknown severity "fatal"`}},
		{name: "severity not a string", yaml: "rules:\n  x: [error]\n", wantErr: []string{`cfg.yaml:2: rules.x: want off, error, warning or info, got a list`}},
		{name: "bad failOn", yaml: "failOn: fatal\n", wantErr: []string{`cfg.yaml:1: failOn: unknown severity "fatal"`}},
		{name: "bad glob", yaml: "exclude:\n  - ok/**\n  - \"[a-\"\n", wantErr: []string{`cfg.yaml:3: exclude: bad glob "[a-"`}},
		{name: "empty glob", yaml: "include: \"\"\n", wantErr: []string{`cfg.yaml:1: include: want a non-empty string`}},
		{name: "absolute glob", yaml: "include: [/etc]\n", wantErr: []string{`cfg.yaml:1: include: glob "/etc" must be relative`}},
		{name: "glob climbing out", yaml: "exclude: [../x]\n", wantErr: []string{`cfg.yaml:1: exclude: glob "../x" climbs out`}},
		{name: "bad kubernetes version", yaml: "\nkubernetesVersion: \"1.12\"\n", wantErr: []string{`cfg.yaml:2: kubernetesVersion: kubernetes version "1.12" is not supported`}},
		{name: "kubernetes version not a string", yaml: "kubernetesVersion: [1.30]\n", wantErr: []string{`cfg.yaml:1: kubernetesVersion: want a string, got a list`}},
		{name: "baseline leaving the repository", yaml: "baseline: ../b.json\n", wantErr: []string{`cfg.yaml:1: baseline: ../b.json leaves the repository`}},
		{name: "a list entry that is not a mapping", yaml: "targets: [a]\n", wantErr: []string{`cfg.yaml:1: targets[0]: want a mapping, got "a"`}},
		{name: "a list for a list entry", yaml: "targets: [[a]]\n", wantErr: []string{`cfg.yaml:1: targets[0]: want a mapping, got a list`}},
		{name: "a list for a nested mapping", yaml: "secrets: {allowlist: [a]}\n", wantErr: []string{`cfg.yaml:1: secrets.allowlist: want a mapping, got a list`}},
		{name: "a mapping for a list", yaml: "overrides: {paths: a}\n", wantErr: []string{`cfg.yaml:1: overrides: want a list, got a mapping`}},
		{name: "duplicate key nested", yaml: "policies:\n  builtin: true\n  builtin: false\n", wantErr: []string{`cfg.yaml:3: duplicate key "builtin"`}},
		{name: "duplicate rule", yaml: "rules:\n  a: off\n  a: info\n", wantErr: []string{`cfg.yaml:3: duplicate rule "a" in rules`}},
		{name: "bad load restrictor", yaml: "loadRestrictor: all\n", wantErr: []string{`cfg.yaml:1: loadRestrictor: unknown load restrictor "all"`}},
		{name: "bad target load restrictor", yaml: "targets:\n- paths: a\n  loadRestrictor: some\n", wantErr: []string{`cfg.yaml:3: loadRestrictor: unknown load restrictor "some"`}},
		{name: "target without paths", yaml: "targets:\n- skip: true\n", wantErr: []string{`cfg.yaml:2: targets[0]: paths is required`}},
		{name: "override without rules", yaml: "overrides:\n- paths: [a]\n", wantErr: []string{`cfg.yaml:2: overrides[0]: rules is required`}},
		{name: "skip not a boolean", yaml: "targets:\n- paths: a\n  skip: yes\n", wantErr: []string{`cfg.yaml:3: targets[0].skip: want true or false, got "yes"`}},
		{name: "list expected", yaml: "include:\n  a: b\n", wantErr: []string{`cfg.yaml:2: include: want a list of strings, got a mapping`}},
		{name: "a number for a list", yaml: "include: 5\n", wantErr: []string{`cfg.yaml:1: include: want a list of strings, got the int "5"`}},
		{name: "a number for namespaces", yaml: "policies:\n  namespaces: 7\n", wantErr: []string{`cfg.yaml:2: policies.namespaces: want a list of strings, got the int "7"`}},
		{name: "a number for allowlist paths", yaml: "secrets:\n  allowlist:\n    paths: 3\n", wantErr: []string{`cfg.yaml:3: secrets.allowlist.paths: want a list of strings, got the int "3"`}},
		{name: "a boolean for a list", yaml: "exclude: true\n", wantErr: []string{`cfg.yaml:1: exclude: want a list of strings, got the bool "true"`}},
		{name: "bad regex holding a token", yaml: "secrets:\n  allowlist:\n    regexes: [\"(tok3n-abcdefghijklmnop\"]\n", wantErr: []string{`cfg.yaml:3: secrets.allowlist.regexes: error parsing regexp: missing closing ) in the pattern starting "(tok3n…"`}},
		{name: "mapping expected", yaml: "policies: [a]\n", wantErr: []string{`cfg.yaml:1: policies: want a mapping, got a list`}},
		{name: "top level not a mapping", yaml: "- a\n", wantErr: []string{`cfg.yaml:1: the file: want a mapping, got a list`}},
		{name: "bad rego version", yaml: "policies:\n  regoVersion: v2\n", wantErr: []string{`cfg.yaml:2: policies.regoVersion: unknown Rego version "v2"`}},
		{name: "policy path missing", yaml: "policies:\n  paths: [nope]\n", wantErr: []string{`cfg.yaml:2: policies.paths: nope does not exist in the repository`}},
		{name: "policy path outside", yaml: "policies:\n  data: [../../etc]\n", wantErr: []string{`cfg.yaml:2: policies.data: ../../etc leaves the repository`}},
		{name: "policy path absolute", yaml: "policies:\n  paths: [/etc]\n", wantErr: []string{`cfg.yaml:2: policies.paths: /etc must be relative`}},
		{name: "schema location outside", yaml: "schemaLocations: [\"../s/{{ .ResourceKind }}.json\"]\n", wantErr: []string{`cfg.yaml:1: schemaLocations: ../s/{{ .ResourceKind }}.json leaves the repository`}},
		{name: "schema location of another scheme", yaml: "schemaLocations: [\"file:///etc/{{ .ResourceKind }}\"]\n", wantErr: []string{`cfg.yaml:1: schemaLocations: "file:///etc/{{ .ResourceKind }}": only http(s)`}},
		{name: "gitops production glob", yaml: "gitops:\n  fluxSources: [flux-system]\n  production: [\"[prod\"]\n", wantErr: []string{`cfg.yaml:3: gitops.production: "[prod" is not a glob`}},
		{name: "chartDirs leaving the repository", yaml: "chartDirs:\n  - vendor/charts\n  - /opt/charts\n  - ../elsewhere\n", wantErr: []string{`cfg.yaml:4: chartDirs: ../elsewhere leaves the repository`}},
		{name: "crds leaving the repository", yaml: "crds:\n  - vendor/crds\n  - ../elsewhere\n", wantErr: []string{`cfg.yaml:3: crds: ../elsewhere leaves the repository`}},
		{name: "bad regex", yaml: "secrets:\n  allowlist:\n    regexes: [\"(\"]\n", wantErr: []string{`cfg.yaml:3: secrets.allowlist.regexes: error parsing regexp`}},
		{name: "bad fingerprint", yaml: "secrets:\n  allowlist:\n    fingerprints: [a.yaml]\n", wantErr: []string{`cfg.yaml:3: secrets.allowlist.fingerprints: "a.yaml" is not a gitleaks fingerprint`}},
		{name: "syntax error", yaml: "include: [a\nexclude: b\n", wantErr: []string{`cfg.yaml:1: did not find expected ',' or ']'`}},
		{name: "two documents", yaml: "include: [a]\n---\nexclude: [b]\n", wantErr: []string{`cfg.yaml:3: the file holds more than one YAML document`}},
		{
			name:    "every error is reported",
			yaml:    "failOn: loud\nrules:\n  a: loud\nexlude: x\n",
			wantErr: []string{`cfg.yaml:1: failOn`, `cfg.yaml:3: rules.a`, `cfg.yaml:4: unknown key "exlude"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("cfg.yaml", root, []byte(tt.yaml))
			if err == nil {
				err = c.CheckValues(fakeChecks)
			}
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("no error, want %q", tt.wantErr)
				}
				for _, want := range tt.wantErr {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error\n%v\ndoes not contain %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

// fakeChecks stand for the API table and the Rego engine, which the
// CLI passes in (cmd/gitops-lint tests the real ones).
var fakeChecks = ValueChecks{
	KubernetesVersion: func(v string) error {
		if v == "1.12" {
			return fmt.Errorf("kubernetes version %q is not supported", v)
		}
		return nil
	},
	RegoVersion: func(v string) error {
		if v != "v0" && v != "v1" && v != "auto" {
			return fmt.Errorf("unknown Rego version %q", v)
		}
		return nil
	},
}

func TestLoad(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "cfg.yaml"), []byte("failOn: info\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		files    map[string]string
		link     string // a FileName symlink to the outside file, when set
		explicit string // relative to the root, or absolute
		wantFile string // relative to the root; "" for no file
		wantErr  string
	}{
		{name: "no file", files: map[string]string{"a.yaml": ""}},
		{name: "default file", files: map[string]string{FileName: "failOn: info\n"}, wantFile: FileName},
		{name: "explicit file", files: map[string]string{"ci/lint.yaml": "failOn: info\n", FileName: "bogus: 1\n"}, explicit: "ci/lint.yaml", wantFile: "ci/lint.yaml"},
		{name: "explicit file missing", files: map[string]string{}, explicit: "ci/lint.yaml", wantErr: "lint.yaml does not exist"},
		{name: "explicit file outside", files: map[string]string{}, explicit: filepath.Join(outside, "cfg.yaml"), wantErr: "is outside the repository"},
		{name: "symlink out of the repository", files: map[string]string{}, link: filepath.Join(outside, "cfg.yaml"), wantErr: "is outside the repository"},
		{name: "a directory", files: map[string]string{FileName + "/": ""}, wantErr: "is not a regular file"},
		{name: "errors name the file as given", files: map[string]string{FileName: "bogus: 1\n"}, wantErr: FileName + `:1: unknown key "bogus"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			root := filepath.Join(parent, "repo")
			if err := os.Mkdir(root, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, content := range tt.files {
				p := filepath.Join(root, filepath.FromSlash(name))
				if strings.HasSuffix(name, "/") {
					if err := os.MkdirAll(p, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tt.link != "" {
				if err := os.Symlink(tt.link, filepath.Join(root, FileName)); err != nil {
					t.Fatal(err)
				}
			}
			explicit := ""
			if tt.explicit != "" {
				explicit = tt.explicit
				if !filepath.IsAbs(explicit) {
					explicit = filepath.Join(root, explicit)
				}
			}
			c, err := Load(root, explicit)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := ""
			if tt.wantFile != "" {
				want = filepath.Join(root, tt.wantFile)
			}
			if c.File != want {
				t.Errorf("File = %q, want %q", c.File, want)
			}
		})
	}
	if c, err := Load(filepath.Join(outside, "missing"), ""); err != nil || c.File != "" {
		t.Errorf("a missing root without --config: %v, %+v; want an empty configuration (discovery reports the root)", err, c)
	}
}

func TestCheckRules(t *testing.T) {
	c, err := Parse("cfg.yaml", t.TempDir(), []byte("rules:\n  run-as-root: off\n  run-as-rot: info\noverrides:\n- paths: [a]\n  rules:\n    zzz: off\n"))
	if err != nil {
		t.Fatal(err)
	}
	catalogue := []*rules.Rule{{ID: "run-as-root"}, {ID: "plaintext-secret"}}
	err = c.CheckRules(catalogue)
	for _, want := range []string{`cfg.yaml:3: unknown rule "run-as-rot"; did you mean "run-as-root"?`, `cfg.yaml:7: unknown rule "zzz" (see gitops-lint rules)`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("err = %v, want %q", err, want)
		}
	}
	if err := (&Config{}).CheckRules(catalogue); err != nil {
		t.Errorf("empty configuration: %v", err)
	}
}

func TestTarget(t *testing.T) {
	c, err := Parse("cfg.yaml", t.TempDir(), []byte(`loadRestrictor: none
include: [apps, clusters/**]
exclude: ["**/examples"]
targets:
  - paths: [apps/legacy/**]
    skip: true
  - paths: [apps/legacy/keep]
    skip: false
    loadRestrictor: rootOnly
  - paths: [apps/*/overlays/prd-*]
    environment: production
`))
	if err != nil {
		t.Fatal(err)
	}
	s := c.Scope(types.LoadRestrictionsUnknown)
	tests := []struct {
		dir  string
		want TargetSettings
	}{
		{dir: "apps/shop/overlays/dev", want: TargetSettings{LoadRestrictions: types.LoadRestrictionsNone}},
		{dir: "apps/shop/overlays/prd-eu", want: TargetSettings{LoadRestrictions: types.LoadRestrictionsNone, Environment: "production"}},
		{dir: "clusters/prod", want: TargetSettings{LoadRestrictions: types.LoadRestrictionsNone}},
		{dir: "other/x", want: TargetSettings{Skipped: "not matched by include at cfg.yaml:2", LoadRestrictions: types.LoadRestrictionsNone}},
		{dir: ".", want: TargetSettings{Skipped: "not matched by include at cfg.yaml:2", LoadRestrictions: types.LoadRestrictionsNone}},
		{dir: "apps/shop/examples", want: TargetSettings{Skipped: "excluded by cfg.yaml:3", LoadRestrictions: types.LoadRestrictionsNone}},
		{dir: "apps/legacy/old", want: TargetSettings{Skipped: "skip: true at cfg.yaml:5", LoadRestrictions: types.LoadRestrictionsNone}},
		{dir: "apps/legacy/keep", want: TargetSettings{LoadRestrictions: types.LoadRestrictionsRootOnly}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, s.Target(tt.dir, nil)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	plain := s.Target("apps/docs", []string{"apps/docs/a.yaml", "apps/docs/examples/b.yaml"})
	if plain.Skipped != "" || !slices.Equal(plain.Files, []string{"apps/docs/a.yaml"}) {
		t.Errorf("plain target: %+v, want only a.yaml left", plain)
	}
	if got := s.Target("apps/docs", []string{"apps/docs/examples/b.yaml"}); got.Skipped != "every file is excluded by cfg.yaml" {
		t.Errorf("plain target with only excluded files: %+v", got)
	}
	flag := c.Scope(types.LoadRestrictionsRootOnly)
	if got := flag.Target("apps/legacy/keep", nil).LoadRestrictions; got != types.LoadRestrictionsRootOnly {
		t.Errorf("after the flag: %v", got)
	}
	if got := flag.Target("apps/shop/overlays/dev", nil).LoadRestrictions; got != types.LoadRestrictionsRootOnly {
		t.Errorf("after the flag: %v", got)
	}
	var none *Scope
	if got := none.Target("a", nil); got.Skipped != "" || got.LoadRestrictions != types.LoadRestrictionsUnknown || got.Environment != "" {
		t.Errorf("no file: %+v", got)
	}
	if !s.Excluded("apps/shop/examples/deploy.yaml") || s.Excluded("apps/shop/base/deploy.yaml") {
		t.Error("Excluded does not follow exclude")
	}
}

func TestAdjust(t *testing.T) {
	c, err := Parse("cfg.yaml", t.TempDir(), []byte(`overrides:
  - paths: ["tests/**"]
    rules: {run-as-root: off, plaintext-secret: info}
  - paths: ["tests/keep/**"]
    rules: {run-as-root: warning}
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		rule     string
		file     string
		wantKeep bool
		wantSev  rules.Severity
	}{
		{name: "dropped", rule: "run-as-root", file: "tests/a.yaml", wantKeep: false},
		{name: "later entry wins", rule: "run-as-root", file: "tests/keep/a.yaml", wantKeep: true, wantSev: rules.Warning},
		{name: "severity changed", rule: "plaintext-secret", file: "tests/keep/a.yaml", wantKeep: true, wantSev: rules.Info},
		{name: "other rule untouched", rule: "schema-invalid", file: "tests/a.yaml", wantKeep: true, wantSev: rules.Error},
		{name: "other path untouched", rule: "run-as-root", file: "apps/a.yaml", wantKeep: true, wantSev: rules.Error},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := rules.Finding{RuleID: tt.rule, Severity: rules.Error, Location: manifest.Origin{File: tt.file, Line: 1}}
			keep := c.Scope(types.LoadRestrictionsUnknown).Adjust(&f)
			if keep != tt.wantKeep || (keep && f.Severity != tt.wantSev) {
				t.Errorf("Adjust = %v, %v; want %v, %v", keep, f.Severity, tt.wantKeep, tt.wantSev)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	c, err := Parse("cfg.yaml", t.TempDir(), []byte("rules:\n  a: off\n  b: warning\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := rules.Settings{Disabled: map[string]bool{"a": true}, Severity: map[string]rules.Severity{"b": rules.Warning}}
	if diff := cmp.Diff(want, c.Settings()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// testTemplate is the template with the versions the CLI would pass.
func testTemplate(active bool) TemplateOptions {
	return TemplateOptions{Active: active, KubernetesVersions: "a minor from 1.16 to 1.37", KubernetesExample: "1.37"}
}

// TestTemplate loads what gitops-lint init writes (it must change
// nothing) and the same with every example uncommented (every example
// must be valid, and every key must be shown).
func TestTemplate(t *testing.T) {
	root := repoWith(t, map[string]string{"policy/": "", "policy/data/": ""})
	c, err := Parse(FileName, root, Template(testTemplate(false)))
	if err != nil {
		t.Fatalf("the commented template does not load: %v", err)
	}
	if diff := cmp.Diff(&Config{File: FileName}, c); diff != "" {
		t.Errorf("the commented template sets something (-want +got):\n%s", diff)
	}
	c, err = Parse(FileName, root, Template(testTemplate(true)))
	if err != nil {
		t.Fatalf("the template's examples do not load: %v", err)
	}
	unset := []string{}
	for name, isSet := range map[string]bool{
		"kubernetesVersion": c.KubernetesVersion.Line > 0, "failOn": c.FailOn != "", "loadRestrictor": c.LoadRestrictions != types.LoadRestrictionsUnknown,
		"include": len(c.Include) > 0, "exclude": len(c.Exclude) > 0, "targets": len(c.Targets) == 3,
		"rules": len(c.Rules) > 0, "overrides": len(c.Overrides) > 0,
		"policies":        len(c.Policies.Paths) > 0 && len(c.Policies.Data) > 0 && len(c.Policies.Namespaces) > 0 && c.Policies.AllNamespaces != nil && c.Policies.Builtin != nil && c.Policies.RegoVersion.Line > 0,
		"schemaLocations": len(c.SchemaLocations) > 0, "crds": len(c.CRDs) > 0, "chartDirs": len(c.ChartDirs) > 0, "baseline": c.Baseline.Line > 0,
		"gitops":  len(c.GitOps.FluxSources) > 0 && len(c.GitOps.RepoURLs) > 0 && len(c.GitOps.Production) > 0,
		"secrets": len(c.Secrets.Paths) > 0 && len(c.Secrets.Regexes) > 0 && len(c.Secrets.Fingerprints) > 0,
	} {
		if !isSet {
			unset = append(unset, name)
		}
	}
	if len(unset) > 0 {
		t.Errorf("the template does not show %v", unset)
	}
}

// TestREADMEExample keeps the full example of the README's
// Configuration section valid.
func TestREADMEExample(t *testing.T) {
	block := readmeExample(t)
	root := repoWith(t, map[string]string{"policy/": "", "policy/data/": ""})
	c, err := Parse("README.md", root, []byte(block))
	if err != nil {
		t.Fatalf("the README's example does not load: %v", err)
	}
	if len(c.Targets) != 3 || len(c.Overrides) != 1 || len(c.Secrets.Fingerprints) != 1 {
		t.Errorf("the example lost keys: %+v", c)
	}
}

// readmeExample is the yaml block of the README's Configuration section.
func readmeExample(t *testing.T) string {
	t.Helper()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(readme), "\n## Configuration\n")
	if !ok {
		t.Fatal("README has no Configuration section")
	}
	_, block, ok := strings.Cut(section, "```yaml\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("the Configuration section has no yaml block")
	}
	return block
}

// TestAliasBomb refuses a configuration file whose aliases would expand
// past the shared budget, naming the line.
func TestAliasBomb(t *testing.T) {
	root := "../../testdata/repos/hostile/alias-config/repo"
	_, err := Load(root, "")
	if err == nil || !strings.Contains(err.Error(), FileName+":8:") || !strings.Contains(err.Error(), "alias") {
		t.Fatalf("Load = %v, want an alias-expansion error at %s:8", err, FileName)
	}
}

func TestPolicyTimeoutKey(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    time.Duration
		wantErr string
	}{
		{name: "duration", data: "policies:\n  timeout: 30s\n", want: 30 * time.Second},
		{name: "not a duration", data: "policies:\n  timeout: soon\n", wantErr: ":2:"},
		{name: "zero", data: "policies:\n  timeout: 0s\n", wantErr: ":2:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := Parse(FileName, t.TempDir(), []byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse = %v, want an error at line %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Policies.Timeout != tt.want {
				t.Errorf("timeout = %v, want %v", cfg.Policies.Timeout, tt.want)
			}
		})
	}
}
