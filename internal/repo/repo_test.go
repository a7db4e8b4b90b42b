package repo

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

func TestDiscoverTargets(t *testing.T) {
	type target struct {
		Path     string
		Kind     TargetKind
		Includes []string
		Files    []string
		Blocked  bool
		Partial  string
	}
	type finding struct {
		Rule string
		Loc  string
	}
	tests := []struct {
		name         string
		repo         string
		wantTargets  []target
		wantFindings []finding
	}{
		{
			name: "demo overlays are the targets; base and an unlisted file beside a kustomization are not",
			repo: "demo",
			wantTargets: []target{
				{Path: "overlays/dev", Includes: []string{"base"}},
				{Path: "overlays/prod", Includes: []string{"base"}},
			},
		},
		{
			name: "components are pulled in but never targets",
			repo: "components",
			wantTargets: []target{
				{Path: "overlay", Includes: []string{"base", "logging"}},
			},
		},
		{
			name:         "cycle blocks the target that reaches it",
			repo:         "cycle",
			wantTargets:  []target{{Path: "overlay", Includes: []string{"a", "b"}, Blocked: true}},
			wantFindings: []finding{{Rule: rules.KustomizationCycle, Loc: "b/kustomization.yaml:2:5"}},
		},
		{
			name: "escapes are findings and block rendering",
			repo: "path-escape",
			wantTargets: []target{
				{Path: "absolute", Blocked: true},
				{Path: "dotdot", Blocked: true},
				{Path: "symlink", Blocked: true},
			},
			wantFindings: []finding{
				{Rule: rules.PathEscape, Loc: "absolute/kustomization.yaml:2:5"},
				{Rule: rules.PathEscape, Loc: "dotdot/kustomization.yaml:2:5"},
				{Rule: rules.PathEscape, Loc: "symlink/kustomization.yaml:2:5"},
				{Rule: rules.PathEscape, Loc: "symlink/linked.yaml:1"},
			},
		},
		{
			// app only lists resources: offline it renders as local.yaml.
			name:        "remote entries of a list of resources leave the rest to render",
			repo:        "remote",
			wantTargets: []target{{Path: "app", Partial: "app"}},
			wantFindings: []finding{
				{Rule: rules.RemoteResource, Loc: "app/kustomization.yaml:2:5"},
				{Rule: rules.RemoteResource, Loc: "app/kustomization.yaml:3:5"},
			},
		},
		{
			name:         "malformed plain YAML is a finding, the kustomization still a target",
			repo:         "malformed-yaml",
			wantTargets:  []target{{Path: "app"}},
			wantFindings: []finding{{Rule: rules.YAMLSyntax, Loc: "plain/broken.yaml:5"}},
		},
		{
			name: "plain manifests outside kustomizations are a target; non-objects are not",
			repo: "plain-manifests",
			wantTargets: []target{
				{Path: "clusters/prod", Kind: Plain, Files: []string{"clusters/prod/namespace.yaml"}},
			},
		},
		{
			// Templates, local tools' configuration and hidden folders are
			// no targets, nor is a directory of patch fragments (overlay/patches
			// holds one listed and one unlisted); templates get one info
			// finding per directory.
			name:         "files that are not manifests are no targets",
			repo:         "quiet/not-manifests-fire",
			wantTargets:  []target{{Path: "overlay", Includes: []string{"apps"}}},
			wantFindings: []finding{{Rule: rules.TemplateSkipped, Loc: "charts-like/deployment.yaml:1"}},
		},
		{
			name:        "manifests with Go templates in strings stay manifests",
			repo:        "quiet/not-manifests-quiet",
			wantTargets: []target{{Path: "monitoring", Kind: Plain, Files: []string{"monitoring/alerts.yaml"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Discover(filepath.Join("..", "..", "testdata", "repos", filepath.FromSlash(tt.repo)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var gotTargets []target
			for _, tg := range r.Targets {
				gotTargets = append(gotTargets, target{Path: tg.Path, Kind: tg.Kind, Includes: tg.Includes, Files: tg.Files, Blocked: tg.Blocked != "", Partial: tg.Partial})
			}
			if diff := cmp.Diff(tt.wantTargets, gotTargets); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			var gotFindings []finding
			for _, f := range rules.Merge(r.Findings) {
				gotFindings = append(gotFindings, finding{Rule: f.RuleID, Loc: f.Location.String()})
			}
			if diff := cmp.Diff(tt.wantFindings, gotFindings); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIsRemote(t *testing.T) {
	tests := []struct {
		value string
		want  bool
	}{
		{value: "https://github.com/org/repo//base?ref=v1", want: true},
		{value: "github.com/org/repo/base?ref=v1", want: true},
		{value: "git@github.com:org/repo.git", want: true},
		{value: "ssh://git@example.com/repo.git", want: true},
		{value: "../base", want: false},
		{value: "deployment.yaml", want: false},
		{value: "config.d/app.yaml", want: true}, // would be fetched if missing; only asked when missing
		{value: "./sub.dir/x.yaml", want: false},
	}
	for _, tt := range tests {
		if got := isRemote(tt.value); got != tt.want {
			t.Errorf("isRemote(%q) = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestGeneratorInputs(t *testing.T) {
	const kust = `secretGenerator:
- name: app
  envs:
  - app.env
  literals:
  - user=admin
  - not-key-value
  files:
  - tls.key=certs/server.key
  - certs/ca.crt
configMapGenerator:
- name: settings
  env: settings.env
`
	k := &Kustomization{Dir: "base", File: "base/kustomization.yaml"}
	if err := parseKustomization(k, []byte(kust)); err != nil {
		t.Fatal(err)
	}
	at := func(line, col int) manifest.Origin {
		return manifest.Origin{File: "base/kustomization.yaml", Line: line, Col: col}
	}
	want := []Generator{
		{
			Kind: "Secret", Name: "app", Pos: at(2, 3), Behavior: "create", Literals: []string{"admin", "not-key-value"}, Envs: []string{"app.env"},
			Inputs: []Input{
				{Field: "envs", Path: "app.env", Pos: at(4, 5)},
				{Field: "literals", Key: "user", Pos: at(6, 5)},
				{Field: "literals", Pos: at(7, 5)},
				{Field: "files", Key: "tls.key", Path: "certs/server.key", Pos: at(9, 5)},
				{Field: "files", Key: "ca.crt", Path: "certs/ca.crt", Pos: at(10, 5)},
			},
		},
		{
			Kind: "ConfigMap", Name: "settings", Pos: at(12, 3), Behavior: "create", Envs: []string{"settings.env"},
			Inputs: []Input{{Field: "envs", Path: "settings.env", Pos: at(13, 8)}},
		},
	}
	if diff := cmp.Diff(want, k.Generators); diff != "" {
		t.Errorf("generators (-want +got):\n%s", diff)
	}
	ref, ok := k.RefAt(at(9, 5))
	if !ok || ref.Value != "certs/server.key" || ref.Field != "secretGenerator" {
		t.Errorf("RefAt(9:5) = %+v, %v", ref, ok)
	}
}

func TestParseEnv(t *testing.T) {
	const env = "\xef\xbb\xbf# comment\nUSER=admin\n\n  PASSWORD= spaced value \nFROM_ENV\nEMPTY=\r\nURL=a=b\n"
	want := []EnvVar{
		{Key: "USER", Value: "admin", HasValue: true, Line: 2},
		{Key: "PASSWORD", Value: " spaced value ", HasValue: true, Line: 4},
		{Key: "FROM_ENV", Line: 5},
		{Key: "EMPTY", HasValue: true, Line: 6},
		{Key: "URL", Value: "a=b", HasValue: true, Line: 7},
	}
	if diff := cmp.Diff(want, ParseEnv([]byte(env))); diff != "" {
		t.Errorf("ParseEnv (-want +got):\n%s", diff)
	}
}

// TestDependenciesOfHelmCharts: a kustomization with helmCharts depends
// on every file of its chart home, so a change to a template selects it.
func TestDependenciesOfHelmCharts(t *testing.T) {
	r, err := Discover("../../testdata/repos/helm-kustomize", Options{})
	if err != nil {
		t.Fatal(err)
	}
	deps := r.Dependencies("overlays/prod")
	for _, want := range []string{"apps/web/charts/web/templates/deployment.yaml", "apps/web/charts/web/values.yaml", "apps/web/values-prod.yaml"} {
		if !slices.Contains(deps, want) {
			t.Errorf("Dependencies(overlays/prod) lack %s: %v", want, deps)
		}
	}
}

// TestKustomizationErrors checks what discovery keeps of each
// kustomization now that they are parsed in parallel after the walk: the
// error of a directory with two kustomization files wins over its first
// file's, and every other directory keeps its own.
func TestKustomizationErrors(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{
		"twice/kustomization.yaml":  "resources: [a.yaml]\n",
		"twice/Kustomization":       "resources: [b.yaml]\n",
		"broken/kustomization.yaml": "resources: [\n",
		"fine/kustomization.yaml":   "resources: [a.yaml]\n",
		"fine/a.yaml":               "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
	}
	treetest.Write(t, root, files)
	r, err := Discover(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir     string
		wantErr string // "" for none
		wantRef string // the first reference parsed, "" for none
	}{
		{dir: "twice", wantErr: "found multiple kustomization files (Kustomization and kustomization.yaml)", wantRef: "b.yaml"},
		{dir: "broken", wantErr: "yaml: line 1: did not find expected node content"},
		{dir: "fine", wantRef: "a.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			k := r.Kustomizations[tt.dir]
			if k == nil {
				t.Fatalf("no kustomization at %s", tt.dir)
			}
			gotErr := ""
			if k.Err != nil {
				gotErr = k.Err.Error()
			}
			if gotErr != tt.wantErr {
				t.Errorf("Err = %q, want %q", gotErr, tt.wantErr)
			}
			gotRef := ""
			if len(k.Refs) > 0 {
				gotRef = k.Refs[0].Value
			}
			if gotRef != tt.wantRef {
				t.Errorf("first ref = %q, want %q", gotRef, tt.wantRef)
			}
		})
	}
}
