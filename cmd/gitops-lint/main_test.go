package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

var update = flag.Bool("update", false, "rewrite golden files")

const reposDir = "../../testdata/repos"

// runCLI runs the command in process with its own streams.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIWith(t, nil, args...)
}

// runCLIWith is runCLI with the env adjusted by tweak first.
func runCLIWith(t *testing.T, tweak func(*env), args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	e := &env{
		stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, getenv: os.Getenv,
		loadPolicies: testPolicies.Load, loadSchemas: testSchemas.Load, apiIndex: testAPIIndex,
	}
	if tweak != nil {
		tweak(e)
	}
	code = runEnv(context.Background(), args, e)
	return code, out.String(), errOut.String()
}

// caseArgs are the extra flags of the golden cases that need some.
var caseArgs = map[string][]string{
	// The acceptance case of removed and deprecated APIs is about 1.34,
	// and about API versions only.
	"api-versions": {"--kubernetes-version", "1.34", "--no-builtin-policies"},
}

// timing is the only non-deterministic part of the text output.
var timing = regexp.MustCompile(` \(in [^)]*\)`)

func TestGolden(t *testing.T) {
	cacheDir := t.TempDir()
	cases, err := os.ReadDir(reposDir)
	if err != nil {
		t.Fatal(err)
	}
	formats := []struct{ name, ext string }{{"text", "txt"}, {"json", "json"}, {"sarif", "sarif"}, {"github", "github.txt"}, {"gitlab", "gitlab.json"}}
	sarif := sarifSchema(t)
	n := 0
	for _, c := range cases {
		if !c.IsDir() || c.Name() == "hostile" { // hostile/ holds cases of TestHostileInput
			continue
		}
		// One check per case, fast by design: the format the command line
		// writes (a different one for each case, so that every format goes
		// through -f) and the other formats are all written from the
		// same run's report input, as check would write them.
		cli := formats[n%len(formats)].name
		n++
		wantCode := 1
		switch c.Name() {
		case "clean", "suppressions": // suppressed errors never fail the run
			wantCode = 0
		case "helm-remote": // a chart that is not fetched is an info
			wantCode = 0
		}
		var in *report.Input
		capture := func(e *env) {
			e.writeReport = func(w io.Writer, i report.Input, o report.Options) error {
				in = &i
				return report.Write(w, i, o)
			}
		}
		args := append([]string{"check", filepath.Join(reposDir, c.Name()), "-f", cli, "--schema-cache-dir", cacheDir}, caseArgs[c.Name()]...)
		code, cliOut, stderr := runCLIWith(t, capture, args...)
		for _, f := range formats {
			format, ext := f.name, f.ext
			t.Run(c.Name()+"/"+format, func(t *testing.T) {
				if code != wantCode {
					t.Errorf("exit code = %d, want %d; stderr:\n%s", code, wantCode, stderr)
				}
				stdout := cliOut
				if format != cli {
					if in == nil {
						t.Fatalf("check wrote no report; stderr:\n%s", stderr)
					}
					var b bytes.Buffer
					if err := report.Write(&b, *in, report.Options{Format: format}); err != nil {
						t.Fatal(err)
					}
					stdout = b.String()
				}
				if strings.Contains(stdout+stderr, "OUTSIDE-BYTES") {
					t.Errorf("output contains bytes from outside the repository")
				}
				got := timing.ReplaceAllString(stdout, "")
				assertGolden(t, c.Name()+"."+ext, got)
				if format == "sarif" {
					validateSARIF(t, sarif, stdout)
				}
			})
		}
	}
}

// sarifSchema compiles SARIF's schema, once per test that validates.
func sarifSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile("../../internal/report/testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func validateSARIF(t *testing.T, sch *jsonschema.Schema, doc string) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("SARIF does not validate: %v", err)
	}
	var log struct {
		Runs []struct {
			Results []struct {
				Locations []struct {
					PhysicalLocation struct {
						Region struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(doc), &log); err != nil {
		t.Fatal(err)
	}
	for _, r := range log.Runs[0].Results {
		for _, l := range r.Locations {
			if l.PhysicalLocation.Region.StartLine < 1 {
				t.Errorf("result with startLine %d", l.PhysicalLocation.Region.StartLine)
			}
		}
	}
}

func TestExitCodes(t *testing.T) {
	cacheDir := t.TempDir()
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
		// wantNoStderr must not appear in stderr.
		wantNoStderr string
	}{
		{name: "clean repository", args: []string{"check", reposDir + "/clean"}, wantCode: 0},
		{name: "suppressed errors do not fail", args: []string{"check", reposDir + "/suppressions"}, wantCode: 0},
		{name: "a suppression without a reason is a warning", args: []string{"check", "--fail-on", "warning", reposDir + "/suppressions"}, wantCode: 1},
		{name: "errors fail by default", args: []string{"check", reposDir + "/demo"}, wantCode: 1},
		{name: "unknown flag", args: []string{"check", "--bogus"}, wantCode: 2, wantStderr: "unknown flag"},
		{name: "unknown format", args: []string{"check", "-f", "xml", reposDir + "/clean"}, wantCode: 2, wantStderr: "unknown --format"},
		{name: "bad fail-on", args: []string{"check", "--fail-on", "fatal", reposDir + "/clean"}, wantCode: 2, wantStderr: "--fail-on"},
		{name: "unknown kubernetes version", args: []string{"check", "--kubernetes-version", "1.15", reposDir + "/clean"}, wantCode: 2, wantStderr: "choose a minor from 1.16 to 1.37"},
		// Every accepted minor has its own schemas: no note about others.
		{name: "old kubernetes version", args: []string{"check", "--kubernetes-version", "1.20", reposDir + "/clean"}, wantCode: 0, wantNoStderr: "validated with"},
		{name: "missing path", args: []string{"check", reposDir + "/does-not-exist"}, wantCode: 2, wantStderr: "does-not-exist"},
		{name: "too many args", args: []string{"check", "a", "b"}, wantCode: 2},
		{name: "missing --crds path", args: []string{"check", "--crds", reposDir + "/does-not-exist", reposDir + "/clean"}, wantCode: 2, wantStderr: "does-not-exist"},
		{name: "--crds path without CRDs", args: []string{"check", "--crds", reposDir + "/clean", reposDir + "/clean"}, wantCode: 2, wantStderr: "CustomResourceDefinition"},
		{name: "--crds from another repository", args: []string{"check", "--crds", reposDir + "/crds/platform", reposDir + "/clean"}, wantCode: 0},
		{name: "network schema location refused offline", args: []string{"check", "--schema-location", "https://example.com/{{ .ResourceKind }}.json", reposDir + "/clean"}, wantCode: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(tt.args, "--schema-cache-dir", cacheDir)
			if tt.args[0] == "check" && len(tt.args) > 1 && tt.args[1] == "--bogus" {
				args = tt.args
			}
			code, _, stderr := runCLI(t, args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.wantStderr)
			}
			if tt.wantNoStderr != "" && strings.Contains(stderr, tt.wantNoStderr) {
				t.Errorf("stderr %q contains %q", stderr, tt.wantNoStderr)
			}
		})
	}
}

func TestFailOnWarning(t *testing.T) {
	// The components case has only errors; a repository with only a
	// missing schema has only a warning.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cr.yaml"), []byte("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	if code, out, _ := runCLI(t, "check", dir, "--schema-cache-dir", cache); code != 0 {
		t.Errorf("--fail-on error: exit %d, want 0\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "check", dir, "--fail-on", "warning", "--schema-cache-dir", cache); code != 1 {
		t.Errorf("--fail-on warning: exit %d, want 1\n%s", code, out)
	}
}

func TestOutputFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.sarif")
	code, stdout, stderr := runCLI(t, "check", reposDir+"/demo", "-f", "sarif", "-o", out, "--schema-cache-dir", t.TempDir())
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	validateSARIF(t, sarifSchema(t), string(data))
}

func TestListAndRender(t *testing.T) {
	code, out, stderr := runCLI(t, "list", reposDir+"/demo")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	want := "overlays/dev  kustomize\n  bases: base\noverlays/prod  kustomize\n  bases: base\n"
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("list (-want +got):\n%s", diff)
	}
	code, out, stderr = runCLI(t, "list", "-f", "json", reposDir+"/components")
	if code != 0 || !strings.Contains(out, `"components": [`) {
		t.Errorf("list json: exit %d, %s %s", code, out, stderr)
	}
	code, out, stderr = runCLI(t, "render", "--root", reposDir+"/demo", reposDir+"/demo/overlays/dev")
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	for _, s := range []string{"name: shop-settings-", "namespace: shop-dev", "image: ghcr.io/example/shop:1.5.0-rc.1"} {
		if !strings.Contains(out, s) {
			t.Errorf("render output lacks %q:\n%s", s, out)
		}
	}
	if strings.Contains(out, "config.kubernetes.io/origin") {
		t.Error("render output carries origin annotations")
	}
	code, _, stderr = runCLI(t, "render", "--root", reposDir+"/remote", reposDir+"/remote/app")
	if code != 1 || !strings.Contains(stderr, "remote-resource") {
		t.Errorf("render of a remote target: exit %d, stderr %q", code, stderr)
	}
}

// TestNoSecretValueInAnyOutput feeds generator literals, an env file and a
// Secret with credential-looking values (built at run time, so this
// repository stays clean under secret scanners) through every output
// format and the render command, and checks none of them prints a value.
func TestNoSecretValueInAnyOutput(t *testing.T) {
	token := "ghp_" + strings.Repeat("Zq9", 12)
	password := "pw-" + strings.Repeat("x7", 8)
	root := t.TempDir()
	files := map[string]string{
		// A literal without "=" makes kustomize fail and quote every literal.
		"app/kustomization.yaml": "resources:\n- s.yaml\nsecretGenerator:\n- name: gen\n  literals:\n  - TOKEN=" + token + "\n  - " + password + "\n",
		"app/s.yaml":             "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: " + token + "\n",
		// A Secret whose data value has the wrong type, next to a readable one.
		"plain/s.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: " + token + "\ndata:\n  other: {nested: " + token + "}\n",
		// An env file value quoted by a failing generator.
		"envs/kustomization.yaml": "secretGenerator:\n- name: gen\n  envs: [creds.env]\n  literals: [" + password + "]\n",
		"envs/creds.env":          "DB_PASSWORD=" + password + "\n",
		// A Secret's value that Flux substitutes into what it applies.
		"flux/ks.yaml": "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: app\nspec:\n  path: ./fluxapp\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n" +
			"  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: vars\n",
		"flux/vars.yaml":             "apiVersion: v1\nkind: Secret\nmetadata:\n  name: vars\nstringData:\n  TOKEN: " + token + "\n",
		"fluxapp/kustomization.yaml": "resources: [d.yaml]\n",
		"fluxapp/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n  annotations:\n    token: ${TOKEN}\nspec:\n  replicas: ${TOKEN}\n" +
			"  selector: {matchLabels: {app: d}}\n  template:\n    metadata: {labels: {app: d}}\n    spec:\n      containers:\n        - name: d\n          image: ${TOKEN}\n          imagePullPolicy: ${TOKEN}\n",
	}
	treetest.Write(t, root, files)
	cache := t.TempDir()
	runs := [][]string{
		{"render", "--root", root, filepath.Join(root, "app")},
		{"render", "--root", root, filepath.Join(root, "envs")},
	}
	for _, f := range []string{"text", "json", "sarif", "github", "gitlab"} {
		runs = append(runs, []string{"check", root, "-f", f, "--schema-cache-dir", cache})
	}
	for _, args := range runs {
		code, stdout, stderr := runCLI(t, args...)
		if code != 1 {
			t.Errorf("%v: exit %d, want 1 (the repository has errors)\n%s%s", args, code, stdout, stderr)
		}
		for _, secret := range []string{token, password} {
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("%v printed a secret value:\n%s%s", args, stdout, stderr)
			}
		}
		if args[0] == "check" && !strings.Contains(stdout, "render-error") {
			t.Errorf("%v: expected the failing generators as render errors:\n%s", args, stdout)
		}
	}
}

// TestSecretFixturesNeverPrinted runs every output format, to stdout and
// to a file, over the secret checks' fixtures filled with run-time fake
// credentials, and checks that no value appears, plain or base64, in
// stdout, stderr or the file. Per fixture, check runs twice - to stdout
// and with -o, in formats that rotate over the fixtures - and every
// format is also written from each run's report input, as check would
// write it: redaction happens when findings are built, so this covers
// every format without a run per format.
func TestSecretFixturesNeverPrinted(t *testing.T) {
	src := filepath.Join("..", "..", "internal", "rules", "secrets", "testdata")
	fixtures, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	f := secretstest.NewFakes()
	cache := t.TempDir()
	seen := map[string]bool{}
	formats := []string{"text", "json", "sarif", "github", "gitlab"}
	for i, fx := range fixtures {
		dir := f.Materialise(t, filepath.Join(src, fx.Name()))
		toStdout, toFile := formats[i%len(formats)], formats[(i+1)%len(formats)]
		out := filepath.Join(t.TempDir(), "report."+toFile)
		for _, args := range [][]string{
			{"check", dir, "-f", toStdout, "--schema-cache-dir", cache},
			{"check", dir, "-f", toFile, "--schema-cache-dir", cache, "-o", out},
		} {
			var inputs []report.Input
			capture := func(e *env) {
				e.writeReport = func(w io.Writer, in report.Input, o report.Options) error {
					inputs = append(inputs, in)
					return report.Write(w, in, o)
				}
			}
			code, stdout, stderr := runCLIWith(t, capture, args...)
			if code == 2 {
				t.Fatalf("%s %v: exit 2: %s", fx.Name(), args, stderr)
			}
			written := ""
			if slices.Contains(args, "-o") {
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				written = string(b)
			}
			outputs := []string{stdout + stderr + written}
			for _, in := range inputs {
				for _, format := range formats {
					var b bytes.Buffer
					if err := report.Write(&b, in, report.Options{Format: format}); err != nil {
						t.Fatal(err)
					}
					outputs = append(outputs, b.String())
				}
			}
			if len(outputs) != 1+len(formats) {
				t.Fatalf("%s %v: check wrote %d reports, want 1", fx.Name(), args, len(inputs))
			}
			for _, all := range outputs {
				for _, s := range f.Secret {
					if strings.Contains(all, s) {
						t.Errorf("%s, %v: output contains a fake secret (%s…)", fx.Name(), args[3:5], s[:4])
					}
				}
				for _, id := range []string{"leaked-credential", "plaintext-secret", "secret-generator-plaintext", "sops-unencrypted"} {
					if strings.Contains(all, id) {
						seen[id] = true
					}
				}
			}
		}
	}
	// The fixtures exercise every rule, so the check above is not vacuous.
	for _, id := range []string{"leaked-credential", "plaintext-secret", "secret-generator-plaintext", "sops-unencrypted"} {
		if !seen[id] {
			t.Errorf("no fixture produced %s", id)
		}
	}
}

// assertGolden compares got with testdata/golden/name, which -update
// writes first.
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	golden := filepath.Join("..", "..", "testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./cmd/gitops-lint/ -update)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
	}
}
