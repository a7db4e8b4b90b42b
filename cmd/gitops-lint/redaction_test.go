package main

import (
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// leaks returns the forms of secret found in text: as written, upper
// case, base64 (standard or URL) and any piece of eight characters.
func leaks(text, secret string) []string {
	var found []string
	for _, form := range []string{
		secret, strings.ToUpper(secret),
		strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(secret)), "="),
		strings.TrimRight(base64.URLEncoding.EncodeToString([]byte(secret)), "="),
	} {
		if strings.Contains(text, form) {
			found = append(found, form)
		}
	}
	for i := 0; i+8 <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+8]) {
			found = append(found, secret[i:i+8])
		}
	}
	return found
}

// TestSecretsNeverPrintedAnywhere plants secret values where every kind of
// message can quote them (a kustomize error quoting a Secret's value, user
// policies printing a Secret's data in base64, decoded, upper-cased, cut,
// or in their path) and checks that no form of them reaches any output:
// every format of check, -o files, the result cache, baseline, render and
// temporary files. Secret values equal to a resource name, a label and a
// common word (and a short one, DB_USER=shop) must hide none of them, and
// no finding may appear twice.
func TestSecretsNeverPrintedAnywhere(t *testing.T) {
	apiKey := "Zq9" + strings.Repeat("xK2m", 4) + "Pw7a"
	dbPassword := "Hb4" + strings.Repeat("tY8r", 4) + "Qe1s"
	root := treetest.New(t, map[string]string{
		"base/kustomization.yaml": "resources: [deploy.yaml]\n",
		"base/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n  labels: {tier: frontend-9z}\n" +
			"spec:\n  selector: {matchLabels: {tier: frontend-9z}}\n  template:\n    metadata: {labels: {tier: frontend-9z}}\n" +
			"    spec:\n      containers: [{name: shop, image: nginx:1.27}]\n",
		// The overlay with the secret and the one without render the same
		// base: its findings must read the same in both.
		"overlays/prod/kustomization.yaml": "resources: [../../base]\nsecretGenerator:\n- name: db\n  envs: [secret.env]\n",
		"overlays/prod/secret.env":         "DB_USER=shop\nTIER=frontend-9z\nWORD=production\nAPI_KEY=" + apiKey + "\n",
		"overlays/dev/kustomization.yaml":  "resources: [../../base]\n",
		// kustomize quotes the value of the field it cannot descend into.
		"broken/kustomization.yaml": "resources: [s.yaml, d.yaml]\nreplacements:\n- source: {kind: Deployment, name: web, fieldPath: metadata.name}\n" +
			"  targets:\n  - select: {kind: Secret}\n    fieldPaths: [stringData.password.sub]\n",
		"broken/s.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: " + dbPassword + "\n",
		"broken/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n",
	})
	policy := treetest.New(t, map[string]string{"leak.rego": `package main

deny contains {"msg": sprintf("data %s", [input.data.API_KEY]), "path": concat("/", ["", "data", base64.decode(input.data.API_KEY)])} if input.kind == "Secret"

deny contains sprintf("upper %s", [upper(base64.decode(input.data.API_KEY))]) if input.kind == "Secret"

deny contains sprintf("piece %s", [substring(base64.decode(input.data.API_KEY), 3, 10)]) if input.kind == "Secret"

deny contains sprintf("url %s", [base64url.encode(base64.decode(input.data.API_KEY))]) if input.kind == "Secret"

deny contains sprintf("names %s %s %s", [base64.decode(input.data.DB_USER), base64.decode(input.data.TIER), base64.decode(input.data.WORD)]) if input.kind == "Secret"
`})
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cache, schemas, outDir, bucket := t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()
	// The shared bucket is written by every run too.
	common := []string{"--schema-cache-dir", schemas, "--cache-dir", cache, "--cache-url", "file://" + filepath.ToSlash(bucket), "--policy", policy}

	var printed strings.Builder
	type run struct {
		args     []string
		wantCode int
		output   string
	}
	var runs []run
	for _, f := range []string{"text", "json", "sarif", "github", "gitlab"} {
		out := filepath.Join(outDir, "report."+f)
		runs = append(runs,
			run{args: append([]string{"check", root, "-f", f}, common...), wantCode: 1},
			// Again, from the warm cache, to a file.
			run{args: append([]string{"check", root, "-f", f, "-o", out}, common...), wantCode: 1, output: out},
		)
	}
	runs = append(runs,
		run{args: append([]string{"baseline", root, "-o", filepath.Join(outDir, "baseline.json")}, common...), output: filepath.Join(outDir, "baseline.json")},
		run{args: []string{"render", "--root", root, filepath.Join(root, "overlays", "prod")}},
		run{args: []string{"render", "--root", root, filepath.Join(root, "broken")}, wantCode: 1},
	)
	var jsonOut string
	for _, r := range runs {
		code, stdout, stderr := runCLI(t, r.args...)
		if code != r.wantCode {
			t.Errorf("%v: exit %d, want %d\n%s%s", r.args[:3], code, r.wantCode, stdout, stderr)
		}
		printed.WriteString(stdout + stderr)
		if r.output != "" {
			b, err := os.ReadFile(r.output)
			if err != nil {
				t.Fatal(err)
			}
			printed.Write(b)
			if strings.HasSuffix(r.output, "report.json") {
				jsonOut = string(b)
			}
		}
		if r.args[0] == "render" && strings.HasSuffix(r.args[len(r.args)-1], "prod") {
			for _, want := range []string{"API_KEY: " + base64.StdEncoding.EncodeToString([]byte("[redacted]")), "name: shop"} {
				if !strings.Contains(stdout, want) {
					t.Errorf("render output lacks %q:\n%s", want, stdout)
				}
			}
		}
	}
	// What stays on disk: the cache, the bucket and temporary files.
	objects := 0
	for _, dir := range []string{cache, bucket, tmp} {
		_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				if b, err := os.ReadFile(p); err == nil {
					printed.WriteString("\n" + p + "\n" + string(b))
					if dir == bucket {
						objects++
						// An entry holds findings, never a rendered manifest.
						if m := regexp.MustCompile(`apiVersion: |"containers":|image: nginx`).Find(b); m != nil {
							t.Errorf("bucket object %s holds rendered content %q", p, m)
						}
					}
				}
			}
			return nil
		})
	}
	if objects == 0 {
		t.Error("nothing was written to the bucket: the scan above proves nothing")
	}
	all := printed.String()
	for _, s := range []string{apiKey, dbPassword} {
		if l := leaks(all, s); len(l) > 0 {
			t.Errorf("output holds forms of a secret value: %q", l)
		}
	}
	// The secret was met, and hidden.
	for _, want := range []string{"data [redacted]", "upper [redacted]", "piece [redacted]", "url [redacted]", "/data/[redacted]", "node contents:\\n[redacted]"} {
		if !strings.Contains(jsonOut, want) {
			t.Errorf("the JSON report lacks %q:\n%s", want, jsonOut)
		}
	}

	// Names and words equal to secret values are never hidden, and each
	// finding is reported once.
	var report struct {
		Findings []struct {
			RuleID   string `json:"ruleId"`
			Message  string `json:"message"`
			Location struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"location"`
			Targets []string `json:"targets"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(jsonOut), &report); err != nil {
		t.Fatal(err)
	}
	labels := 0
	for _, f := range report.Findings {
		if f.RuleID == "recommended-labels" && f.Location.File == "base/deploy.yaml" {
			labels++
			if !strings.HasPrefix(f.Message, `Deployment "shop" has no`) || len(f.Targets) != 2 {
				t.Errorf("recommended-labels: %q in %v, want the name shown, in both overlays", f.Message, f.Targets)
			}
		}
	}
	if labels != 1 {
		t.Errorf("%d recommended-labels findings on the base, want 1", labels)
	}
	if !strings.Contains(jsonOut, "names shop frontend-9z production") {
		t.Errorf("a name, a label and a word equal to secret values are hidden:\n%s", jsonOut)
	}
}

// TestConfigErrorHidesCredential: an error in the configuration file that
// quotes a credential written there does not print it.
func TestConfigErrorHidesCredential(t *testing.T) {
	token := secretstest.NewFakes().Fixed["GITHUB_TOKEN"]
	root := treetest.New(t, map[string]string{
		".gitops-lint.yaml": "rules:\n  " + token + ": off\n",
		"app/cm.yaml":       "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\n",
	})
	code, stdout, stderr := runCLI(t, "check", root, "--schema-cache-dir", t.TempDir(), "--no-cache")
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s%s", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, token) || !strings.Contains(stderr, "[redacted]") {
		t.Errorf("the error does not hide the token: %s", stderr)
	}
}

// TestImagesHideSecretValues: a replacement that writes a Secret's value
// into an image field does not make `images` print it.
func TestImagesHideSecretValues(t *testing.T) {
	value := "Hb4" + strings.Repeat("tY8r", 4) + "Qe1s"
	root := treetest.New(t, map[string]string{
		"app/kustomization.yaml": "resources: [s.yaml, d.yaml]\nreplacements:\n- source: {kind: Secret, name: db, fieldPath: stringData.password}\n" +
			"  targets:\n  - select: {kind: Deployment}\n    fieldPaths: [spec.template.spec.containers.0.image]\n",
		"app/s.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: " + value + "\n",
		"app/d.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n",
	})
	for _, format := range []string{"text", "json", "markdown"} {
		code, stdout, stderr := runCLI(t, "images", root, "-f", format)
		if code != 0 {
			t.Fatalf("images -f %s: exit %d: %s", format, code, stderr)
		}
		if l := leaks(stdout+stderr, value); len(l) > 0 || !strings.Contains(stdout, "[redacted]") {
			t.Errorf("images -f %s prints %q:\n%s", format, l, stdout)
		}
	}
}

// TestDiffHidesSecretValues: a target that stops rendering with a
// kustomize error quoting a Secret's value, and a ConfigMap that starts
// carrying it, do not put the value in diff's comment (any format) or in
// a temporary file.
func TestDiffHidesSecretValues(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	value := "Hb4" + strings.Repeat("tY8r", 4) + "Qe1s"
	secret := "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: " + value + "\n"
	deploy := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers: [{name: web, image: nginx:1.27}]\n"
	dir := treetest.New(t, map[string]string{
		"app/kustomization.yaml":  "resources: [s.yaml, d.yaml]\n",
		"app/s.yaml":              secret,
		"app/d.yaml":              deploy,
		"copy/kustomization.yaml": "resources: [s.yaml, c.yaml]\n",
		"copy/s.yaml":             secret,
		"copy/c.yaml":             "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {x: none}\n",
	})
	gitIn(t, dir, "init", "-q", "-b", "main")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "commit", "-qm", "before")
	edits := map[string]string{
		// kustomize quotes the Secret's value in its error.
		"app/kustomization.yaml": "resources: [s.yaml, d.yaml]\nreplacements:\n- source: {kind: Deployment, name: web, fieldPath: metadata.name}\n" +
			"  targets:\n  - select: {kind: Secret}\n    fieldPaths: [stringData.password.sub]\n",
		// The ConfigMap now carries the value, and a diff line shows it.
		"copy/kustomization.yaml": "resources: [s.yaml, c.yaml]\nreplacements:\n- source: {kind: Secret, name: db, fieldPath: stringData.password}\n" +
			"  targets:\n  - select: {kind: ConfigMap}\n    fieldPaths: [data.x]\n",
	}
	for name, content := range edits {
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(name)), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, format := range []string{"text", "markdown"} {
		code, stdout, stderr := runCLI(t, "diff", "--base", "main", "-f", format, dir)
		if code == 2 {
			t.Fatalf("diff -f %s: exit 2: %s", format, stderr)
		}
		if l := leaks(stdout+stderr, value); len(l) > 0 {
			t.Errorf("diff -f %s prints %q:\n%s%s", format, l, stdout, stderr)
		}
		if !strings.Contains(stdout, "[redacted]") || !strings.Contains(stdout, "node contents") {
			t.Errorf("diff -f %s: want the error and the changed value, hidden:\n%s", format, stdout)
		}
	}
	_ = filepath.WalkDir(tmp, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, err := os.ReadFile(p); err == nil && len(leaks(string(b), value)) > 0 {
				t.Errorf("temporary file %s holds the value", p)
			}
		}
		return nil
	})
}
