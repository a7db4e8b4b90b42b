package apiserver_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	structurallisttype "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules/apiserver"
	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

// agreementCRD is the CRD of the custom resources of the agreement table:
// CEL rules with message, messageExpression, fieldPath and reason, a
// transition rule, formats, a list-map, a list-set, int-or-string,
// preserve-unknown-fields and a default.
const agreementCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: queues.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Queue, plural: queues, singular: queue, listKind: QueueList}
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
                - rule: "!has(self.minConsumers) || !has(self.maxConsumers) || self.minConsumers <= self.maxConsumers"
                  message: minConsumers must not exceed maxConsumers
                  fieldPath: .minConsumers
                  reason: FieldValueForbidden
                - rule: "self.minConsumers == oldSelf.minConsumers"
              properties:
                minConsumers: {type: integer}
                maxConsumers: {type: integer, maximum: 100}
                owner: {type: string, format: email}
                expires: {type: string, format: date-time}
                day: {type: string, format: date}
                id: {type: string, format: uuid}
                address: {type: string, format: ipv4}
                port:
                  x-kubernetes-int-or-string: true
                  x-kubernetes-validations:
                    - rule: "type(self) == int ? self > 0 : self.size() > 0"
                retention:
                  type: string
                  default: 7d
                  x-kubernetes-validations:
                    - rule: "self.endsWith('d')"
                      messageExpression: "'retention must be in days, not ' + self"
                extra:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                tags:
                  type: array
                  x-kubernetes-list-type: set
                  items: {type: string}
                bindings:
                  type: array
                  x-kubernetes-list-type: map
                  x-kubernetes-list-map-keys: [name]
                  items:
                    type: object
                    required: [name]
                    properties:
                      name: {type: string}
                      weight:
                        type: integer
                        x-kubernetes-validations:
                          - rule: "self >= 0 && self <= 100"
                            message: weight is a percentage
`

// reference validates a custom resource the way the API server's custom
// resource strategy does on create, calling apiextensions-apiserver's
// functions directly, independently of the package under test.
func reference(t *testing.T, openAPI map[string]any, obj map[string]any) field.ErrorList {
	t.Helper()
	data, _ := json.Marshal(openAPI)
	var v1 apiextensionsv1.JSONSchemaProps
	if err := json.Unmarshal(data, &v1); err != nil {
		t.Fatal(err)
	}
	var internal apiextensions.JSONSchemaProps
	if err := apiextensionsv1.Convert_v1_JSONSchemaProps_To_apiextensions_JSONSchemaProps(&v1, &internal, nil); err != nil {
		t.Fatal(err)
	}
	s, err := structuralschema.NewStructural(&internal)
	if err != nil {
		t.Fatal(err)
	}
	sv, _, err := validation.NewSchemaValidator(&internal)
	if err != nil {
		t.Fatal(err)
	}
	u := (&unstructured.Unstructured{Object: obj}).DeepCopy().Object
	structuralpruning.Prune(u, s, true)
	structuraldefaulting.Default(u, s)
	errs := validation.ValidateCustomResource(nil, u, sv)
	errs = append(errs, structurallisttype.ValidateListSetsAndMaps(nil, s, u)...)
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return errs // the API server's hasBlockingErr: no CEL
		}
	}
	celErrs, _ := cel.NewValidator(s, true, celconfig.PerCallLimit).Validate(context.Background(), nil, s, u, nil, celconfig.RuntimeCELCostBudget)
	return append(errs, celErrs...)
}

// metaReference is the API server's ObjectMeta validation of an object,
// with the name function its kind uses.
func metaReference(obj map[string]any, nameFn apivalidation.ValidateNameFunc) field.ErrorList {
	u := &unstructured.Unstructured{Object: obj}
	return apivalidation.ValidateObjectMetaAccessor(u, u.GetNamespace() != "", nameFn, field.NewPath("metadata"))
}

func decode(t *testing.T, s string) map[string]any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return manifest.Normalize(v).(map[string]any)
}

func queue(spec string) string {
	return "apiVersion: example.com/v1\nkind: Queue\nmetadata: {name: q, namespace: shop}\nspec: " + spec
}

func deployment(name, labels, container string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %s, namespace: shop, labels: %s}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [%s]
`, name, labels, container)
}

// TestAgreement checks, for a table of objects, that the package rejects
// exactly what the API server rejects. Each row's want is the API
// server's verdict; rows whose verdict a published function of the API
// server computes (apiextensions-apiserver's custom resource validation,
// apimachinery's ObjectMeta validation, the quantity parser) are also
// checked against that function, so that the table cannot drift from it.
// No kube-apiserver runs here: envtest's binaries are downloaded from the
// internet by setup-envtest, which the tests never reach.
func TestAgreement(t *testing.T) {
	crdObj := decode(t, agreementCRD)
	kinds, err := crd.Kinds(crdObj)
	if err != nil {
		t.Fatal(err)
	}
	openAPI := kinds[0].OpenAPI
	if openAPI == nil {
		t.Fatal("crd.Kinds kept no schema for the API server checks")
	}
	checker := apiserver.New(apiserver.Options{CRDs: kinds})

	type refKind int
	const (
		none refKind = iota // the API server's verdict, no published function
		custom
		meta
		quantity
	)
	tests := []struct {
		name   string
		object string
		ref    refKind
		nameFn apivalidation.ValidateNameFunc
		// quantityValue is the value the quantity reference parses.
		quantityValue string
		want          bool // rejected
	}{
		// Custom resources.
		{name: "CR valid", object: queue("{minConsumers: 1, maxConsumers: 2}"), ref: custom},
		{name: "CR empty spec", object: queue("{}"), ref: custom},
		{name: "CR min > max", object: queue("{minConsumers: 3, maxConsumers: 2}"), ref: custom, want: true},
		{name: "CR min == max", object: queue("{minConsumers: 2, maxConsumers: 2}"), ref: custom},
		{name: "CR email valid", object: queue("{owner: a@example.com}"), ref: custom},
		{name: "CR email invalid", object: queue("{owner: not-an-address}"), ref: custom, want: true},
		{name: "CR date-time valid", object: queue("{expires: '2026-12-31T23:59:59Z'}"), ref: custom},
		{name: "CR date-time with offset", object: queue("{expires: '2026-12-31T23:59:59+02:00'}"), ref: custom},
		{name: "CR date-time invalid", object: queue("{expires: tomorrow}"), ref: custom, want: true},
		{name: "CR date valid", object: queue("{day: '2026-12-31'}"), ref: custom},
		{name: "CR date invalid", object: queue("{day: '31/12/2026'}"), ref: custom, want: true},
		{name: "CR uuid valid", object: queue("{id: 3f2504e0-4f89-11d3-9a0c-0305e82c3301}"), ref: custom},
		{name: "CR uuid invalid", object: queue("{id: 3f2504e0}"), ref: custom, want: true},
		{name: "CR ipv4 valid", object: queue("{address: 10.0.0.1}"), ref: custom},
		{name: "CR ipv4 invalid", object: queue("{address: 10.0.0.300}"), ref: custom, want: true},
		{name: "CR int-or-string int", object: queue("{port: 8080}"), ref: custom},
		{name: "CR int-or-string string", object: queue("{port: http}"), ref: custom},
		{name: "CR int-or-string zero", object: queue("{port: 0}"), ref: custom, want: true},
		{name: "CR int-or-string empty", object: queue("{port: ''}"), ref: custom, want: true},
		{name: "CR retention default applies", object: queue("{minConsumers: 1}"), ref: custom},
		{name: "CR retention days", object: queue("{retention: 30d}"), ref: custom},
		{name: "CR retention hours (messageExpression)", object: queue("{retention: 12h}"), ref: custom, want: true},
		{name: "CR preserve-unknown-fields", object: queue("{extra: {anything: [1, 2], goes: true}}"), ref: custom},
		{name: "CR list-set unique", object: queue("{tags: [a, b]}"), ref: custom},
		{name: "CR list-set duplicate", object: queue("{tags: [a, a]}"), ref: custom, want: true},
		{name: "CR list-map unique", object: queue("{bindings: [{name: a}, {name: b}]}"), ref: custom},
		{name: "CR list-map duplicate key", object: queue("{bindings: [{name: a, weight: 1}, {name: a, weight: 2}]}"), ref: custom, want: true},
		{name: "CR nested CEL in list item", object: queue("{bindings: [{name: a, weight: 101}]}"), ref: custom, want: true},
		{name: "CR nested CEL valid", object: queue("{bindings: [{name: a, weight: 100}]}"), ref: custom},
		{name: "CR transition rule skipped on create", object: queue("{minConsumers: 7}"), ref: custom},
		// Metadata of any kind.
		{name: "Deployment name valid", object: deployment("web", "{}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		{name: "Deployment name underscore", object: deployment("Orders_API", "{}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "Deployment name with dots", object: deployment("web.v2", "{}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		{name: "Deployment name uppercase", object: deployment("Web", "{}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "Deployment name 254 chars", object: deployment(strings.Repeat("a", 254), "{}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "label key with space", object: deployment("web", "{'team name': x}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "label key prefixed", object: deployment("web", "{'app.kubernetes.io/name': web}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		{name: "label value 63 chars", object: deployment("web", "{a: "+strings.Repeat("v", 63)+"}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		{name: "label value 64 chars", object: deployment("web", "{a: "+strings.Repeat("v", 64)+"}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "label value with space", object: deployment("web", "{a: 'two words'}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "label value empty", object: deployment("web", "{a: ''}", "{name: app, image: x}"), ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		{name: "Service name with dot", object: "apiVersion: v1\nkind: Service\nmetadata: {name: web.api, namespace: shop}\nspec: {ports: [{port: 80}]}", ref: meta, nameFn: apivalidation.NameIsDNS1035Label, want: true},
		{name: "Service name leading digit", object: "apiVersion: v1\nkind: Service\nmetadata: {name: 1web, namespace: shop}\nspec: {ports: [{port: 80}]}", ref: meta, nameFn: apivalidation.NameIsDNS1035Label, want: true},
		{name: "Service name valid", object: "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{port: 80}]}", ref: meta, nameFn: apivalidation.NameIsDNS1035Label},
		{name: "Namespace with dot", object: "apiVersion: v1\nkind: Namespace\nmetadata: {name: team.a}", ref: meta, nameFn: apivalidation.ValidateNamespaceName, want: true},
		{name: "Namespace valid", object: "apiVersion: v1\nkind: Namespace\nmetadata: {name: team-a}", ref: meta, nameFn: apivalidation.ValidateNamespaceName},
		{name: "metadata.namespace invalid", object: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: Shop_1}", ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "generateName with trailing dash", object: "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: migrate-, name: migrate-x, namespace: shop}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: x}]}}}", ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		{name: "generateName invalid", object: "apiVersion: batch/v1\nkind: Job\nmetadata: {generateName: Migrate_, name: migrate-x, namespace: shop}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: m, image: x}]}}}", ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "ClusterRole path segment name", object: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:aggregate-to-view'}\nrules: []", ref: meta, nameFn: func(n string, p bool) []string { return nil }},
		{name: "annotation key invalid", object: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop, annotations: {'bad key!': x}}", ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "annotation key uppercase", object: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop, annotations: {Example.COM/Key: x}}", ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		{name: "annotations over 256 KiB", object: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop, annotations: {big: " + strings.Repeat("x", 256*1024) + "}}", ref: meta, nameFn: apivalidation.NameIsDNSSubdomain, want: true},
		{name: "annotations just under 256 KiB", object: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop, annotations: {big: " + strings.Repeat("x", 256*1024-3) + "}}", ref: meta, nameFn: apivalidation.NameIsDNSSubdomain},
		// Quantities.
		{name: "cpu 500m", object: deployment("web", "{}", "{name: app, image: x, resources: {requests: {cpu: 500m}}}"), ref: quantity, quantityValue: "500m"},
		{name: "cpu 2 cores", object: deployment("web", "{}", "{name: app, image: x, resources: {requests: {cpu: 2 cores}}}"), ref: quantity, quantityValue: "2 cores", want: true},
		{name: "cpu number", object: deployment("web", "{}", "{name: app, image: x, resources: {limits: {cpu: 1.5}}}"), ref: quantity, quantityValue: "1.5"},
		{name: "memory 1.5Gb", object: deployment("web", "{}", "{name: app, image: x, resources: {limits: {memory: 1.5Gb}}}"), ref: quantity, quantityValue: "1.5Gb", want: true},
		{name: "memory 512Mi", object: deployment("web", "{}", "{name: app, image: x, resources: {limits: {memory: 512Mi}}}"), ref: quantity, quantityValue: "512Mi"},
		{name: "memory 1e3", object: deployment("web", "{}", "{name: app, image: x, resources: {limits: {memory: 1e3}}}"), ref: quantity, quantityValue: "1e3"},
		{name: "PVC storage 10GiB", object: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10GiB}}}", ref: quantity, quantityValue: "10GiB", want: true},
		{name: "PVC storage 10Gi", object: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: shop}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}", ref: quantity, quantityValue: "10Gi"},
		// Pod template checks (k8s.io/kubernetes/pkg/apis/core/validation,
		// which is not published as a library: the verdicts are its
		// documented behaviour).
		{name: "request above limit", object: deployment("web", "{}", "{name: app, image: x, resources: {requests: {cpu: 2}, limits: {cpu: 1}}}"), want: true},
		{name: "request equal to limit", object: deployment("web", "{}", "{name: app, image: x, resources: {requests: {cpu: '1'}, limits: {cpu: 1000m}}}")},
		{name: "negative quantity", object: deployment("web", "{}", "{name: app, image: x, resources: {requests: {cpu: -1}}}"), want: true},
		{name: "two containers named api", object: deployment("web", "{}", "{name: api, image: x}, {name: api, image: y}"), want: true},
		{name: "container name with underscore", object: deployment("web", "{}", "{name: my_app, image: x}"), want: true},
		{name: "two ports named http", object: deployment("web", "{}", "{name: app, image: x, ports: [{name: http, containerPort: 80}, {name: http, containerPort: 81}]}"), want: true},
		{name: "two ports different names", object: deployment("web", "{}", "{name: app, image: x, ports: [{name: http, containerPort: 80}, {name: metrics, containerPort: 81}]}")},
		{name: "mount of missing volume", object: deployment("web", "{}", "{name: app, image: x, volumeMounts: [{name: data, mountPath: /d}]}"), want: true},
		{name: "env name with =", object: deployment("web", "{}", "{name: app, image: x, env: [{name: 'A=B', value: x}]}"), want: true},
		{name: "env name with dash (relaxed)", object: deployment("web", "{}", "{name: app, image: x, env: [{name: 'my-var', value: x}]}")},
		{name: "probe with two handlers", object: deployment("web", "{}", "{name: app, image: x, readinessProbe: {exec: {command: [x]}, tcpSocket: {port: 80}}}"), want: true},
		{name: "probe with no handler", object: deployment("web", "{}", "{name: app, image: x, readinessProbe: {periodSeconds: 5}}"), want: true},
		{name: "preStop sleep", object: deployment("web", "{}", "{name: app, image: x, lifecycle: {preStop: {sleep: {seconds: 5}}}}")},
	}
	if len(tests) < 60 {
		t.Fatalf("the agreement table has %d objects, want at least 60", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := decode(t, tt.object)
			switch tt.ref {
			case custom:
				errs := reference(t, openAPI, obj)
				if got := len(errs) > 0; got != tt.want {
					t.Errorf("apiextensions-apiserver: rejected = %v, want %v: %v", got, tt.want, errs)
				}
			case meta:
				errs := metaReference(obj, tt.nameFn)
				if got := len(errs) > 0; got != tt.want {
					t.Errorf("ValidateObjectMetaAccessor: rejected = %v, want %v: %v", got, tt.want, errs)
				}
			case quantity:
				if _, err := resource.ParseQuantity(tt.quantityValue); (err != nil) != tt.want {
					t.Errorf("ParseQuantity(%q): err = %v, want rejected %v", tt.quantityValue, err, tt.want)
				}
			}
			r := &manifest.Resource{ID: manifest.IDOf(obj), SourceID: manifest.IDOf(obj), Object: obj, Origin: manifest.Origin{File: "x.yaml", Line: 1}, Target: "."}
			fs := checker.Check(context.Background(), r)
			if got := len(fs) > 0; got != tt.want {
				t.Errorf("checker: rejected = %v, want %v", got, tt.want)
				for _, f := range fs {
					t.Logf("%s: %s", f.RuleID, f.Message)
				}
			}
		})
	}
	// Every custom resource row skipped the spec's oldSelf rule.
	if got := checker.SkippedTransitionRules(); got < 30 {
		t.Errorf("skipped transition rule evaluations = %d, want one per custom resource row (30)", got)
	}
}
