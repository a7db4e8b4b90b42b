package rego

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

const manifests = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: app
          image: registry.example.com/web:latest
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: legacy
  labels:
    app.kubernetes.io/name: legacy
spec:
  template:
    spec:
      containers:
        - name: app
          image: docker.io/legacy:latest
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: NodePort
---
apiVersion: v1
kind: Service
metadata:
  name: orphan
`

func resources(t *testing.T) []manifest.Resource {
	t.Helper()
	docs, err := manifest.DecodeFile("app/manifests.yaml", []byte(manifests))
	if err != nil {
		t.Fatal(err)
	}
	var res []manifest.Resource
	for _, d := range docs {
		res = append(res, manifest.Resource{ID: d.ID(), SourceID: d.ID(), Object: d.Object, Origin: manifest.Origin{File: d.File, Line: d.Line, Col: 1}, Target: "overlays/prod", Doc: d})
	}
	return res
}

// short is what a test compares: rule, severity, position and message.
type short struct {
	Rule, Severity, At, Path, Msg string
}

func check(t *testing.T, opts Options) []short {
	t.Helper()
	e, err := Load(context.Background(), opts)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	sev := map[string]rules.Severity{}
	for _, r := range e.Rules() {
		sev[r.ID] = r.Severity
	}
	fs, err := e.Check(context.Background(), Target{Path: "overlays/prod", Kind: "kustomize", Files: []string{"app/manifests.yaml"}, Anchor: manifest.Origin{File: "overlays/prod/kustomization.yaml", Line: 1}}, resources(t))
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	var out []short
	for _, f := range rules.Merge(fs) {
		out = append(out, short{f.RuleID, sev[f.RuleID].String(), f.Location.String(), f.Path, f.Message})
	}
	return out
}

func TestConftestPolicies(t *testing.T) {
	policies := filepath.Join("..", "..", "..", "testdata", "policies")
	tests := []struct {
		name string
		opts Options
		want []short
	}{
		{
			name: "v1 syntax",
			opts: Options{Policies: []string{filepath.Join(policies, "conftest-v1")}},
			want: []short{
				{"main.deny", "error", "app/manifests.yaml:1:1", "", "web must set runAsNonRoot"},
				{"team-required-labels", "warning", "app/manifests.yaml:1:1", "", "web lacks labels {\"app.kubernetes.io/name\"}"},
				{"main.deny_latest_tag", "error", "app/manifests.yaml:10:11", "/spec/template/spec/containers/0/image", "container app uses the latest tag"},
				{"main.deny", "error", "app/manifests.yaml:12:1", "", "legacy must set runAsNonRoot"},
				{"main.warn", "warning", "app/manifests.yaml:25:1", "", "Service web is a NodePort"},
			},
		},
		{
			name: "v0 syntax, detected automatically",
			opts: Options{Policies: []string{filepath.Join(policies, "conftest-v0")}},
			want: []short{
				{"main.deny", "error", "app/manifests.yaml:1:1", "", "web must set runAsNonRoot"},
				{"main.deny_latest_tag", "error", "app/manifests.yaml:1:1", "", "container app uses the latest tag"},
				{"main.violation", "error", "app/manifests.yaml:1:1", "", "web lacks labels"},
				{"main.deny", "error", "app/manifests.yaml:12:1", "", "legacy must set runAsNonRoot"},
				{"main.warn", "warning", "app/manifests.yaml:25:1", "", "Service web is a NodePort"},
			},
		},
		{
			name: "namespaces, per-target input and data",
			opts: Options{
				Policies:      []string{filepath.Join(policies, "target")},
				Data:          []string{filepath.Join(policies, "data")},
				AllNamespaces: true,
			},
			want: []short{
				{"team.registry.deny", "error", "app/manifests.yaml:12:1", "", "container app pulls from an unapproved registry"},
				{"team-service-backed", "warning", "app/manifests.yaml:32:1", "", "Service orphan in prod has no Deployment of the same name"},
			},
		},
		{
			name: "other namespaces are not evaluated by default",
			opts: Options{Policies: []string{filepath.Join(policies, "target")}, Data: []string{filepath.Join(policies, "data")}},
		},
		{
			name: "selected namespace",
			opts: Options{Policies: []string{filepath.Join(policies, "target")}, Data: []string{filepath.Join(policies, "data")}, Namespaces: []string{"team.registry"}},
			want: []short{
				{"team.registry.deny", "error", "app/manifests.yaml:12:1", "", "container app pulls from an unapproved registry"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := check(t, tt.opts)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuiltinLibraryConventions(t *testing.T) {
	lib := fstest.MapFS{
		"lib/k8s.rego": {Data: []byte("package gitops_lint.lib.k8s\n\nname(r) := r.metadata.name\n")},
		"security/host_network.rego": {Data: []byte(`# METADATA
# title: Pod uses the host network
# description: It can see every interface of the node.
# custom:
#   id: host-network
#   severity: error
#   remediation: Remove hostNetwork.
package gitops_lint.resource.host_network

import data.gitops_lint.lib.k8s

deny contains {"msg": sprintf("%s uses the host network in %s", [k8s.name(input), data.gitops_lint.context.target.environment]), "path": "/spec/template/spec/hostNetwork"} if {
	input.spec.template.spec.hostNetwork
}
`)},
		"security/host_network_test.rego": {Data: []byte("package gitops_lint.resource.host_network_test\n\ntest_x if { true }\n")},
	}
	const hostNet = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      hostNetwork: true
`
	docs, err := manifest.DecodeFile("base/web.yaml", []byte(hostNet))
	if err != nil {
		t.Fatal(err)
	}
	d := docs[0]
	res := []manifest.Resource{{ID: d.ID(), SourceID: d.ID(), Object: d.Object, Origin: manifest.Origin{File: d.File, Line: 1, Col: 1}, Target: "apps/web/overlays/staging", Doc: d}}
	tests := []struct {
		name     string
		disabled func(string) bool
		want     []short
	}{
		{name: "enabled", want: []short{{"host-network", "error", "base/web.yaml:8:7", "/spec/template/spec/hostNetwork", "web uses the host network in staging"}}},
		{name: "disabled", disabled: func(id string) bool { return id == "host-network" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Load(context.Background(), Options{Builtin: lib, Disabled: tt.disabled})
			if err != nil {
				t.Fatal(err)
			}
			fs, err := e.Check(context.Background(), Target{Path: "apps/web/overlays/staging"}, res)
			if err != nil {
				t.Fatal(err)
			}
			var got []short
			for _, f := range fs {
				got = append(got, short{f.RuleID, "error", f.Location.String(), f.Path, f.Message})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(e.Rules()) != 1 || e.Rules()[0].Title() != "Pod uses the host network" {
				t.Errorf("catalogue = %+v", e.Rules())
			}
		})
	}
}

func TestPolicyErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{
			name:    "syntax error names file and line",
			files:   map[string]string{"p.rego": "package main\n\ndeny contains msg if {\n\tmsg := \n}\n"},
			wantErr: "p.rego:5",
		},
		{
			name:    "undefined function",
			files:   map[string]string{"p.rego": "package main\n\ndeny contains msg if {\n\tmsg := nope(input)\n}\n"},
			wantErr: "p.rego:4: undefined function nope",
		},
		{
			name:    "network access is refused offline",
			files:   map[string]string{"p.rego": "package main\n\ndeny contains msg if {\n\tr := http.send({\"method\": \"get\", \"url\": \"http://x\"})\n\tmsg := r.body\n}\n"},
			wantErr: "p.rego:4: undefined function http.send",
		},
		{
			// Parsed at once, reported in order: always the first.
			name: "the first of several broken files",
			files: map[string]string{
				"a.rego": "package main\n\ndeny contains msg if {\n\tmsg := \n}\n",
				"b.rego": "package main\n\ndeny contains msg if {\n\tmsg :=\n",
				"c.rego": "package main\n\ndeny contains msg if {\n\tmsg := \n}\n",
			},
			wantErr: "a.rego:5",
		},
		{
			name:    "reserved package",
			files:   map[string]string{"p.rego": "package gitops_lint.resource.mine\n\ndeny contains \"x\" if { true }\n"},
			wantErr: "p.rego:1: package gitops_lint.resource.mine is reserved",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range tt.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := Load(context.Background(), Options{Policies: []string{dir}})
			var perr *Error
			if !errors.As(err, &perr) || !strings.Contains(filepath.ToSlash(err.Error()), tt.wantErr) {
				t.Fatalf("err = %v, want *Error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestRuntimeErrorIsReported(t *testing.T) {
	dir := t.TempDir()
	// Two different values for one complete rule: an evaluation error.
	src := "package main\n\nname := input.metadata.name\nname := \"other\"\n\ndeny contains name if { name }\n"
	if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	e, err := Load(context.Background(), Options{Policies: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = e.Check(context.Background(), Target{Path: "x"}, resources(t))
	var perr *Error
	if !errors.As(err, &perr) || !strings.Contains(err.Error(), "p.rego:") {
		t.Fatalf("err = %v, want a policy error naming p.rego", err)
	}
}

func TestEnvironment(t *testing.T) {
	tests := []struct{ target, want string }{
		{"apps/web/overlays/prod", "prod"},
		{"overlays/prod/eu-west-1", "prod"},
		{"clusters/production/apps", "production"},
		{"staging", "staging"},
		{"deploy/k8s", "k8s"},
	}
	for _, tt := range tests {
		if got := Environment(tt.target); got != tt.want {
			t.Errorf("Environment(%q) = %q, want %q", tt.target, got, tt.want)
		}
	}
}

// TestSecretValuesAreRedactedFromMessages runs policies that put a
// Secret's value in their message or path, as it is and transformed, and
// policies that name things equal to a secret value: the first are hidden,
// the second never are.
func TestSecretValuesAreRedactedFromMessages(t *testing.T) {
	value := strings.Repeat("s3cr", 3) + "Xq7"
	encoded := base64.StdEncoding.EncodeToString([]byte(value))
	tests := []struct {
		name string
		// rule is the body of a deny rule over a Secret.
		rule     string
		hidden   []string
		kept     []string
		wantPath string
	}{
		{name: "stringData as written", rule: `sprintf("leaks %s", [input.stringData.password])`, hidden: []string{value}},
		{name: "data in base64", rule: `sprintf("leaks %s", [input.data.token])`, hidden: []string{encoded}},
		{name: "decoded data", rule: `sprintf("leaks %s", [base64.decode(input.data.token)])`, hidden: []string{value}},
		{name: "upper case", rule: `sprintf("leaks %s", [upper(input.stringData.password)])`, hidden: []string{strings.ToUpper(value)}},
		{name: "substring", rule: `sprintf("starts %s", [substring(input.stringData.password, 2, 9)])`, hidden: []string{value[2:11]}},
		{name: "base64url of a value", rule: `sprintf("leaks %s", [base64url.encode(input.stringData.password)])`, hidden: []string{base64.URLEncoding.EncodeToString([]byte(value))}},
		{name: "path field", rule: `{"msg": "bad key", "path": concat("/", ["", "stringData", input.stringData.password])}`, hidden: []string{value}, wantPath: "/stringData/[redacted]"},
		{
			name: "names equal to secret values are kept",
			rule: `sprintf("Secret %s labelled %s in %s", [input.metadata.name, input.metadata.labels.tier, input.stringData.word])`,
			kept: []string{"Secret shop-db-v2x labelled frontend-9z in production"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src := "package main\n\ndeny contains " + tt.rule + " if { input.kind == \"Secret\" }\n"
			if err := os.WriteFile(filepath.Join(dir, "p.rego"), []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			e, err := Load(context.Background(), Options{Policies: []string{dir}})
			if err != nil {
				t.Fatal(err)
			}
			obj := map[string]any{
				"apiVersion": "v1", "kind": "Secret",
				"metadata": map[string]any{"name": "shop-db-v2x", "labels": map[string]any{"tier": "frontend-9z"}},
				"data":     map[string]any{"token": encoded},
				// Secret values equal to the name, a label and a common word.
				"stringData": map[string]any{"password": value, "name": "shop-db-v2x", "label": "frontend-9z", "word": "production"},
			}
			fs, err := e.Check(context.Background(), Target{Path: "x"}, []manifest.Resource{{ID: manifest.IDOf(obj), SourceID: manifest.IDOf(obj), Object: obj, Origin: manifest.Origin{File: "s.yaml", Line: 1}}})
			if err != nil {
				t.Fatal(err)
			}
			if len(fs) != 1 {
				t.Fatalf("findings = %+v, want one", fs)
			}
			text := fs[0].Message + " " + fs[0].Path
			for _, h := range tt.hidden {
				if strings.Contains(text, h) || !strings.Contains(text, rules.Redacted) {
					t.Errorf("message %q, path %q: %q is not hidden", fs[0].Message, fs[0].Path, h)
				}
			}
			for _, k := range tt.kept {
				if !strings.Contains(fs[0].Message, k) {
					t.Errorf("message %q, want it to keep %q", fs[0].Message, k)
				}
			}
			if tt.wantPath != "" && fs[0].Path != tt.wantPath {
				t.Errorf("path %q, want %q", fs[0].Path, tt.wantPath)
			}
		})
	}
}

func TestTest(t *testing.T) {
	failing := t.TempDir()
	src := "package main_test\n\ntest_fails if { 1 == 2 }\n\ntest_passes if { 1 == 1 }\n"
	if err := os.WriteFile(filepath.Join(failing, "p_test.rego"), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	policies := filepath.Join("..", "..", "..", "testdata", "policies")
	tests := []struct {
		name                  string
		opts                  TestOptions
		wantTests, wantFailed int
		wantOutput            string
	}{
		{name: "v1 policies pass", opts: TestOptions{Policies: []string{filepath.Join(policies, "conftest-v1")}}, wantTests: 2, wantOutput: "PASS: 2/2"},
		{name: "v0 policies pass", opts: TestOptions{Policies: []string{filepath.Join(policies, "conftest-v0")}}, wantTests: 1, wantOutput: "PASS: 1/1"},
		{name: "failures are counted", opts: TestOptions{Policies: []string{failing}}, wantTests: 2, wantFailed: 1, wantOutput: "FAIL: 1/2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			n, failed, err := Test(context.Background(), &out, tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if n != tt.wantTests || failed != tt.wantFailed || !strings.Contains(out.String(), tt.wantOutput) {
				t.Errorf("Test = %d tests, %d failed, output:\n%s\nwant %d, %d, %q", n, failed, out.String(), tt.wantTests, tt.wantFailed, tt.wantOutput)
			}
		})
	}
}
