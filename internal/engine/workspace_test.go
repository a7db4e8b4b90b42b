package engine_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// workspaceRepo is a repository with a target of every shape a command
// meets: a kustomization on a base that is no target, a plain target, one
// that needs the network and one that does not build. Its Secret's value
// is made at run time.
func workspaceRepo(t *testing.T, password string) string {
	t.Helper()
	return treetest.New(t, map[string]string{
		"base/kustomization.yaml": "resources: [cm.yaml, secret.yaml]\n",
		"base/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {level: info}\n",
		"base/secret.yaml":        "apiVersion: v1\nkind: Secret\nmetadata: {name: app}\nstringData: {password: " + password + "}\n",
		"app/kustomization.yaml":  "resources: [../base]\nnamePrefix: dev-\n",
		"plain/cm.yaml":           "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n",
		// Remote, it needs the network; with a transformer too, the target
		// cannot be rendered without it.
		"remote/kustomization.yaml": "resources: [https://example.com/app.yaml]\nnamePrefix: x-\n",
		// Only listing resources, it is rendered from the others, offline.
		"partial/kustomization.yaml": "resources: [https://example.com/app.yaml, cm.yaml]\n",
		"partial/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: partial}\n",
		"broken/kustomization.yaml":  "resources: [missing.yaml]\n",
	})
}

// TestWorkspaceObjects renders targets one at a time, as both sides of
// diff do: a kustomization through kustomize, a plain target as its file
// holds it; a target that is not rendered or does not build is an error.
func TestWorkspaceObjects(t *testing.T) {
	w, err := engine.Open(engine.Options{Root: workspaceRepo(t, "pw-"+strings.Repeat("x", 8))})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		wantIDs    []string
		wantErr    string
	}{
		{name: "a kustomization renders with its transformers", path: "app", wantIDs: []string{"v1/ConfigMap/dev-app", "v1/Secret/dev-app"}},
		{name: "a plain target is its file's objects", path: "plain", wantIDs: []string{"v1/ConfigMap/plain"}},
		{name: "a target that needs the network is not rendered", path: "remote", wantErr: "not rendered: remote needs the network"},
		{name: "offline, a target is rendered without its remote entries", path: "partial", wantIDs: []string{"v1/ConfigMap/partial"}},
		{name: "a target that does not build says why", path: "broken", wantErr: "missing.yaml"},
		{name: "a base no target is, is none", path: "base", wantErr: "not a target"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := w.Objects(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Objects(%s) error = %v, want one containing %q", tt.path, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, o := range objs {
				id := manifest.IDOf(o)
				ids = append(ids, id.APIVersion+"/"+id.Kind+"/"+id.Name)
			}
			if diff := cmp.Diff(tt.wantIDs, ids); diff != "" {
				t.Errorf("Objects(%s) (-want +got):\n%s", tt.path, diff)
			}
		})
	}
}

// TestWorkspacePrint renders as the render command does: any
// kustomization, secret values hidden unless asked for, what check
// refuses refused, an error screened.
func TestWorkspacePrint(t *testing.T) {
	password := "pw-" + strings.Repeat("q7", 6)
	w, err := engine.Open(engine.Options{Root: workspaceRepo(t, password)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, dir           string
		show                bool
		want, notWant       string
		wantBlocked         []string
		wantError, wantFail string
	}{
		{name: "a target, its secret hidden", dir: "app", want: "name: dev-app", notWant: password},
		{name: "a target, its secret shown when asked", dir: "app", show: true, want: password},
		{name: "a base that is no target", dir: "base", want: "name: app", notWant: password},
		{name: "what needs the network is refused", dir: "remote", wantBlocked: []string{rules.RemoteResource}},
		{name: "a build error is told", dir: "broken", wantError: "missing.yaml"},
		{name: "a directory without a kustomization is an error", dir: "plain", wantFail: "has no kustomization file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := w.Print(context.Background(), tt.dir, tt.show)
			if tt.wantFail != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantFail) {
					t.Fatalf("Print(%s) error = %v, want %q", tt.dir, err, tt.wantFail)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var blocked []string
			for _, f := range out.Blocked {
				blocked = append(blocked, f.RuleID)
			}
			if diff := cmp.Diff(tt.wantBlocked, blocked); diff != "" {
				t.Errorf("Blocked (-want +got):\n%s", diff)
			}
			if !strings.Contains(out.Error, tt.wantError) || (tt.wantError == "") != (out.Error == "") {
				t.Errorf("Error = %q, want %q", out.Error, tt.wantError)
			}
			yaml := string(out.YAML)
			if !strings.Contains(yaml, tt.want) || (tt.notWant != "" && strings.Contains(yaml, tt.notWant)) {
				t.Errorf("YAML =\n%s\nwant %q in it, %q not", yaml, tt.want, tt.notWant)
			}
		})
	}
}
