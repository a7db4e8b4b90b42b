package schema

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

func TestEveryBundledCRDCompiles(t *testing.T) {
	kinds, sources, err := BundledCRDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) == 0 {
		t.Error("the bundle names no sources")
	}
	v := newValidator(t, Options{})
	for _, k := range kinds {
		data := fmt.Sprintf(`{"apiVersion": %q, "kind": %q, "metadata": {"name": "x"}}`, k.APIVersion(), k.Kind)
		if _, ok := v.validateCustom(k.APIVersion()+"/"+k.Kind, []byte(data)); !ok {
			cs := v.custom.Get(k.APIVersion()+"/"+k.Kind, nil)
			t.Errorf("%s %s: schema does not compile: %v", k.APIVersion(), k.Kind, cs.err)
		}
	}
	var names []string
	for _, k := range kinds {
		names = append(names, k.Kind)
	}
	for _, want := range []string{"Application", "ApplicationSet", "AppProject", "Kustomization", "HelmRelease", "GitRepository",
		"OCIRepository", "HelmRepository", "Bucket", "SealedSecret", "ExternalSecret", "ClusterExternalSecret", "SecretStore", "ClusterSecretStore"} {
		if !strings.Contains(" "+strings.Join(names, " ")+" ", " "+want+" ") {
			t.Errorf("no bundled schema for %s", want)
		}
	}
}

const (
	argoApplication = `
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: guestbook, namespace: argocd, labels: {team: a}}
spec:
  project: default
  source:
    repoURL: https://github.com/argoproj/argocd-example-apps.git
    targetRevision: HEAD
    path: guestbook
  destination:
    server: https://kubernetes.default.svc
    namespace: guestbook
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
`
	fluxKustomization = `
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: apps, namespace: flux-system}
spec:
  interval: 10m
  path: ./apps
  prune: true
  sourceRef: {kind: GitRepository, name: flux-system}
  postBuild:
    substitute: {cluster: prod}
`
)

// edit returns manifest with one string replaced.
func edit(t *testing.T, manifest, old, new string) string {
	t.Helper()
	if !strings.Contains(manifest, old) {
		t.Fatalf("manifest has no %q", old)
	}
	return strings.Replace(manifest, old, new, 1)
}

func TestBundledCRDs(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		want     Result
		wantMsg  string // in the first error's message
	}{
		{name: "Argo CD Application", manifest: argoApplication, want: Result{Status: Valid}},
		{
			name:     "Argo CD Application with a misspelt field",
			manifest: edit(t, argoApplication, "targetRevision:", "targetRevison:"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/source"}}},
			wantMsg:  "'targetRevison'",
		},
		{
			name:     "Argo CD Application with a string for a boolean",
			manifest: edit(t, argoApplication, "prune: true", `prune: "yes"`),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/syncPolicy/automated/prune"}}},
			wantMsg:  "want null or boolean",
		},
		{
			name:     "Argo CD Application without a destination",
			manifest: edit(t, argoApplication, "  destination:\n    server: https://kubernetes.default.svc\n    namespace: guestbook\n", ""),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec"}}},
			wantMsg:  "missing property 'destination'",
		},
		{
			name:     "custom resource metadata is ObjectMeta, strictly",
			manifest: edit(t, argoApplication, "labels: {team: a}", "label: {team: a}"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/metadata"}}},
			wantMsg:  "'label'",
		},
		{
			name:     "custom resource labels are strings",
			manifest: edit(t, argoApplication, "labels: {team: a}", "labels: {team: 1}"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/metadata/labels/team"}}},
		},
		{
			name: "Argo CD ApplicationSet with free-form list elements",
			manifest: `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: guestbook}
spec:
  generators:
  - list:
      elements:
      - {cluster: dev, url: "https://1.2.3.4", replicas: 2}
  template:
    metadata: {name: '{{cluster}}-guestbook'}
    spec:
      project: default
      source: {repoURL: "https://github.com/argoproj/argo-cd.git", targetRevision: HEAD, path: guestbook}
      destination: {server: '{{url}}', namespace: guestbook}
`,
			want: Result{Status: Valid},
		},
		{
			name: "Argo CD AppProject",
			manifest: `
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: team}
spec:
  sourceRepos: ['*']
  destinations: [{namespace: '*', server: '*'}]
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
`,
			want: Result{Status: Valid},
		},
		{name: "Flux Kustomization", manifest: fluxKustomization, want: Result{Status: Valid}},
		{
			name:     "Flux Kustomization without prune",
			manifest: edit(t, fluxKustomization, "  prune: true\n", ""),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec"}}},
			wantMsg:  "missing property 'prune'",
		},
		{
			name:     "Flux Kustomization with an interval that is not a duration",
			manifest: edit(t, fluxKustomization, "interval: 10m", "interval: ten minutes"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/interval"}}},
		},
		{
			name:     "Flux Kustomization with an unknown source kind",
			manifest: edit(t, fluxKustomization, "kind: GitRepository", "kind: GitRepo"),
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/sourceRef/kind"}}},
		},
		{
			name: "Flux HelmRelease with free-form values",
			manifest: `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: podinfo}
spec:
  interval: 5m
  chart:
    spec:
      chart: podinfo
      version: '6.x'
      sourceRef: {kind: HelmRepository, name: podinfo}
  values:
    replicaCount: 2
    any: {thing: [1, 2]}
`,
			want: Result{Status: Valid},
		},
		{
			name: "Flux GitRepository",
			manifest: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: podinfo}
spec: {interval: 1m, url: "https://github.com/stefanprodan/podinfo", ref: {branch: master}}
`,
			want: Result{Status: Valid},
		},
		{
			name: "Flux OCIRepository",
			manifest: `
apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata: {name: podinfo}
spec: {interval: 5m, url: "oci://ghcr.io/stefanprodan/manifests/podinfo", ref: {tag: latest}}
`,
			want: Result{Status: Valid},
		},
		{
			name: "Sealed Secret",
			manifest: `
apiVersion: bitnami.com/v1alpha1
kind: SealedSecret
metadata: {name: s, namespace: default}
spec:
  encryptedData: {password: AgBy3i4OJSWK+PiTySYZZA==}
  template: {metadata: {name: s}}
`,
			want: Result{Status: Valid},
		},
		{
			name: "External Secret",
			manifest: `
apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata: {name: db}
spec:
  refreshInterval: 1h
  secretStoreRef: {name: vault, kind: ClusterSecretStore}
  target: {name: db-credentials}
  data:
  - secretKey: password
    remoteRef: {key: db/prod, property: password}
`,
			want: Result{Status: Valid},
		},
		{
			name: "External Secrets ClusterSecretStore with a misspelt provider",
			manifest: `
apiVersion: external-secrets.io/v1
kind: ClusterSecretStore
metadata: {name: vault}
spec:
  provider:
    vaults: {server: "https://vault.example.com", path: secret}
`,
			want:    Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/provider"}}},
			wantMsg: "'vaults'",
		},
		{
			name:     "served version the bundle does not have",
			manifest: "apiVersion: helm.toolkit.fluxcd.io/v2beta2\nkind: HelmRelease\nmetadata: {name: x}\n",
			want:     Result{Status: MissingSchema},
		},
		{
			// From an older release that still served it.
			name:     "older served version the bundle has",
			manifest: "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\nmetadata: {name: x}\nspec: {refreshInterval: 5}\n",
			want:     Result{Status: Invalid, Errors: []FieldError{{Path: "/spec/refreshInterval"}}},
		},
		{
			name:     "older Flux Kustomization",
			manifest: "apiVersion: kustomize.toolkit.fluxcd.io/v1beta2\nkind: Kustomization\nmetadata: {name: x}\nspec: {interval: 1h, path: ./apps, prune: true, sourceRef: {kind: GitRepository, name: flux-system}}\n",
			want:     Result{Status: Valid},
		},
	}
	v := newValidator(t, Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := v.Validate(object(t, tt.manifest))
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty(), cmpopts.IgnoreFields(FieldError{}, "Msg")); diff != "" {
				t.Fatalf("Validate (-want +got):\n%s\n%+v", diff, got.Errors)
			}
			if tt.wantMsg != "" && !strings.Contains(got.Errors[0].Msg, tt.wantMsg) {
				t.Errorf("message %q does not mention %q", got.Errors[0].Msg, tt.wantMsg)
			}
		})
	}
}

// crdKinds converts one CRD written as YAML.
func crdKinds(t *testing.T, manifest string) []crd.Kind {
	t.Helper()
	kinds, err := crd.Kinds(object(t, manifest))
	if err != nil {
		t.Fatal(err)
	}
	return kinds
}

// widgetCRD defines example.com/v1 Widget with a required integer size,
// and may be pointed at another group and kind.
func widgetCRD(group, kind string) string {
	return fmt.Sprintf(`
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.%s}
spec:
  group: %s
  names: {kind: %s, plural: widgets}
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
            required: [size]
            properties:
              size: {type: integer}
`, group, group, kind)
}

func TestWithCRDs(t *testing.T) {
	dir := t.TempDir()
	// A location that has a schema for every kind, accepting anything, to
	// show which kinds reach the locations.
	if err := os.WriteFile(filepath.Join(dir, "any.json"), []byte(`{"type": "object"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	base := newValidator(t, Options{Locations: []string{filepath.ToSlash(dir) + "/any.json"}})
	kinds := crdKinds(t, widgetCRD("example.com", "Widget"))
	// A repository's own Application CRD replaces the bundled one.
	kinds = append(kinds, crdKinds(t, widgetCRD("argoproj.io", "Application"))[0])
	// The first definition of a kind wins.
	second := crdKinds(t, strings.Replace(widgetCRD("example.com", "Widget"), "{type: integer}", "{type: string}", 1))
	kinds = append(kinds, second...)
	// No CRD replaces a Kubernetes kind.
	kinds = append(kinds, crdKinds(t, widgetCRD("apps", "Deployment"))...)
	v := base.WithCRDs(kinds)

	tests := []struct {
		name      string
		validator *Validator
		manifest  string
		want      Status
	}{
		{name: "CR valid against its CRD", validator: v, manifest: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n", want: Valid},
		{name: "CR invalid against its CRD", validator: v, manifest: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: one}\n", want: Invalid},
		{name: "without the CRD the location decides", validator: base, manifest: "apiVersion: example.com/v1\nkind: Widget\nspec: {size: one}\n", want: Valid},
		{name: "repository CRD before the bundled one", validator: v, manifest: "apiVersion: argoproj.io/v1\nkind: Application\nmetadata: {name: a}\nspec: {size: 1}\n", want: Valid},
		{name: "bundled CRD where the repository has none", validator: v, manifest: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {size: 1}\n", want: Invalid},
		{name: "bundled CRD before the locations", validator: base, manifest: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {size: 1}\n", want: Invalid},
		{name: "Kubernetes schema before any CRD", validator: v, manifest: deployment, want: Valid},
		{name: "other kinds still reach the locations", validator: v, manifest: "apiVersion: example.com/v1\nkind: Gadget\n", want: Valid},
		// Validators derived from one share what they compile of the
		// embedded schemas, never what they compile of their own CRDs.
		{name: "another derived validator knows none of v's CRDs", validator: base.WithCRDs(nil), manifest: "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: one}\n", want: Valid},
		{name: "another derived validator has the bundled CRDs", validator: base.WithCRDs(nil), manifest: "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: a}\nspec: {size: 1}\n", want: Invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.validator.Validate(object(t, tt.manifest)); got.Status != tt.want {
				t.Errorf("got %+v, want %v", got, tt.want)
			}
		})
	}

	// The bundled kind a Validator finds is the one BundledCRDs lists,
	// decoded once for every Validator derived from the same one.
	found, ok := v.BundledCRD("argoproj.io/v1alpha1", "Application")
	if !ok {
		t.Fatal("BundledCRD does not find the bundled Application")
	}
	all, _, err := BundledCRDs()
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(all, func(k crd.Kind) bool { return k.APIVersion() == "argoproj.io/v1alpha1" && k.Kind == "Application" })
	if i < 0 || !reflect.DeepEqual(found.OpenAPI, all[i].OpenAPI) {
		t.Error("BundledCRD's Application is not the one BundledCRDs lists")
	}
	if again, _ := base.BundledCRD("argoproj.io/v1alpha1", "Application"); reflect.ValueOf(again.OpenAPI).Pointer() != reflect.ValueOf(found.OpenAPI).Pointer() {
		t.Error("the bundled CRDs were decoded again for a derived Validator")
	}
}

// A run without custom resources never decodes the embedded GitOps
// kinds: asking for a built-in kind does not, asking for another group
// does, once.
func TestBundledCRDDecodesOnlyForCustomGroups(t *testing.T) {
	v := newValidator(t, Options{})
	decoded := 0
	v.gitops = func() (*gitopsIndex, error) {
		decoded++
		return loadGitOps()
	}
	tests := []struct {
		name, apiVersion, kind string
		found                  bool
		decoded                int
	}{
		{name: "core", apiVersion: "v1", kind: "ConfigMap", decoded: 0},
		{name: "built-in group", apiVersion: "apps/v1", kind: "Deployment", decoded: 0},
		{name: "built-in group with a dot", apiVersion: "networking.k8s.io/v1", kind: "Ingress", decoded: 0},
		{name: "custom group outside the bundle", apiVersion: "example.com/v1", kind: "Widget", decoded: 1},
		{name: "bundled kind", apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", found: true, decoded: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, found := v.BundledCRD(tt.apiVersion, tt.kind)
			if found != tt.found || decoded != tt.decoded {
				t.Errorf("BundledCRD(%q, %q) found %v after %d decodings, want %v after %d", tt.apiVersion, tt.kind, found, decoded, tt.found, tt.decoded)
			}
		})
	}
}

func TestCRDErrorsPointAtFields(t *testing.T) {
	v := newValidator(t, Options{}).WithCRDs(crdKinds(t, widgetCRD("example.com", "Widget")))
	got := v.Validate(object(t, "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: one, colour: red}\n"))
	want := Result{Status: Invalid, Errors: []FieldError{
		{Path: "/spec", Msg: "additional properties 'colour' not allowed"},
		{Path: "/spec/size", Msg: "got string, want integer"},
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Validate (-want +got):\n%s", diff)
	}
}
