package engine

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// TestAPIVersions checks removed-api and deprecated-api end to end: each
// case is one manifest, checked against one Kubernetes version, and the
// findings of the API and schema rules it should (or should not) raise.
func TestAPIVersions(t *testing.T) {
	cronJob := func(apiVersion string) string {
		return "apiVersion: " + apiVersion + `
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "0 3 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: cleanup
              image: busybox:1.36
`
	}
	const oldIngress = `apiVersion: extensions/v1beta1
kind: Ingress
metadata:
  name: web
spec:
  backend:
    serviceName: web
    servicePort: 80
`
	tests := []struct {
		name, version, manifest string
		want                    []string // rule, line and message of each API or schema finding
	}{
		{
			name: "removed Ingress against 1.34", version: "1.34", manifest: oldIngress,
			want: []string{"removed-api 1 extensions/v1beta1 Ingress is not served by Kubernetes 1.34: it was removed in 1.22; use networking.k8s.io/v1"},
		},
		{
			name: "removed CronJob against 1.34", version: "1.34", manifest: cronJob("batch/v1beta1"),
			want: []string{"removed-api 1 batch/v1beta1 CronJob is not served by Kubernetes 1.34: it was removed in 1.25; use batch/v1"},
		},
		{
			name: "removed CronJob against the newest", version: "", manifest: cronJob("batch/v1beta1"),
			want: []string{"removed-api 1 batch/v1beta1 CronJob is not served by Kubernetes 1.37: it was removed in 1.25; use batch/v1"},
		},
		{name: "current CronJob", version: "1.34", manifest: cronJob("batch/v1")},
		{
			// 1.21's own schemas: batch/v1beta1 CronJob is validated.
			name: "deprecated CronJob against 1.21", version: "1.21", manifest: cronJob("batch/v1beta1"),
			want: []string{
				"deprecated-api 1 batch/v1beta1 CronJob is deprecated: Kubernetes 1.25 removes it; use batch/v1",
			},
		},
		{
			name: "CronJob before its GA version existed", version: "1.20", manifest: cronJob("batch/v1"),
			want: []string{"removed-api 1 batch/v1 CronJob is not served by Kubernetes 1.20: it was added in 1.21; use batch/v1beta1"},
		},
		{
			name: "deprecated and still validated", version: "1.34",
			manifest: "apiVersion: storage.k8s.io/v1beta1\nkind: VolumeAttributesClass\nmetadata:\n  name: fast\ndriverName: 3\n",
			want: []string{
				"deprecated-api 1 storage.k8s.io/v1beta1 VolumeAttributesClass is deprecated: Kubernetes 1.37 removes it; use storage.k8s.io/v1",
				"schema-invalid 5 driverName: got number, want string",
			},
		},
		{
			name: "custom resource stays silent", version: "1.34",
			manifest: "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: web\n",
			want:     []string{"missing-schema 1 no schema for cert-manager.io/v1 Certificate; resources of this kind were not validated"},
		},
		{
			name: "built-in group at a version no release served", version: "1.34",
			manifest: "apiVersion: apps/v9\nkind: Deployment\nmetadata:\n  name: web\n",
			want:     []string{"removed-api 1 apps/v9 Deployment is not served by Kubernetes 1.34; use apps/v1"},
		},
	}
	schemas := t.TempDir() // one Validator for every case (see schematest)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "manifest.yaml"), []byte(tt.manifest), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Options{Root: root, KubernetesVersion: tt.version, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				switch f.RuleID {
				case rules.RemovedAPI, rules.DeprecatedAPI, rules.SchemaInvalid, rules.MissingSchema:
					got = append(got, f.RuleID+" "+strconv.Itoa(f.Location.Line)+" "+f.Message)
					if f.RuleID != rules.SchemaInvalid && f.RuleID != rules.MissingSchema && f.Path != "/apiVersion" {
						t.Errorf("%s finding at path %q, want /apiVersion", f.RuleID, f.Path)
					}
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUnsupportedKubernetesVersion(t *testing.T) {
	_, err := Run(context.Background(), Options{Root: t.TempDir(), KubernetesVersion: "1.15", SchemaCacheDir: t.TempDir()})
	if err == nil {
		t.Fatal("Run accepted Kubernetes 1.15")
	}
}
