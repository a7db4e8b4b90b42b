package engine_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/report"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/rulestest"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// throwaway is a Go rule written the way a newcomer adds one: a check
// value with its rule, its scope and its code, and nothing else. runs
// counts its passes.
func throwaway(runs *atomic.Int64) *engine.Check {
	return &engine.Check{
		Name: "team-label",
		Rules: []*rules.Rule{{
			ID:          "team-label-missing",
			Severity:    rules.Warning,
			Doc:         "Workload has no team label\nEvery Deployment names the team that owns it in metadata.labels.team.",
			Remediation: "Add `team: <name>` to metadata.labels.",
		}},
		Scope: engine.ResourceScope,
		Run: func(p *engine.Pass) error {
			runs.Add(1)
			if p.Resource.ID.Kind != "Deployment" {
				return nil
			}
			if _, ok := manifest.Lookup(p.Resource.Object, "/metadata/labels/team"); !ok {
				p.Report(origin.FieldFinding(p.Resource, "team-label-missing", "/metadata/name", "Deployment has no team label"))
			}
			return nil
		},
	}
}

// TestThrowawayCheck adds a Go rule through the public pieces only (a
// check value appended to the list) and shows that it runs and reports
// where the # want markers say, that it is in the catalogue and the
// generated docs, and that switching its rule off keeps it from running.
func TestThrowawayCheck(t *testing.T) {
	root := treetest.New(t, map[string]string{
		"kustomization.yaml": "resources:\n  - api.yaml\n  - web.yaml\n",
		"api.yaml":           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api  # want \"team-label-missing\"\nspec:\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      containers:\n        - name: api\n          image: api:1.0\n",
		"web.yaml":           "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    team: storefront\nspec:\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: web:1.0\n",
	})
	schemas := t.TempDir()
	tests := []struct {
		name     string
		disable  []string
		wantRuns bool
		wantGot  []string
	}{
		{name: "enabled", wantRuns: true, wantGot: rulestest.Wants(t, root)},
		{name: "disabled", disable: []string{"team-label-missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var runs atomic.Int64
			settings, err := rules.ParseSettings(tt.disable, nil)
			if err != nil {
				t.Fatal(err)
			}
			opts := engine.Options{Root: root, SchemaCacheDir: schemas, Rules: settings, Checks: append(engine.Checks(), throwaway(&runs))}
			res, err := engine.Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			var own []rules.Finding
			for _, f := range res.Findings {
				if f.RuleID == "team-label-missing" {
					own = append(own, f)
				}
			}
			if diff := cmp.Diff(tt.wantGot, rulestest.Got(own)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if got := runs.Load() > 0; got != tt.wantRuns {
				t.Errorf("check ran %d times; want it to run: %v", runs.Load(), tt.wantRuns)
			}
		})
	}

	// The catalogue, and so `gitops-lint rules` and docs/rules.md, list it.
	all, err := engine.Catalogue(context.Background(), engine.Options{Checks: append(engine.Checks(), throwaway(new(atomic.Int64)))})
	if err != nil {
		t.Fatal(err)
	}
	var doc bytes.Buffer
	if err := report.WriteCatalogue(&doc, all, "markdown"); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"team-label-missing", "Workload has no team label", "Add `team: <name>` to metadata.labels."} {
		if !strings.Contains(doc.String(), want) {
			t.Errorf("the rules documentation lacks %q", want)
		}
	}
}

// TestDisabledChecksDoNotRun shows that the driver skips a built-in check
// whose rules are all switched off: with the secret rules off, gitleaks
// never scans a file.
func TestDisabledChecksDoNotRun(t *testing.T) {
	root := treetest.New(t, map[string]string{
		"config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  token: " + secretstest.NewFakes().Fixed["GITHUB_TOKEN"] + "\n",
	})
	schemas := t.TempDir()
	tests := []struct {
		name      string
		disable   []string
		wantScans bool
	}{
		{name: "secret rules on", wantScans: true},
		{name: "secret file rules off", disable: []string{"leaked-credential", "plaintext-secret", "sops-unencrypted", "secret-scan-skipped"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var scans atomic.Int64
			checks := engine.Checks()
			for _, ch := range checks {
				if ch.Scope == engine.FileScope {
					run := ch.Run
					ch.Run = func(p *engine.Pass) error { scans.Add(1); return run(p) }
				}
			}
			settings, err := rules.ParseSettings(tt.disable, nil)
			if err != nil {
				t.Fatal(err)
			}
			res, err := engine.Run(context.Background(), engine.Options{Root: root, SchemaCacheDir: schemas, Rules: settings, Checks: checks})
			if err != nil {
				t.Fatal(err)
			}
			if got := scans.Load() > 0; got != tt.wantScans {
				t.Errorf("file checks ran %d times; want them to run: %v", scans.Load(), tt.wantScans)
			}
			leaked := false
			for _, f := range res.Findings {
				leaked = leaked || f.RuleID == "leaked-credential"
			}
			if leaked != tt.wantScans {
				t.Errorf("leaked-credential reported: %v, want %v", leaked, tt.wantScans)
			}
		})
	}
}

// TestChecksAreValid rejects checks the driver could not run.
func TestChecksAreValid(t *testing.T) {
	noop := func(*engine.Pass) error { return nil }
	rule := []*rules.Rule{{ID: "r", Doc: "Title", Remediation: "Fix it."}}
	tests := []struct {
		name    string
		check   *engine.Check
		wantErr string
	}{
		{name: "no name", check: &engine.Check{Rules: rule, Run: noop}, wantErr: "without a name"},
		{name: "no run", check: &engine.Check{Name: "x", Rules: rule}, wantErr: "has no Run"},
		{name: "no rules", check: &engine.Check{Name: "x", Run: noop}, wantErr: "reports no rule"},
		{name: "same name as a built-in", check: &engine.Check{Name: "schema", Rules: rule, Run: noop}, wantErr: "duplicate check"},
		{name: "a rule ID twice", check: &engine.Check{Name: "x", Rules: []*rules.Rule{{ID: "schema-invalid", Doc: "Other", Remediation: "r"}}, Run: noop}, wantErr: "declared twice"},
		{name: "fine", check: &engine.Check{Name: "x", Rules: rule, Run: noop}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := engine.Catalogue(context.Background(), engine.Options{Checks: append(engine.Checks(), tt.check)})
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestSuppressionOfDisabledRule: a check that does not run cannot use a
// suppression, so one naming only rules switched off is not reported
// unused; a misspelt rule ID still is.
func TestSuppressionOfDisabledRule(t *testing.T) {
	token := secretstest.NewFakes().Fixed["GITHUB_TOKEN"]
	root := treetest.New(t, map[string]string{
		"config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  # gitops-lint:ignore leaked-credential a test token, revoked\n  token: " + token + "\n",
		"other.yaml":  "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: d\ndata:\n  # gitops-lint:ignore leaked-credentail the ID is misspelt  # want \"suppression-unused\"\n  mode: fast\n",
	})
	settings, err := rules.ParseSettings([]string{"leaked-credential"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Run(context.Background(), engine.Options{Root: root, SchemaCacheDir: t.TempDir(), Rules: settings})
	if err != nil {
		t.Fatal(err)
	}
	var got []rules.Finding
	for _, f := range res.Findings {
		if strings.HasPrefix(f.RuleID, "suppression-") {
			got = append(got, f)
		}
	}
	if diff := cmp.Diff(rulestest.Wants(t, root), rulestest.Got(got)); diff != "" {
		t.Errorf("suppression findings (-want +got):\n%s", diff)
	}
}

// TestSchemaCheckFixtures runs the schema and API-version check over
// fixtures that mark each expected finding with # want (one file that
// must not fire, config.yaml, has none).
func TestSchemaCheckFixtures(t *testing.T) {
	root := filepath.Join("testdata", "want", "schema")
	own := map[string]bool{}
	for _, ch := range engine.Checks() {
		if ch.Name == "schema" {
			for _, r := range ch.Rules {
				own[r.ID] = true
			}
		}
	}
	res, err := engine.Run(context.Background(), engine.Options{Root: root, SchemaCacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var got []rules.Finding
	for _, f := range res.Findings {
		if own[f.RuleID] {
			got = append(got, f)
		}
	}
	if diff := cmp.Diff(rulestest.Wants(t, root), rulestest.Got(got)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestFileChecksCachedByContent: with the result cache, a file-scope check
// runs again only on a file whose content changed, except on a file whose
// scan taught the run's redaction a credential, which is scanned on every
// run; the findings are the same either way.
func TestFileChecksCachedByContent(t *testing.T) {
	token := secretstest.NewFakes().Fixed["GITHUB_TOKEN"]
	root := treetest.New(t, map[string]string{
		"kustomization.yaml": "resources:\n  - config.yaml\n",
		"config.yaml":        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  token: " + token + "\n",
		"NOTES.md":           "nothing secret here\n",
	})
	schemas, cache := t.TempDir(), t.TempDir()
	var mu sync.Mutex
	var scanned []string
	checks := engine.Checks()
	for _, ch := range checks {
		if ch.Scope == engine.FileScope {
			run := ch.Run
			ch.Run = func(p *engine.Pass) error {
				mu.Lock()
				scanned = append(scanned, p.File)
				mu.Unlock()
				return run(p)
			}
		}
	}
	opts := engine.Options{Root: root, SchemaCacheDir: schemas, CacheDir: cache, Checks: checks}
	var first []rules.Finding
	for _, step := range []struct {
		name        string
		edit        string // a file appended to before the run
		wantScanned []string
	}{
		{name: "cold", wantScanned: []string{"NOTES.md", "config.yaml", "kustomization.yaml"}},
		{name: "warm", wantScanned: []string{"config.yaml"}},
		{name: "one file edited", edit: "NOTES.md", wantScanned: []string{"NOTES.md", "config.yaml"}},
	} {
		if step.edit != "" {
			p := filepath.Join(root, step.edit)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, append(data, "more\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		scanned = nil
		res, err := engine.Run(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(scanned)
		if diff := cmp.Diff(step.wantScanned, scanned); diff != "" {
			t.Errorf("%s: files scanned (-want +got):\n%s", step.name, diff)
		}
		if !slices.ContainsFunc(res.Findings, func(f rules.Finding) bool { return f.RuleID == "leaked-credential" }) {
			t.Errorf("%s: the credential is not reported", step.name)
		}
		if first == nil {
			first = res.Findings
		} else if diff := cmp.Diff(first, res.Findings); diff != "" {
			t.Errorf("%s: findings differ from the cold run (-cold +got):\n%s", step.name, diff)
		}
	}
}
