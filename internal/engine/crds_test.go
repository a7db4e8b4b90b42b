package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// schemaFindings runs a check and lists its schema and CRD findings as
// "rule file:line message".
func schemaFindings(t *testing.T, opts Options) []string {
	t.Helper()
	opts.SchemaCacheDir = t.TempDir()
	opts.Policy.Builtin = nil
	res, err := Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		switch f.RuleID {
		case "schema-invalid", "missing-schema", "crd-conflict":
			got = append(got, f.RuleID+" "+f.Location.File+":"+strconv.Itoa(f.Location.Line)+" "+f.Message)
		}
	}
	return got
}

// widgetCRD defines example.com/v1 Widget whose spec.size has the given type.
func widgetCRD(sizeType string) string {
	return `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: ` + sizeType + `}
`
}

const widget = `apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
spec:
  size: 3
`

func TestCRDFromAnotherTarget(t *testing.T) {
	root := t.TempDir()
	treetest.Write(t, root, map[string]string{
		// A CRD in a base, patched by the only overlay that renders it:
		// the patched schema is the one the cluster gets.
		"crds/base/kustomization.yaml": "resources:\n- widget-crd.yaml\n",
		"crds/base/widget-crd.yaml":    widgetCRD("integer"),
		"crds/overlay/kustomization.yaml": `resources:
- ../base
patches:
- target: {kind: CustomResourceDefinition, name: widgets.example.com}
  patch: |
    - op: add
      path: /spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/colour
      value: {type: string}
`,
		"apps/valid/widget.yaml":  strings.Replace(widget, "size: 3", "size: 3\n  colour: red", 1),
		"apps/broken/widget.yaml": strings.Replace(widget, "size: 3", "size: three\n  shape: round", 1),
	})
	got := schemaFindings(t, Options{Root: root})
	want := []string{
		"schema-invalid apps/broken/widget.yaml:6 spec.size: got string, want integer",
		"schema-invalid apps/broken/widget.yaml:7 spec: additional properties 'shape' not allowed",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestCRDPaths(t *testing.T) {
	outside := t.TempDir()
	treetest.Write(t, outside, map[string]string{
		"crds/widget.yaml":  widgetCRD("string"),
		"crds/README.md":    "not a manifest",
		"empty/config.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
		"broken/crd.yaml":   "apiVersion: apiextensions.k8s.io/v1\nkind: [\n",
	})
	root := t.TempDir()
	treetest.Write(t, root, map[string]string{
		"platform/widget-crd.yaml": widgetCRD("integer"),
		"vendor/crds/widget.yaml":  widgetCRD("boolean"),
		"apps/widget.yaml":         widget,
	})
	if err := os.Symlink(filepath.Join(outside, "crds"), filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		opts    Options
		want    []string
		wantErr string
	}{
		{
			name: "repository CRDs only",
			want: []string{"crd-conflict vendor/crds/widget.yaml:1 CustomResourceDefinition \"widgets.example.com\" defines example.com/v1 Widget differently from platform/widget-crd.yaml:1:1, against which resources of that kind are validated"},
		},
		{
			name: "--crds outside the repository comes first",
			opts: Options{CRDPaths: []string{filepath.Join(outside, "crds")}},
			want: []string{
				"schema-invalid apps/widget.yaml:6 spec.size: got number, want string",
				"crd-conflict platform/widget-crd.yaml:1 CustomResourceDefinition \"widgets.example.com\" defines example.com/v1 Widget differently from --crds " + filepath.ToSlash(filepath.Join(outside, "crds", "widget.yaml")) + ", against which resources of that kind are validated",
				"crd-conflict vendor/crds/widget.yaml:1 CustomResourceDefinition \"widgets.example.com\" defines example.com/v1 Widget differently from --crds " + filepath.ToSlash(filepath.Join(outside, "crds", "widget.yaml")) + ", against which resources of that kind are validated",
			},
		},
		{
			name: "configured path inside the repository comes before the rest",
			opts: Options{RepoCRDPaths: []string{"vendor/crds"}},
			want: []string{
				"schema-invalid apps/widget.yaml:6 spec.size: got number, want boolean",
				"crd-conflict platform/widget-crd.yaml:1 CustomResourceDefinition \"widgets.example.com\" defines example.com/v1 Widget differently from vendor/crds/widget.yaml:1:1, against which resources of that kind are validated",
			},
		},
		{name: "configured path leaving the repository", opts: Options{RepoCRDPaths: []string{"../crds"}}, wantErr: "leaves the repository"},
		{name: "configured absolute path", opts: Options{RepoCRDPaths: []string{filepath.Join(outside, "crds")}}, wantErr: "leaves the repository"},
		{name: "configured symlink out of the repository", opts: Options{RepoCRDPaths: []string{"link"}}, wantErr: "resolves outside the repository"},
		{name: "missing path", opts: Options{CRDPaths: []string{filepath.Join(outside, "nope")}}, wantErr: "nope"},
		{name: "path without CRDs", opts: Options{CRDPaths: []string{filepath.Join(outside, "empty")}}, wantErr: "no apiextensions.k8s.io/v1 CustomResourceDefinition"},
		{name: "malformed CRD file", opts: Options{CRDPaths: []string{filepath.Join(outside, "broken")}}, wantErr: "crd.yaml:2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Root = root
			if tt.wantErr != "" {
				opts.SchemaCacheDir = t.TempDir()
				_, err := Run(context.Background(), opts)
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("err = %v, want one mentioning %q", err, tt.wantErr)
				}
				return
			}
			if diff := cmp.Diff(tt.want, schemaFindings(t, opts)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCRDFileRules checks that a CEL rule the API server refuses is
// reported in a CRD file of the repository that no target renders, and in
// one the configuration names, at the rule's line; the same file rendered
// by a target is one finding, not two.
func TestCRDFileRules(t *testing.T) {
	crd := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: queues.example.com
spec:
  group: example.com
  names: {kind: Queue, plural: queues}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              min: {type: integer}
            x-kubernetes-validations:
            - rule: self.min <=
`
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  []string
	}{
		{
			name:  "a CRD file no target renders",
			files: map[string]string{"crds/queue.yaml": crd, "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
			want:  []string{"crds/queue.yaml:22"},
		},
		{
			name:  "a CRD file the configuration names",
			files: map[string]string{"vendor/crds/queue.yaml": crd, "app/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"},
			opts:  Options{RepoCRDPaths: []string{"vendor/crds"}},
			want:  []string{"vendor/crds/queue.yaml:22"},
		},
		{
			name:  "a CRD file a target renders",
			files: map[string]string{"app/queue.yaml": crd, "app/kustomization.yaml": "resources: [queue.yaml]\n"},
			want:  []string{"app/queue.yaml:22"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			treetest.Write(t, root, tt.files)
			opts := tt.opts
			opts.Root, opts.SchemaCacheDir = root, t.TempDir()
			opts.Policy.Builtin = nil
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.RuleID == "cel-rule-invalid" {
					got = append(got, f.Location.File+":"+strconv.Itoa(f.Location.Line))
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("cel-rule-invalid findings (-want +got):\n%s", diff)
			}
		})
	}
}
