package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// hostileDir holds the small hostile repositories; big inputs are built
// at test time (see the generator cases below).
const hostileDir = "../../testdata/repos/hostile"

// located is a finding reduced to what a person acts on.
type located struct {
	Rule string
	At   string // file:line
}

func locate(fs []rules.Finding, ruleIDs ...string) []located {
	var out []located
	for _, f := range fs {
		if len(ruleIDs) == 0 || slices.Contains(ruleIDs, f.RuleID) {
			out = append(out, located{Rule: f.RuleID, At: fmt.Sprintf("%s:%d", f.Location.File, f.Location.Line)})
		}
	}
	return out
}

// TestAliasBombs checks that every reader refuses YAML whose aliases
// expand past the budget, with a yaml-syntax finding at the alias that
// crosses it, and that small anchors still decode.
func TestAliasBombs(t *testing.T) {
	tests := []struct {
		name string
		repo string
		want []located
	}{
		{name: "resource read by kustomize", repo: "alias-resource", want: []located{{Rule: rules.YAMLSyntax, At: "configmap.yaml:12"}}},
		{name: "patch read by kustomize", repo: "alias-patch", want: []located{{Rule: rules.YAMLSyntax, At: "patch.yaml:12"}}},
		{name: "kustomization file", repo: "alias-kustomization", want: []located{{Rule: rules.YAMLSyntax, At: "kustomization.yaml:10"}}},
		{name: "plain manifest", repo: "alias-plain", want: []located{{Rule: rules.YAMLSyntax, At: "configmap.yaml:12"}}},
		{name: "small anchors decode", repo: "alias-small", want: nil},
	}
	schemas := t.TempDir() // one Validator for every case (see schematest)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(context.Background(), Options{Root: filepath.Join(hostileDir, tt.repo, "repo"), SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, locate(res.Findings, rules.YAMLSyntax, rules.RenderError)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nall: %v", diff, res.Findings)
			}
		})
	}
}

// TestBoundedTargets checks that targets whose build would cost far more
// than their input (kustomize repeats work per key and per include path)
// are not rendered, with a finding at the entry that crosses the bound,
// and that inputs under the bounds still render.
func TestBoundedTargets(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  k: v\n"
	literals := func(n int) map[string]string {
		var b strings.Builder
		b.WriteString("configMapGenerator:\n- name: big\n  literals:\n")
		for i := range n {
			fmt.Fprintf(&b, "  - k%d=v\n", i)
		}
		return map[string]string{"kustomization.yaml": b.String()}
	}
	env := func(lines, lineLen int) map[string]string {
		var b strings.Builder
		for i := range lines {
			fmt.Fprintf(&b, "K%d=%s\n", i, strings.Repeat("v", lineLen))
		}
		return map[string]string{
			"kustomization.yaml": "configMapGenerator:\n- name: big\n  envs:\n  - big.env\n",
			"big.env":            b.String(),
		}
	}
	// diamond: each level includes the two below, with name prefixes so
	// that the build is valid; kustomize would build 2^(levels+2) times.
	diamond := func(levels int) map[string]string {
		files := map[string]string{"kustomization.yaml": "resources:\n- l0a\n- l0b\n"}
		for i := 0; i <= levels; i++ {
			for _, s := range []string{"a", "b"} {
				dir := fmt.Sprintf("l%d%s/", i, s)
				if i == levels {
					files[dir+"kustomization.yaml"] = "namePrefix: " + s + "-\nresources:\n- cm.yaml\n"
					files[dir+"cm.yaml"] = cm
					continue
				}
				files[dir+"kustomization.yaml"] = fmt.Sprintf("namePrefix: %s-\nresources:\n- ../l%da\n- ../l%db\n", s, i+1, i+1)
			}
		}
		return files
	}
	tests := []struct {
		name  string
		files map[string]string
		want  []located
	}{
		// Just over the bound: 100,000 (the case) is measured, not
		// tested, to keep the race-detector run short.
		{name: "10,001 literals", files: literals(10_001), want: []located{{Rule: rules.RenderError, At: "kustomization.yaml:10004"}}},
		{name: "1,000 literals render", files: literals(1_000)},
		{name: "1 million-line env file", files: env(1_000_000, 1), want: []located{{Rule: rules.RenderError, At: "kustomization.yaml:4"}}},
		{name: "20,000-line env file under 1 MiB", files: env(20_000, 1), want: []located{{Rule: rules.RenderError, At: "kustomization.yaml:4"}}},
		{name: "one 2 MiB env line", files: env(1, 2<<20), want: []located{{Rule: rules.RenderError, At: "kustomization.yaml:4"}}},
		{name: "small env file renders", files: env(100, 10)},
		{name: "diamond ten levels deep", files: diamond(10), want: []located{{Rule: rules.RenderError, At: "l9b/kustomization.yaml:3"}}},
		{name: "diamond three levels deep renders", files: diamond(3)},
	}
	schemas := t.TempDir() // one Validator for every case (see schematest)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := treetest.New(t, tt.files)
			res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, locate(res.Findings, rules.YAMLSyntax, rules.RenderError)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\nall: %v", diff, res.Findings)
			}
			if tt.want == nil && res.Resources == 0 {
				t.Errorf("rendered nothing")
			}
		})
	}
}

// TestLargeFiles checks that a file over manifest.MaxFileSize is read by
// no reader: one file-too-large finding, no decoding, no credential scan,
// and a kustomization that lists it fails at the entry.
func TestLargeFiles(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  k: v\n"
	// One line just over the limit: the cost that matters is the same
	// as for 200 MiB, and the test stays small.
	big := "x: " + strings.Repeat("a", manifest.MaxFileSize) + "\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []located
	}{
		{
			name:  "beside plain manifests",
			files: map[string]string{"app/cm.yaml": cm, "app/big.yaml": big},
			want:  []located{{Rule: rules.FileTooLarge, At: "app/big.yaml:1"}},
		},
		{
			name:  "listed by a kustomization",
			files: map[string]string{"kustomization.yaml": "resources:\n- cm.yaml\n- big.yaml\n", "cm.yaml": cm, "big.yaml": big},
			want:  []located{{Rule: rules.FileTooLarge, At: "big.yaml:1"}, {Rule: rules.RenderError, At: "kustomization.yaml:3"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := treetest.New(t, tt.files)
			res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir(), CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			got := locate(res.Findings, rules.FileTooLarge, rules.RenderError, rules.YAMLSyntax, secrets.SecretScanSkipped)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}
