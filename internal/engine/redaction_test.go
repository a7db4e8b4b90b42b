package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/schema"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
	"github.com/gitops-lint/gitops-lint/policies"
)

func TestSchemaMessageHidesOnlyTheQuotedSecret(t *testing.T) {
	value := "Zq9" + strings.Repeat("xK2m", 4)
	obj := map[string]any{"spec": map[string]any{"token": value, "kind": "string"}}
	tests := []struct {
		name   string
		path   string
		msg    string
		secret bool
		want   string
	}{
		{name: "quoted secret", path: "/spec/token", msg: "'" + value + "' does not match pattern '^x$'", secret: true, want: `spec.token: "[redacted]" does not match pattern '^x$'`},
		{name: "not a secret", path: "/spec/kind", msg: "'string' is not valid", secret: false, want: "spec.kind: 'string' is not valid"},
		{name: "the same word unquoted", path: "/spec/kind", msg: "got string, want integer", secret: true, want: "spec.kind: got string, want integer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := schemaMessage(obj, schema.FieldError{Path: tt.path, Msg: tt.msg}, func(string, string) bool { return tt.secret })
			if got != tt.want {
				t.Errorf("schemaMessage = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestSuppressionReasonScreened: the reason written in a suppression
// comment is reported with the finding it silences, screened like a message.
func TestSuppressionReasonScreened(t *testing.T) {
	value := "Zq9" + strings.Repeat("xK2m", 4) + "Pw7a"
	root := t.TempDir()
	files := map[string]string{
		"app/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData:\n  password: " + value + "\n",
		"app/pod.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostNetwork: true # gitops-lint:ignore host-network the password " + value + " says so\n" +
			"  containers: [{name: web, image: nginx:1.27}]\n",
	}
	treetest.Write(t, root, files)
	res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: t.TempDir(), Policy: rego.Options{Builtin: policies.FS}, LoadPolicies: testPolicies.Load})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range res.Findings {
		if f.RuleID != "host-network" {
			continue
		}
		found = true
		if f.Suppression == nil || strings.Contains(f.Suppression.Justification, value) || !strings.Contains(f.Suppression.Justification, "[redacted]") {
			t.Errorf("suppression %+v, want the reason with the value hidden", f.Suppression)
		}
	}
	if !found {
		t.Fatal("no host-network finding")
	}
}
