package main

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/config"

	"github.com/gitops-lint/gitops-lint/internal/apis"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

const configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"

// TestConfigErrors checks that every command that reads the
// configuration file stops with exit code 2 and names the file and line
// of the problem.
func TestConfigErrors(t *testing.T) {
	outside := treetest.New(t, map[string]string{"lint.yaml": "failOn: info\n"})
	cache := t.TempDir()
	tests := []struct {
		name string
		yaml string
		// args after the command; {root} is the repository.
		cmd        []string
		wantStderr string
	}{
		{name: "unknown key", yaml: "failOn: error\nexlude: [x]\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:2: unknown key "exlude"; did you mean "exclude"?`},
		{name: "unknown nested key", yaml: "policies:\n  builtins: false\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:2: unknown key "builtins" in policies; did you mean "builtin"?`},
		{name: "bad severity", yaml: "rules:\n  run-as-root: fatal\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:2: rules.run-as-root: unknown severity "fatal"`},
		{name: "unknown rule", yaml: "rules:\n  run-as-rot: off\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:2: unknown rule "run-as-rot"; did you mean "run-as-root"?`},
		{name: "unknown rule in an override", yaml: "overrides:\n  - paths: [a]\n    rules:\n      nope: off\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:4: unknown rule "nope"`},
		{name: "bad glob", yaml: "exclude: [\"a/[\"]\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:1: exclude: bad glob "a/["`},
		{name: "bad kubernetes version", yaml: "kubernetesVersion: \"1.12\"\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:1: kubernetesVersion:`},
		{name: "bad rego version", yaml: "policies:\n  regoVersion: v2\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:2: policies.regoVersion: unknown Rego version "v2"`},
		{name: "syntax error", yaml: "rules: [\n", cmd: []string{"check", "{root}"}, wantStderr: config.FileName + `:1: did not find expected node content`},
		{name: "list reads it", yaml: "bogus: 1\n", cmd: []string{"list", "{root}"}, wantStderr: config.FileName + `:1: unknown key "bogus"`},
		{name: "render reads it", yaml: "bogus: 1\n", cmd: []string{"render", "--root", "{root}", "{root}/app"}, wantStderr: config.FileName + `:1: unknown key "bogus"`},
		{name: "--config missing", cmd: []string{"check", "{root}", "--config", "{root}/ci.yaml"}, wantStderr: "ci.yaml does not exist"},
		{name: "--config outside the repository", cmd: []string{"check", "{root}", "--config", filepath.Join(outside, "lint.yaml")}, wantStderr: "is outside the repository"},
		{name: "--config with an error", yaml: "", cmd: []string{"check", "{root}", "--config", "{root}/app/kustomization.yaml"}, wantStderr: `kustomization.yaml:1: unknown key "resources"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"app/kustomization.yaml": "resources: [cm.yaml]\n", "app/cm.yaml": configMap}
			if tt.yaml != "" {
				files[config.FileName] = tt.yaml
			}
			root := treetest.New(t, files)
			var args []string
			for _, a := range tt.cmd {
				args = append(args, strings.ReplaceAll(a, "{root}", root))
			}
			if args[0] == "check" {
				args = append(args, "--schema-cache-dir", cache)
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != 2 {
				t.Errorf("exit code = %d, want 2; stdout:\n%s", code, stdout)
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.wantStderr)
			}
			// A problem in the file is not a problem with the command
			// line: the flag help would bury the one line that matters.
			if strings.Contains(stderr, "Usage:") || strings.Contains(stderr, "Flags:") {
				t.Errorf("a configuration error printed the usage:\n%s", stderr)
			}
		})
	}
	t.Run("rules reads the working directory's", func(t *testing.T) {
		t.Chdir(treetest.New(t, map[string]string{config.FileName: "rules:\n  nope: off\n"}))
		code, _, stderr := runCLI(t, "rules")
		if code != 2 || !strings.Contains(stderr, config.FileName+`:2: unknown rule "nope"`) {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})
}

// TestConfigPrecedence checks that a flag given on the command line wins
// over the file, and that the list flags add to the file's lists.
func TestConfigPrecedence(t *testing.T) {
	// A custom resource without a schema: one missing-schema warning.
	widget := "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
	rootPod := "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n"
	deny := func(pkg, msg string) string {
		return "package " + pkg + "\n\ndeny contains msg if {\n\tinput.kind == \"Widget\"\n\tmsg := \"" + msg + "\"\n}\n"
	}
	cache := t.TempDir()
	tests := []struct {
		name       string
		yaml       string
		files      map[string]string // added to the repository
		args       []string
		wantCode   int
		want       []string // in stdout
		wantNot    []string
		wantStderr string
	}{
		{name: "failOn from the file", yaml: "failOn: warning\n", wantCode: 1},
		{name: "--fail-on over failOn", yaml: "failOn: warning\n", args: []string{"--fail-on", "error"}, wantCode: 0},
		{name: "a rule off in the file", yaml: "failOn: warning\nrules:\n  missing-schema: off\n", wantCode: 0, wantNot: []string{"missing-schema"}},
		{name: "--enable turns it back on", yaml: "failOn: warning\nrules:\n  missing-schema: off\n", args: []string{"--enable", "missing-schema"}, wantCode: 1, want: []string{"missing-schema"}},
		{name: "a severity in the file", yaml: "rules:\n  missing-schema: error\n", wantCode: 1},
		{name: "--enable ID=SEV over it", yaml: "rules:\n  missing-schema: error\n", args: []string{"--enable", "missing-schema=info"}, wantCode: 0},
		{name: "--disable over a severity", yaml: "rules:\n  missing-schema: error\n", args: []string{"--disable", "missing-schema"}, wantCode: 0, wantNot: []string{"missing-schema"}},
		{name: "--kubernetes-version over kubernetesVersion", yaml: "kubernetesVersion: \"1.36\"\n", args: []string{"--kubernetes-version", "1.99"}, wantCode: 2, wantStderr: "--kubernetes-version"},
		{
			name: "--policy adds to policies.paths", yaml: "policies:\n  paths: [policy/a]\n",
			args: []string{"-p", "{root}/policy/b"}, wantCode: 1, want: []string{"from policy a", "from policy b"},
		},
		{
			name: "--namespace adds to policies.namespaces", yaml: "policies:\n  paths: [policy]\n  namespaces: [team]\n",
			args: []string{"-n", "main"}, wantCode: 1, want: []string{"from policy a", "from the team"},
		},
		{
			name: "policies.namespaces replaces the default main", yaml: "policies:\n  paths: [policy]\n  namespaces: [team]\n",
			wantCode: 1, want: []string{"from the team"}, wantNot: []string{"from policy a"},
		},
		// A Pod that runs as root shows whether the library ran.
		{name: "builtin: false", yaml: "policies:\n  builtin: false\n", files: map[string]string{"pod.yaml": rootPod}, args: []string{"-f", "json"}, wantCode: 0, wantNot: []string{`"run-as-root"`}},
		{name: "--no-builtin-policies=false over builtin: false", yaml: "policies:\n  builtin: false\n", files: map[string]string{"pod.yaml": rootPod}, args: []string{"-f", "json", "--no-builtin-policies=false"}, wantCode: 0, want: []string{`"run-as-root"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{
				"widget.yaml":        widget,
				"policy/a/a.rego":    deny("main", "from policy a"),
				"policy/b/b.rego":    deny("main", "from policy b"),
				"policy/team.rego":   deny("team", "from the team"),
				config.FileName:      tt.yaml,
				"policy/a/README.md": "the policy directories hold one package each",
			}
			maps.Copy(files, tt.files)
			root := treetest.New(t, files)
			args := []string{"check", root, "--schema-cache-dir", cache}
			for _, a := range tt.args {
				args = append(args, strings.ReplaceAll(a, "{root}", root))
			}
			code, stdout, stderr := runCLI(t, args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d\n%s%s", code, tt.wantCode, stdout, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("output lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tt.wantNot {
				if strings.Contains(stdout, w) {
					t.Errorf("output has %q:\n%s", w, stdout)
				}
			}
			if !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.wantStderr)
			}
		})
	}
}

// TestConfigLoadRestrictor checks the per-target load restrictor in
// render and check, and that --load-restrictor wins over it.
func TestConfigLoadRestrictor(t *testing.T) {
	root := treetest.New(t, map[string]string{
		"shared/cm.yaml":          configMap,
		"flux/kustomization.yaml": "namePrefix: flux-\nresources:\n- ../shared/cm.yaml\n",
		config.FileName:           "targets:\n  - paths: [flux]\n    loadRestrictor: none\n",
	})
	cache := t.TempDir()
	if code, out, stderr := runCLI(t, "render", "--root", root, filepath.Join(root, "flux")); code != 0 || !strings.Contains(out, "name: flux-settings") {
		t.Errorf("render with the file's loadRestrictor: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := runCLI(t, "render", "--root", root, "--load-restrictor", "rootOnly", filepath.Join(root, "flux")); code != 1 || !strings.Contains(stderr, "render-error") {
		t.Errorf("render with --load-restrictor rootOnly: exit %d, stderr %q", code, stderr)
	}
	if code, out, _ := runCLI(t, "check", root, "--schema-cache-dir", cache); code != 0 {
		t.Errorf("check with the file's loadRestrictor: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "check", root, "--schema-cache-dir", cache, "--load-restrictor", "rootOnly"); code != 1 || !strings.Contains(out, "render-error") {
		t.Errorf("check with --load-restrictor rootOnly: exit %d\n%s", code, out)
	}
}

func TestListSkipped(t *testing.T) {
	code, out, stderr := runCLI(t, "list", reposDir+"/configured")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"apps/legacy  kustomize  (skipped: skip: true at " + reposDir + "/configured/" + config.FileName + ":8)",
		"examples/demo  plain  (skipped: excluded by " + reposDir + "/configured/" + config.FileName + ":5)",
		"apps/shop/overlays/dev  kustomize\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q:\n%s", want, out)
		}
	}
}

// TestInit writes the starting configuration, checks that it loads and
// changes nothing, and that it is not overwritten without --force.
func TestInit(t *testing.T) {
	root := treetest.New(t, map[string]string{"cm.yaml": configMap})
	code, out, stderr := runCLI(t, "init", root)
	file := filepath.Join(root, config.FileName)
	if code != 0 || out != "wrote "+file+"\n" {
		t.Fatalf("init: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(initTemplate(&env{apiIndex: apis.Load})) {
		t.Error("init wrote something else than the template")
	}
	cfg, err := config.Load(root, "")
	if err != nil {
		t.Fatalf("the written file does not load: %v", err)
	}
	if cfg.File != file || len(cfg.Rules)+len(cfg.Include)+len(cfg.Exclude)+len(cfg.Targets) != 0 {
		t.Errorf("the written file sets something: %+v", cfg)
	}
	if code, out, stderr := runCLI(t, "check", root, "--schema-cache-dir", t.TempDir()); code != 0 {
		t.Errorf("check with the written file: exit %d\n%s%s", code, out, stderr)
	}
	if err := os.WriteFile(file, []byte("failOn: info\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "init", root); code != 2 || !strings.Contains(stderr, "use --force") {
		t.Errorf("init over an existing file: exit %d, stderr %q", code, stderr)
	}
	if data, _ := os.ReadFile(file); string(data) != "failOn: info\n" {
		t.Error("init without --force changed the existing file")
	}
	if code, _, stderr := runCLI(t, "init", "--force", root); code != 0 {
		t.Errorf("init --force: exit %d, stderr %q", code, stderr)
	}
	if data, _ := os.ReadFile(file); string(data) != string(initTemplate(&env{apiIndex: apis.Load})) {
		t.Error("init --force did not rewrite the file")
	}
}
