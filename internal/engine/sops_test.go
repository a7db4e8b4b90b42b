package engine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// TestSOPSBlockIsNotValidated checks that a SOPS-encrypted Secret's sops
// block, which is no field of a Secret, is kept out of schema validation,
// while the same block under another name is reported: validation itself
// is on.
func TestSOPSBlockIsNotValidated(t *testing.T) {
	const secret = `apiVersion: v1
kind: Secret
metadata:
  name: db
type: Opaque
data:
  password: ENC[AES256_GCM,data:Zm9v,iv:YmFy,tag:YmF6,type:str]
%s:
  kms: []
  age:
    - recipient: age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq
      enc: |
        -----BEGIN AGE ENCRYPTED FILE-----
        -----END AGE ENCRYPTED FILE-----
  lastmodified: "2026-01-01T00:00:00Z"
  mac: ENC[AES256_GCM,data:bWFj,iv:aXY=,tag:dGFn,type:str]
  version: 3.9.0
`
	tests := []struct {
		name, key string
		want      []string
	}{
		{name: "the sops block", key: "sops"},
		{name: "any other unknown field", key: "sopz", want: []string{rules.SchemaInvalid}},
	}
	schemas := t.TempDir() // one Validator for every case (see schematest)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "secret.yaml"), []byte(fmt.Sprintf(secret, tc.key)), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.RuleID == rules.SchemaInvalid {
					got = append(got, f.RuleID)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("schema findings (-want +got):\n%s", diff)
			}
		})
	}
}
