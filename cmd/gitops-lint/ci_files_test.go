package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
)

// The CI integration files at the repository root are read by other
// tools: GitHub reads action.yml, the pre-commit framework reads
// .pre-commit-hooks.yaml. These tests hold them to what those tools accept
// (unknown keys are rejected, as the tools' own schemas do) and to the CLI
// they call (every command and flag they use exists).

// decodeStrict decodes YAML into v, rejecting keys v does not declare.
func decodeStrict(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// checkCommandLine checks that words (after "gitops-lint") name a command
// and only flags it has.
func checkCommandLine(t *testing.T, where string, words []string) {
	t.Helper()
	root := newRootCommand(&env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: os.Getenv})
	cmd, _, err := root.Find(words)
	if err != nil || cmd == root {
		t.Errorf("%s: gitops-lint %s: no such command (%v)", where, strings.Join(words, " "), err)
		return
	}
	for _, w := range words {
		if !strings.HasPrefix(w, "-") {
			continue
		}
		if !hasFlag(cmd, w) {
			t.Errorf("%s: gitops-lint %s has no flag %s", where, cmd.Name(), w)
		}
	}
}

func hasFlag(cmd *cobra.Command, word string) bool {
	name, _, _ := strings.Cut(word, "=")
	if name == "--help" || name == "-h" {
		return true // cobra adds it to every command when it runs
	}
	if long, ok := strings.CutPrefix(name, "--"); ok {
		return cmd.Flags().Lookup(long) != nil
	}
	return len(name) == 2 && cmd.Flags().ShorthandLookup(name[1:]) != nil
}

// preCommitHook is one hook of a .pre-commit-hooks.yaml: every key that
// pre-commit's manifest schema (MANIFEST_HOOK_DICT in pre_commit/clientlib.py)
// allows, and nothing else.
type preCommitHook struct {
	ID                      string   `yaml:"id"`
	Name                    string   `yaml:"name"`
	Entry                   string   `yaml:"entry"`
	Language                string   `yaml:"language"`
	Alias                   string   `yaml:"alias"`
	Files                   string   `yaml:"files"`
	Exclude                 string   `yaml:"exclude"`
	Types                   []string `yaml:"types"`
	TypesOr                 []string `yaml:"types_or"`
	ExcludeTypes            []string `yaml:"exclude_types"`
	AdditionalDependencies  []string `yaml:"additional_dependencies"`
	Args                    []string `yaml:"args"`
	AlwaysRun               *bool    `yaml:"always_run"`
	FailFast                *bool    `yaml:"fail_fast"`
	PassFilenames           *bool    `yaml:"pass_filenames"`
	Description             string   `yaml:"description"`
	LanguageVersion         string   `yaml:"language_version"`
	LogFile                 string   `yaml:"log_file"`
	MinimumPreCommitVersion string   `yaml:"minimum_pre_commit_version"`
	RequireSerial           *bool    `yaml:"require_serial"`
	Stages                  []string `yaml:"stages"`
	Verbose                 *bool    `yaml:"verbose"`
}

func TestPreCommitHooksFile(t *testing.T) {
	var hooks []preCommitHook
	decodeStrict(t, "../../.pre-commit-hooks.yaml", &hooks)
	ids := map[string]bool{}
	for i, h := range hooks {
		if h.ID == "" || h.Name == "" || h.Entry == "" || h.Language == "" {
			t.Errorf("hook %d lacks one of the required id, name, entry, language: %+v", i, h)
		}
		if ids[h.ID] {
			t.Errorf("hook id %q appears twice", h.ID)
		}
		ids[h.ID] = true
		if h.Language != "golang" {
			t.Errorf("%s: language %q, want golang (pre-commit builds the module with go install ./...)", h.ID, h.Language)
		}
		// One run over the repository: findings in an overlay come from
		// files that are not among those staged.
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("%s: pass_filenames must be false", h.ID)
		}
		words := strings.Fields(h.Entry)
		if words[0] != "gitops-lint" {
			t.Errorf("%s: entry %q does not run gitops-lint", h.ID, h.Entry)
			continue
		}
		checkCommandLine(t, h.ID, append(words[1:], h.Args...))
	}
	if !ids["gitops-lint"] {
		t.Error("no hook with id gitops-lint")
	}
	if !slices.ContainsFunc(hooks, func(h preCommitHook) bool { return h.ID == "gitops-lint" && strings.Contains(h.Entry, "--staged") }) {
		t.Error("the gitops-lint hook does not check what is staged")
	}
}

// The action.yml schema: GitHub's metadata syntax for composite actions.
type action struct {
	Name        string                  `yaml:"name"`
	Author      string                  `yaml:"author"`
	Description string                  `yaml:"description"`
	Inputs      map[string]actionInput  `yaml:"inputs"`
	Outputs     map[string]actionOutput `yaml:"outputs"`
	Runs        struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
	Branding *struct {
		Icon  string `yaml:"icon"`
		Color string `yaml:"color"`
	} `yaml:"branding"`
}

type actionInput struct {
	Description        string `yaml:"description"`
	Required           bool   `yaml:"required"`
	Default            string `yaml:"default"`
	DeprecationMessage string `yaml:"deprecationMessage"`
}

type actionOutput struct {
	Description string `yaml:"description"`
	Value       string `yaml:"value"`
}

type actionStep struct {
	Name             string            `yaml:"name"`
	ID               string            `yaml:"id"`
	If               string            `yaml:"if"`
	Run              string            `yaml:"run"`
	Shell            string            `yaml:"shell"`
	Uses             string            `yaml:"uses"`
	With             map[string]string `yaml:"with"`
	Env              map[string]string `yaml:"env"`
	WorkingDirectory string            `yaml:"working-directory"`
	ContinueOnError  bool              `yaml:"continue-on-error"`
}

var (
	inputRef   = regexp.MustCompile(`\binputs\.([A-Za-z0-9_-]+)`)
	stepOutRef = regexp.MustCompile(`\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)`)
	// A full commit SHA: a tag can be moved to other code.
	pinnedUses = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[0-9a-f]{40}$`)
)

func TestActionFile(t *testing.T) {
	raw, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a action
	decodeStrict(t, "../../action.yml", &a)

	if a.Name == "" || a.Description == "" {
		t.Error("name and description are required")
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	if len(a.Runs.Steps) == 0 {
		t.Fatal("no steps")
	}
	if b := a.Branding; b != nil && !slices.Contains([]string{"white", "black", "yellow", "blue", "green", "orange", "red", "purple", "gray-dark"}, b.Color) {
		t.Errorf("branding.color %q is not one GitHub offers", b.Color)
	}
	for id, in := range a.Inputs {
		if in.Description == "" {
			t.Errorf("input %s has no description", id)
		}
		if !strings.Contains(string(raw), "inputs."+id) {
			t.Errorf("input %s is never used", id)
		}
	}
	for id, out := range a.Outputs {
		if out.Description == "" || out.Value == "" {
			t.Errorf("output %s needs a description and a value", id)
		}
	}

	// What each run step writes to $GITHUB_OUTPUT, by step id.
	written := map[string][]string{}
	for i, s := range a.Runs.Steps {
		where := s.Name
		if where == "" {
			where = "step " + strconv.Itoa(i+1)
		}
		switch {
		case (s.Run == "") == (s.Uses == ""):
			t.Errorf("%s: a step has run or uses, exactly one", where)
		case s.Run != "":
			if !slices.Contains([]string{"bash", "sh", "pwsh", "powershell", "python", "cmd"}, s.Shell) {
				t.Errorf("%s: a composite run step needs shell, got %q", where, s.Shell)
			}
			// Expressions in a script are pasted in before the shell reads
			// it: an input or a branch name could inject commands. Inputs
			// reach scripts through env.
			if strings.Contains(s.Run, "${{") {
				t.Errorf("%s: run uses an expression; pass it through env", where)
			}
			if len(s.With) > 0 {
				t.Errorf("%s: with is for uses steps", where)
			}
		default:
			if !pinnedUses.MatchString(s.Uses) {
				t.Errorf("%s: uses %q is not pinned to a commit", where, s.Uses)
			}
			if s.Shell != "" {
				t.Errorf("%s: shell is for run steps", where)
			}
		}
		if s.ID != "" {
			if _, dup := written[s.ID]; dup {
				t.Errorf("step id %s appears twice", s.ID)
			}
			written[s.ID] = nil
			if strings.HasPrefix(s.Uses, "actions/cache@") {
				written[s.ID] = []string{"cache-hit", "cache-primary-key", "cache-matched-key"} // what actions/cache declares
			}
			for _, m := range regexp.MustCompile(`(?m)\b([a-z-]+)=\S*"? >> "\$GITHUB_OUTPUT"`).FindAllStringSubmatch(s.Run, -1) {
				written[s.ID] = append(written[s.ID], m[1])
			}
		}
		checkActionCommands(t, where, s.Run)
	}
	for _, m := range inputRef.FindAllStringSubmatch(string(raw), -1) {
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("inputs.%s is used but not declared", m[1])
		}
	}
	for _, m := range stepOutRef.FindAllStringSubmatch(string(raw), -1) {
		outs, ok := written[m[1]]
		if !ok {
			t.Errorf("%s refers to no step with that id", m[0])
		} else if !slices.Contains(outs, m[2]) {
			t.Errorf("%s: step %s never writes %s to $GITHUB_OUTPUT (it writes %v)", m[0], m[1], m[2], outs)
		}
	}
	// Both machine formats the action asks for exist.
	for _, f := range []string{report.FormatSARIF, report.FormatGitHub} {
		if !strings.Contains(string(raw), "--format "+f) && !strings.Contains(string(raw), "format="+f) {
			t.Errorf("the action does not use --format %s", f)
		}
	}
}

var (
	// commandLine is a script line that runs gitops-lint, alone or as an
	// if condition.
	commandLine = regexp.MustCompile(`^\s*(?:if\s+!?\s*)?gitops-lint\s+(.*)$`)
	// flagArray is a bash array of extra flags for gitops-lint check.
	flagArray = regexp.MustCompile(`\b[a-z_]+=\((--[a-z-]+)`)
)

// checkActionCommands checks the gitops-lint command lines of a script.
func checkActionCommands(t *testing.T, where, script string) {
	t.Helper()
	for line := range strings.Lines(script) {
		for _, m := range flagArray.FindAllStringSubmatch(line, -1) {
			checkCommandLine(t, where, []string{"check", m[1]})
		}
		m := commandLine.FindStringSubmatch(strings.TrimRight(line, "\n"))
		if m == nil {
			continue
		}
		var words []string
		for _, w := range strings.Fields(m[1]) {
			if w == "||" || w == ";" || strings.HasPrefix(w, ">") || strings.HasPrefix(w, "2>") {
				break
			}
			words = append(words, strings.Trim(w, `"`))
		}
		checkCommandLine(t, where, words)
	}
}

// cliEnv makes the test binary act as gitops-lint, so that scripts can
// run the CLI without a separate build.
const cliEnv = "GITOPS_LINT_TEST_AS_CLI"

func TestMain(m *testing.M) {
	if os.Getenv(cliEnv) == "1" {
		main() // as the binary does, signal handling included; it exits
	}
	// The result cache goes to a directory of this test run, not the
	// user's; the tests run the same repositories many times, so they
	// also exercise cache hits.
	dir, err := os.MkdirTemp("", "gitops-lint-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// expression reads the two forms of ${{ }} the action's env blocks use:
// inputs.NAME and inputs.NAME || other, where other is empty here (no
// pull request event).
var expression = regexp.MustCompile(`^\$\{\{ inputs\.([a-z-]+)(?: \|\| [a-z_.]+)? \}\}$`)

// TestActionScripts runs the action's scripts the way a runner does
// (bash --noprofile --norc -eo pipefail, inputs through env, outputs
// through $GITHUB_OUTPUT) with this test binary as gitops-lint.
func TestActionScripts(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the CLI in child processes: make test-long runs it")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	wrapper := "#!/bin/sh\n" + cliEnv + "=1 exec '" + self + "' \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "gitops-lint"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	var a action
	decodeStrict(t, "../../action.yml", &a)
	steps := map[string]actionStep{}
	for _, s := range a.Runs.Steps {
		if s.ID != "" {
			steps[s.ID] = s
		}
	}
	cache := t.TempDir()

	repos, err := filepath.Abs(reposDir)
	if err != nil {
		t.Fatal(err)
	}

	// runStep runs one step in dir with the inputs' defaults overridden by
	// with, and returns its exit code, stdout and $GITHUB_OUTPUT.
	runStep := func(t *testing.T, id, dir string, with map[string]string) (int, string, map[string]string) {
		t.Helper()
		s, ok := steps[id]
		if !ok || s.Run == "" {
			t.Fatalf("no run step with id %s", id)
		}
		tmp := t.TempDir()
		output := filepath.Join(tmp, "output")
		env := []string{
			"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"),
			"HOME=" + tmp, "GITHUB_OUTPUT=" + output, "GITHUB_STEP_SUMMARY=" + filepath.Join(tmp, "summary"),
			"RUNNER_TEMP=" + tmp, "CI=true", "XDG_CACHE_HOME=" + cache,
		}
		for k, v := range s.Env {
			m := expression.FindStringSubmatch(v)
			if m == nil {
				t.Fatalf("%s: env %s = %q is not an expression this test reads", id, k, v)
			}
			val, ok := with[m[1]]
			if !ok {
				val = a.Inputs[m[1]].Default
			}
			env = append(env, k+"="+val)
		}
		script := filepath.Join(tmp, "step.sh")
		if err := os.WriteFile(script, []byte(s.Run), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(bash, "--noprofile", "--norc", "-eo", "pipefail", script)
		cmd.Env = env
		cmd.Dir = dir
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		code := 0
		if err := cmd.Run(); err != nil {
			var exitErr *exec.ExitError
			if !errors.As(err, &exitErr) {
				t.Fatal(err)
			}
			code = exitErr.ExitCode()
		}
		outputs := map[string]string{}
		if b, err := os.ReadFile(output); err == nil {
			for line := range strings.Lines(string(b)) {
				k, v, _ := strings.Cut(strings.TrimSpace(line), "=")
				outputs[k] = v
			}
		}
		t.Logf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", id, code, stdout.String(), stderr.String())
		return code, stdout.String(), outputs
	}

	t.Run("findings", func(t *testing.T) {
		sarif := filepath.Join(t.TempDir(), "out.sarif")
		with := map[string]string{"path": repos + "/demo", "sarif-file": sarif, "args": "--jobs 1"}
		if code, _, out := runStep(t, "sarif", "", with); code != 0 || out["file"] != sarif {
			t.Errorf("sarif step: exit %d, outputs %v", code, out)
		}
		if data, err := os.ReadFile(sarif); err != nil {
			t.Error(err)
		} else {
			validateSARIF(t, sarifSchema(t), string(data))
		}
		code, stdout, out := runStep(t, "check", "", with)
		if code != 0 || out["exit-code"] != "1" {
			t.Errorf("check step: exit %d, outputs %v; want exit 0 and exit-code 1", code, out)
		}
		if !strings.Contains(stdout, "::error file=testdata/repos/demo/base/deployment.yml,line=34,col=13,title=schema-invalid::") {
			t.Errorf("check step printed no annotation:\n%s", stdout)
		}
	})
	t.Run("pull request comment", func(t *testing.T) {
		fakes := secretstest.NewFakes()
		dir := diffRepo(t, fakes)
		// The extra flags are check's: diff accepts them too.
		code, _, out := runStep(t, "diff", dir, map[string]string{"base": "main", "args": "--jobs 1 --fail-on warning --no-builtin-policies"})
		if code != 0 || out["body"] == "" {
			t.Fatalf("diff step: exit %d, outputs %v; want exit 0 and a body", code, out)
		}
		body, err := os.ReadFile(out["body"])
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(body), "### Rendered diff against `main`") || !strings.Contains(string(body), "<details>") {
			t.Errorf("comment body:\n%s", body)
		}
		for _, s := range fakes.Secret {
			if strings.Contains(string(body), s) {
				t.Errorf("the comment holds a fake secret %.8s…", s)
			}
		}
	})
	t.Run("clean, text log", func(t *testing.T) {
		code, stdout, out := runStep(t, "check", "", map[string]string{"path": repos + "/clean", "annotations": "false"})
		if code != 0 || out["exit-code"] != "0" || !strings.Contains(stdout, "no findings") {
			t.Errorf("check step: exit %d, outputs %v, stdout %q", code, out, stdout)
		}
	})
	t.Run("warnings fail with fail-on warning", func(t *testing.T) {
		code, _, out := runStep(t, "check", "", map[string]string{"path": repos + "/suppressions", "fail-on": "warning"})
		if code != 0 || out["exit-code"] != "1" {
			t.Errorf("check step: exit %d, outputs %v", code, out)
		}
	})
	t.Run("usage error stops the action", func(t *testing.T) {
		code, _, out := runStep(t, "check", "", map[string]string{"path": repos + "/clean", "args": "--no-such-flag"})
		if code != 2 {
			t.Errorf("check step: exit %d, outputs %v; want 2", code, out)
		}
	})
	t.Run("extra flags are not globbed", func(t *testing.T) {
		// In a directory holding a file named --fail-on=warning, a globbed
		// "--fail-on=*" would become that valid flag (and fail on the
		// repository's warning, exit 1); unexpanded it is a usage error.
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "--fail-on=warning"), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		code, _, out := runStep(t, "check", dir, map[string]string{"path": repos + "/suppressions", "args": "--fail-on=*"})
		if code != 2 {
			t.Errorf("check step with args --fail-on=*: exit %d, outputs %v; want 2", code, out)
		}
	})
}
