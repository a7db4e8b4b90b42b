package schema

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	kcresource "github.com/yannh/kubeconform/pkg/resource"
	kcvalidator "github.com/yannh/kubeconform/pkg/validator"
	"go.yaml.in/yaml/v3"
)

func newValidator(t testing.TB, opts Options) *Validator {
	t.Helper()
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	v, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func object(t testing.TB, manifest string) map[string]any {
	t.Helper()
	var obj map[string]any
	if err := yaml.Unmarshal([]byte(manifest), &obj); err != nil {
		t.Fatal(err)
	}
	return obj
}

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  creationTimestamp: null
  labels: {app.kubernetes.io/name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
        ports: [{containerPort: 8080, name: http}]
        resources:
          requests: {cpu: 500m, memory: 1Gi}
          limits: {cpu: 1, memory: 2.5}
`

// withDeployment returns the valid deployment with one line replaced.
func withDeployment(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(deployment, old) {
		t.Fatalf("deployment has no %q", old)
	}
	return strings.Replace(deployment, old, new, 1)
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		manifest string
		want     Result
		// wantMsg, when set, must occur in the message of every error.
		wantMsg string
	}{
		{
			name:     "valid deployment with quantities and creationTimestamp null",
			manifest: deployment,
			want:     Result{Status: Valid},
		},
		{
			name:     "wrong type",
			manifest: withDeployment(t, "replicas: 3", `replicas: "three"`),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/replicas"}}},
			wantMsg:  "want null or integer",
		},
		{
			name:     "unknown field",
			manifest: withDeployment(t, "replicas: 3", "replicas: 3\n  replica: 3"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec"}}},
			wantMsg:  "'replica'",
		},
		{
			name:     "missing required field",
			manifest: withDeployment(t, "- name: web\n        image", "- image"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/template/spec/containers/0"}}},
			wantMsg:  "missing property 'name'",
		},
		{
			// kubeconform alone reports a bare "validation failed" at the item.
			name:     "several problems in one list item",
			manifest: withDeployment(t, "- name: web\n        image: nginx:1.27\n", "- image: 7\n"),
			want: Result{Status: Invalid, Errors: []FieldError{
				{Path: "/spec/template/spec/containers/0", Msg: "missing property 'name'"},
				{Path: "/spec/template/spec/containers/0/image", Msg: "got number, want null or string"},
			}},
		},
		{
			name:     "path with a slash in a key",
			manifest: withDeployment(t, "{app.kubernetes.io/name: web}", "{app.kubernetes.io/name: 1}"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/metadata/labels/app.kubernetes.io~1name"}}},
		},
		{
			name:     "required field null",
			manifest: withDeployment(t, "- name: web", "- name: null"),
			want:     Result{Status: Invalid},
		},
		{
			name: "int-or-string as number and as name",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports:
  - {name: a, port: 80, targetPort: 8080}
  - {name: b, port: 81, targetPort: http}
`,
			want: Result{Status: Valid},
		},
		{
			name: "int-or-string rejects a boolean",
			manifest: `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80, targetPort: true}]
`,
			want:    Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/ports/0/targetPort"}}},
			wantMsg: "want null or integer or string",
		},
		{
			name: "quantity rejects a list",
			manifest: `
apiVersion: v1
kind: ResourceQuota
metadata: {name: q}
spec:
  hard: {cpu: [1]}
`,
			want: Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/hard/cpu"}}},
		},
		{
			name: "valid core Pod",
			manifest: `
apiVersion: v1
kind: Pod
metadata: {name: p}
spec: {containers: [{name: a, image: b}]}
`,
			want: Result{Status: Valid},
		},
		{
			name: "removed Ingress",
			manifest: `
apiVersion: extensions/v1beta1
kind: Ingress
metadata: {name: web}
`,
			want: Result{Status: NotServed, Served: []string{"networking.k8s.io/v1"}},
		},
		{
			name: "removed CronJob",
			manifest: `
apiVersion: batch/v1beta1
kind: CronJob
metadata: {name: nightly}
`,
			want: Result{Status: NotServed, Served: []string{"batch/v1"}},
		},
		{
			name: "removed group",
			manifest: `
apiVersion: settings.k8s.io/v1alpha1
kind: PodPreset
metadata: {name: p}
`,
			want: Result{Status: NotServed},
		},
		{
			name: "custom resource",
			manifest: `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
`,
			want: Result{Status: MissingSchema},
		},
		{
			name: "CRD-based API in a k8s.io group",
			manifest: `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: g}
`,
			want: Result{Status: MissingSchema},
		},
		{
			name: "custom resource named like a built-in",
			manifest: `
apiVersion: apps.example.com/v1
kind: Deployment
metadata: {name: d}
spec: {anything: goes}
`,
			want: Result{Status: MissingSchema},
		},
		{
			name: "kind with a path in it",
			manifest: `
apiVersion: apps/v1
kind: ../../Deployment
`,
			want: Result{Status: MissingSchema},
		},
		{
			name: "CustomResourceDefinition with a recursive schema",
			manifest: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
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
            x-kubernetes-preserve-unknown-fields: true
            properties:
              size: {type: integer, minimum: 1}
              tags: {type: array, items: {type: string}}
`,
			want: Result{Status: Valid},
		},
		{
			name: "CustomResourceDefinition with a wrong type deep in its schema",
			manifest: `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
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
          spec: {type: object, properties: {size: {type: 5}}}
`,
			want: Result{Status: Invalid, Errors: []FieldError{
				{Path: "/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/size/type"},
			}},
		},
		{
			name:    "older embedded version",
			version: "1.35",
			manifest: `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec: {selector: {}, template: {}}
`,
			want: Result{Status: Valid},
		},
	}

	validators := map[string]*Validator{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, ok := validators[tt.version]
			if !ok {
				v = newValidator(t, Options{KubernetesVersion: tt.version})
				validators[tt.version] = v
			}
			got := v.Validate(object(t, tt.manifest))
			if got.Err != nil {
				t.Fatalf("Err = %v", got.Err)
			}
			if tt.want.Status == Invalid && tt.want.Errors == nil {
				if got.Status != Invalid || len(got.Errors) == 0 {
					t.Fatalf("got %+v, want Invalid with errors", got)
				}
				return
			}
			ignoreMsg := cmpopts.IgnoreFields(FieldError{}, "Msg")
			if len(tt.want.Errors) > 0 && tt.want.Errors[0].Msg != "" {
				ignoreMsg = nil
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty(), ignoreMsg, cmpopts.IgnoreFields(Result{}, "Err")); diff != "" {
				t.Errorf("Validate (-want +got):\n%s", diff)
			}
			for _, e := range got.Errors {
				if !strings.Contains(e.Msg, tt.wantMsg) {
					t.Errorf("error %+v does not mention %q", e, tt.wantMsg)
				}
			}
		})
	}
}

func TestValidateErrors(t *testing.T) {
	v := newValidator(t, Options{})
	tests := []struct {
		name string
		obj  map[string]any
	}{
		{name: "no kind", obj: map[string]any{"apiVersion": "v1"}},
		{name: "no apiVersion", obj: map[string]any{"kind": "Pod"}},
		{name: "not JSON-encodable", obj: map[string]any{"apiVersion": "v1", "kind": "Pod", "x": func() {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.Validate(tt.obj)
			if got.Status != Error || got.Err == nil {
				t.Errorf("got %+v, want Error with Err", got)
			}
		})
	}
}

func TestEveryEmbeddedSchemaCompiles(t *testing.T) {
	// Most kinds keep the same schema from one minor to the next: every
	// distinct schema (by content) is compiled once, in whichever version
	// gets to it first. Compiling a schema depends only on its bytes, so
	// the same bytes compiled again in another version prove nothing more.
	var compiled sync.Map // sha256 of a standalone schema -> bool
	var distinct atomic.Int64
	versions := Versions()
	if testing.Short() {
		// make test (-short, under the race detector, where compiling is
		// most of the package's time): the oldest, one between and the
		// newest (the default); make test-long compiles every version.
		versions = []string{versions[0], versions[len(versions)/2], versions[len(versions)-1]}
	}
	t.Cleanup(func() { // after the parallel subtests
		if distinct.Load() == 0 {
			t.Error("no schema was compiled")
		}
		t.Logf("%d distinct schemas compiled over %d versions", distinct.Load(), len(versions))
	})
	for _, version := range versions {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			v := newValidator(t, Options{KubernetesVersion: version})
			seen := map[string]bool{}
			for _, k := range v.bundle.Kinds {
				// Kinds that share a definition (DeleteOptions in every
				// group) differ only in the apiVersion/kind enums.
				if seen[k.Definition] {
					continue
				}
				seen[k.Definition] = true
				schema, err := v.bundle.Standalone(k)
				if err != nil {
					t.Fatal(err)
				}
				if _, done := compiled.LoadOrStore(sha256.Sum256(schema), true); done {
					continue
				}
				distinct.Add(1)
				if err := v.materialise(k); err != nil {
					t.Fatal(err)
				}
				// kubeconform turns a schema that does not compile into
				// Skipped, so ask it directly. Invalid is fine: the bare
				// object lacks required fields.
				data := fmt.Sprintf(`{"apiVersion": %q, "kind": %q}`, k.APIVersion(), k.Kind)
				got := v.kc.ValidateResource(kcresource.Resource{Bytes: []byte(data)})
				if got.Status != kcvalidator.Valid && got.Status != kcvalidator.Invalid {
					t.Errorf("%s %s: status %d, %v", k.APIVersion(), k.Kind, got.Status, got.Err)
				}
			}
		})
	}
}

func TestConcurrentValidate(t *testing.T) {
	v := newValidator(t, Options{})
	objs := []map[string]any{
		object(t, deployment),
		object(t, withDeployment(t, "replicas: 3", `replicas: "three"`)),
		object(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"),
		object(t, "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i}\n"),
		object(t, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"),
	}
	// Expected results come from a separate validator, one call at a time.
	ref := newValidator(t, Options{})
	want := make([]Result, len(objs))
	for i, o := range objs {
		want[i] = ref.Validate(o)
	}

	const goroutines, rounds = 16, 20
	var wg sync.WaitGroup
	errs := make(chan string, goroutines*rounds*len(objs))
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				for i := range objs {
					j := (i + g + r) % len(objs)
					if diff := cmp.Diff(want[j], v.Validate(objs[j])); diff != "" {
						errs <- diff
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for diff := range errs {
		t.Errorf("concurrent result differs (-want +got):\n%s", diff)
	}
}

func TestCacheLayout(t *testing.T) {
	cache := t.TempDir()
	v := newValidator(t, Options{CacheDir: cache})
	// A valid object is vouched for without kubeconform (quick.go), which
	// reads the file; an invalid one is worded by kubeconform.
	if got := v.Validate(object(t, deployment)); got.Status != Valid {
		t.Fatalf("got %+v", got)
	}
	invalid := object(t, withDeployment(t, "replicas: 3", `replicas: "three"`))
	if got := v.Validate(invalid); got.Status != Invalid {
		t.Fatalf("got %+v", got)
	}
	files, err := filepath.Glob(filepath.Join(cache, "*", "v"+v.KubernetesVersion()+"-standalone-strict", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rel []string
	for _, f := range files {
		r, _ := filepath.Rel(cache, f)
		rel = append(rel, filepath.ToSlash(r))
	}
	if len(rel) != 1 || !strings.HasSuffix(rel[0], "-standalone-strict/apps/deployment-apps-v1.json") {
		t.Errorf("cache holds %q, want only the Deployment's schema", rel)
	}

	// A second validator (another run) reuses the file as it is.
	before, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	v2 := newValidator(t, Options{CacheDir: cache})
	if got := v2.Validate(invalid); got.Status != Invalid {
		t.Fatalf("got %+v", got)
	}
	after, err := os.Stat(files[0])
	if err != nil {
		t.Fatal(err)
	}
	if !after.ModTime().Equal(before.ModTime()) {
		t.Error("the cached schema was rewritten")
	}
}

func TestLocations(t *testing.T) {
	dir := t.TempDir()
	widget := `{"type": "object", "required": ["spec"], "properties": {"spec": {"type": "object"}}}`
	if err := os.WriteFile(filepath.Join(dir, "widget-v1.json"), []byte(widget), 0o644); err != nil {
		t.Fatal(err)
	}
	v := newValidator(t, Options{Locations: []string{filepath.ToSlash(dir) + "/{{ .ResourceKind }}-{{ .ResourceAPIVersion }}.json"}})

	tests := []struct {
		name     string
		manifest string
		want     Status
	}{
		{name: "custom resource matches", manifest: "apiVersion: example.com/v1\nkind: Widget\nspec: {}\n", want: Valid},
		{name: "custom resource does not match", manifest: "apiVersion: example.com/v1\nkind: Widget\n", want: Invalid},
		{name: "no schema in any location", manifest: "apiVersion: example.com/v1\nkind: Gadget\n", want: MissingSchema},
		{name: "embedded schemas come first", manifest: deployment, want: Valid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := v.Validate(object(t, tt.manifest)); got.Status != tt.want {
				t.Errorf("got %+v, want %v", got, tt.want)
			}
		})
	}
}

func TestNewRefusesNetworkLocations(t *testing.T) {
	tests := []struct {
		name     string
		location string
		allow    bool
		wantErr  bool
	}{
		{name: "https", location: "https://example.com/{{ .ResourceKind }}.json", wantErr: true},
		{name: "http", location: "HTTP://example.com/{{ .ResourceKind }}.json", wantErr: true},
		{name: "default", location: "default", wantErr: true},
		{name: "https allowed", location: "https://example.com/{{ .ResourceKind }}.json", allow: true},
		{name: "local", location: "schemas/{{ .ResourceKind }}.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Locations: []string{tt.location}, AllowNetwork: tt.allow, CacheDir: t.TempDir()})
			if (err != nil) != tt.wantErr {
				t.Errorf("err = %v, want error: %v", err, tt.wantErr)
			}
		})
	}
}

func TestExport(t *testing.T) {
	v := newValidator(t, Options{KubernetesVersion: "1.36"})
	dir := t.TempDir()
	tpl, err := v.Export(dir)
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "v1.36.3-standalone-strict", "*", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	gitops, _, err := BundledCRDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(v.bundle.Kinds)+len(gitops) {
		t.Errorf("exported %d files for %d kinds", len(files), len(v.bundle.Kinds)+len(gitops))
	}

	// kubeconform on its own, given only the template, agrees with Validate.
	kc, err := kcvalidator.New([]string{tpl}, kcvalidator.Opts{Strict: true, IgnoreMissingSchemas: true})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		manifest string
		want     kcvalidator.Status
	}{
		{name: "valid", manifest: deployment, want: kcvalidator.Valid},
		{name: "invalid", manifest: withDeployment(t, "replicas: 3", `replicas: "three"`), want: kcvalidator.Invalid},
		{name: "core group", manifest: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", want: kcvalidator.Valid},
		{name: "not embedded", manifest: "apiVersion: example.com/v1\nkind: Widget\n", want: kcvalidator.Skipped},
		{name: "bundled GitOps CRD", manifest: argoApplication, want: kcvalidator.Valid},
		{name: "bundled GitOps CRD, invalid", manifest: edit(t, argoApplication, "targetRevision:", "targetRevison:"), want: kcvalidator.Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kc.ValidateResource(kcresource.Resource{Bytes: []byte(tt.manifest)})
			if got.Status != tt.want {
				t.Errorf("kubeconform status %d (%v), want %d", got.Status, got.Err, tt.want)
			}
		})
	}
}

func TestVersions(t *testing.T) {
	want := []string{
		"1.16.15", "1.17.17", "1.18.20", "1.19.16", "1.20.15", "1.21.14",
		"1.22.17", "1.23.17", "1.24.17", "1.25.16", "1.26.15", "1.27.16",
		"1.28.15", "1.29.15", "1.30.14", "1.31.14", "1.32.13", "1.33.13",
		"1.34.8", "1.35.4", "1.36.3", "1.37.2",
	}
	if diff := cmp.Diff(want, Versions()); diff != "" {
		t.Errorf("Versions (-want +got):\n%s", diff)
	}
}

func TestResolveVersion(t *testing.T) {
	tests := []struct {
		requested string
		want      string
		wantErr   bool
	}{
		{requested: "", want: "1.37.2"},
		{requested: "1.36", want: "1.36.3"},
		{requested: "v1.36", want: "1.36.3"},
		{requested: "1.36.3", want: "1.36.3"},
		{requested: "v1.35.4", want: "1.35.4"},
		{requested: "1.36.1", want: "1.36.3"},
		{requested: "1.34", want: "1.34.8"},
		{requested: "1.33", want: "1.33.13"},
		{requested: "1.16", want: "1.16.15"},
		{requested: "1.15", wantErr: true},
		{requested: "1.38.0", wantErr: true},
		{requested: "1", wantErr: true},
		{requested: "1.36.3.1", wantErr: true},
		{requested: "latest", wantErr: true},
		{requested: "1.x", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.requested), func(t *testing.T) {
			got, err := ResolveVersion(tt.requested)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "1.16.15, 1.17.17,") || !strings.Contains(err.Error(), "1.36.3, 1.37.2") {
					t.Errorf("ResolveVersion = %q, %v; want an error listing the versions", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("ResolveVersion = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestNearestVersion(t *testing.T) {
	tests := []struct{ release, want string }{
		{release: "1.36.3", want: "1.36.3"},
		{release: "1.36.1", want: "1.36.3"},
		{release: "v1.35.4", want: "1.35.4"},
		{release: "1.20.15", want: "1.20.15"},
		{release: "1.16.15", want: "1.16.15"},
		{release: "1.29.1", want: "1.29.15"},
		{release: "1.15.0", want: "1.16.15"},
		{release: "1.38.0", want: "1.37.2"},
	}
	for _, tt := range tests {
		if got := NearestVersion(tt.release); got != tt.want {
			t.Errorf("NearestVersion(%q) = %q, want %q", tt.release, got, tt.want)
		}
	}
}

func BenchmarkValidateDeployment(b *testing.B) {
	v := newValidator(b, Options{})
	obj := object(b, deployment)
	if got := v.Validate(obj); got.Status != Valid {
		b.Fatalf("got %+v", got)
	}
	b.ResetTimer()
	for b.Loop() {
		v.Validate(obj)
	}
}

func TestRemoteLocationIsCached(t *testing.T) {
	// A loopback server stands in for a schema registry: no test reaches
	// the network.
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/widget.json" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"type": "object", "required": ["spec"], "properties": {"spec": {"type": "object"}}}`)
	}))
	defer srv.Close()
	cache := t.TempDir()
	opts := Options{Locations: []string{srv.URL + "/{{ .ResourceKind }}.json"}, AllowNetwork: true, CacheDir: cache}

	for run := range 2 {
		v := newValidator(t, opts) // a new run each time, sharing the cache
		if got := v.Validate(object(t, "apiVersion: example.com/v1\nkind: Widget\nspec: {}\n")); got.Status != Valid {
			t.Fatalf("run %d: got %+v", run, got)
		}
		if got := v.Validate(object(t, "apiVersion: example.com/v1\nkind: Widget\n")); got.Status != Invalid {
			t.Fatalf("run %d: got %+v", run, got)
		}
	}
	if n := hits.Load(); n != 1 {
		t.Errorf("the schema was downloaded %d times, want once", n)
	}
	if files, _ := filepath.Glob(filepath.Join(cache, "remote", "*")); len(files) != 1 {
		t.Errorf("remote cache holds %v, want one file", files)
	}
}

// TestFieldOfNewerMinor checks that each minor is validated with its own
// schemas: Service's spec.trafficDistribution appeared in 1.30's OpenAPI,
// so it is an unknown field for 1.29 and a known one from 1.30.
func TestFieldOfNewerMinor(t *testing.T) {
	const service = `
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  ports: [{port: 80}]
  trafficDistribution: PreferClose
`
	tests := []struct {
		version string
		want    Status
	}{
		{version: "1.29", want: Invalid},
		{version: "1.30", want: Valid},
		{version: "1.37", want: Valid},
		{version: "1.16", want: Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			version, err := ResolveVersion(tt.version)
			if err != nil {
				t.Fatal(err)
			}
			got := newValidator(t, Options{KubernetesVersion: version}).Validate(object(t, service))
			if got.Status != tt.want {
				t.Fatalf("Kubernetes %s: status %v, want %v (%+v)", version, got.Status, tt.want, got.Errors)
			}
			if tt.want == Invalid && !strings.Contains(fmt.Sprint(got.Errors), "trafficDistribution") {
				t.Errorf("errors do not name trafficDistribution: %+v", got.Errors)
			}
		})
	}
}
