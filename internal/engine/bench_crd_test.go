package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
	"github.com/gitops-lint/gitops-lint/policies"
)

// crdBenchRepo writes a CRD-heavy repository: crds holds kinds CRDs whose
// schemas carry CEL rules (on the spec, on list items, with a
// messageExpression), formats and a list-map; apps/app-N overlays hold
// perKind valid custom resources of each kind.
func crdBenchRepo(b *testing.B, kinds, apps, perKind int) string {
	b.Helper()
	dir := b.TempDir()
	var crds strings.Builder
	for k := range kinds {
		fmt.Fprintf(&crds, `---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widget%[1]ds.bench.example.com
spec:
  group: bench.example.com
  scope: Namespaced
  names: {kind: Widget%[1]d, plural: widget%[1]ds, singular: widget%[1]d, listKind: Widget%[1]dList}
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
              x-kubernetes-validations:
                - rule: self.minReplicas <= self.maxReplicas
                  message: minReplicas must not exceed maxReplicas
                - rule: "!has(self.owner) || self.owner.endsWith('@example.com')"
                  messageExpression: "'owner ' + self.owner + ' is not from example.com'"
              properties:
                minReplicas: {type: integer, minimum: 0}
                maxReplicas: {type: integer, maximum: 100}
                owner: {type: string, format: email, maxLength: 64}
                since: {type: string, format: date-time}
                ports:
                  type: array
                  maxItems: 16
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items:
                    type: object
                    required: [name, port]
                    properties:
                      name: {type: string, maxLength: 15}
                      port:
                        type: integer
                        x-kubernetes-validations:
                          - rule: self > 0 && self < 65536
`, k)
	}
	write := func(rel, content string) { treetest.Write(b, dir, map[string]string{rel: content}) }
	write("crds/crds.yaml", crds.String())
	write("crds/kustomization.yaml", "resources: [crds.yaml]\n")
	for a := range apps {
		var res strings.Builder
		for k := range kinds {
			for i := range perKind {
				fmt.Fprintf(&res, `---
apiVersion: bench.example.com/v1
kind: Widget%d
metadata:
  name: w%d-%d
  namespace: app-%d
spec:
  minReplicas: 1
  maxReplicas: %d
  owner: team-%d@example.com
  since: "2026-01-0%dT00:00:00Z"
  ports:
    - {name: http, port: 8080}
    - {name: metrics, port: 9090}
`, k, k, i, a, 2+i, a, 1+i%9)
			}
		}
		write(fmt.Sprintf("apps/app-%d/resources.yaml", a), res.String())
		write(fmt.Sprintf("apps/app-%d/kustomization.yaml", a), "resources: [resources.yaml]\n")
	}
	return dir
}

// BenchmarkCheckCRDs runs the whole check on 2,000 custom resources of 10
// CRDs with CEL rules, formats and list-maps: the case the API server
// checks of package apiserver add work to (the synthetic repositories of
// BenchmarkCheck have no CRDs).
func BenchmarkCheckCRDs(b *testing.B) {
	tuneGC(b)
	dir := crdBenchRepo(b, 10, 100, 2)
	cache := b.TempDir()
	family := map[string]bool{}
	for _, r := range apiserver.Rules() {
		family[r.ID] = true
	}
	var res *Result
	for b.Loop() {
		var err error
		res, err = Run(context.Background(), Options{Root: dir, Jobs: benchJobs, SchemaCacheDir: cache, Policy: rego.Options{Builtin: policies.FS}})
		if err != nil {
			b.Fatal(err)
		}
	}
	for _, f := range res.Findings {
		if family[f.RuleID] || f.RuleID == "schema-invalid" || f.RuleID == "missing-schema" {
			b.Fatalf("valid custom resources have a finding: %s %s: %s", f.Location, f.RuleID, f.Message)
		}
	}
	if res.Resources < 2000 {
		b.Fatalf("checked %d resources, want at least 2000", res.Resources)
	}
	perOp := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(res.Resources)/perOp, "resources/s")
	b.ReportMetric(peakRSSMiB(), "peak-RSS-MiB")
}
