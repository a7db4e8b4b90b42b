package engine

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// TestFindingLocations checks, for every kind of place a rendered field
// can come from, that a finding about the field points at the line and
// column a person edits. The test policy reports the fields listed in
// testdata/locate/fields.json; the repository is testdata/repos/locations.
func TestFindingLocations(t *testing.T) {
	res, err := Run(context.Background(), Options{
		Root:           "../../testdata/repos/locations",
		SchemaCacheDir: t.TempDir(),
		Policy: rego.Options{
			Policies:   []string{"testdata/locate"},
			Data:       []string{"testdata/locate/fields.json"},
			Namespaces: []string{"main"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	type located struct {
		at      string
		related []string
		targets []string
	}
	got := map[string]located{}
	for _, f := range res.Findings {
		key := f.Resource.Kind + " " + f.Path + " @" + strings.Join(f.Targets, ",")
		if f.RuleID == rules.SchemaInvalid {
			key = "schema-invalid " + f.Path
		}
		var rel []string
		for _, r := range f.Related {
			rel = append(rel, r.String())
		}
		got[key] = located{at: f.Location.String(), related: rel, targets: f.Targets}
	}
	const (
		base  = "base/deployment.yaml:"
		kbase = "base/kustomization.yaml:"
		prod  = "overlays/prod/kustomization.yaml:"
		both  = "overlays/dev,overlays/prod"
	)
	tests := []struct {
		name    string
		key     string
		at      string
		related []string
		targets string
	}{
		{name: "base field", key: "Deployment /spec/template/spec/containers/0/name", at: base + "16:11", targets: both},
		{name: "base field under a patched list", key: "Deployment /spec/selector/matchLabels/app", at: base + "9:7", targets: both},
		{name: "missing field: nearest ancestor in the base", key: "Deployment /spec/template/spec/volumes", at: base + "14:5", targets: both},
		{name: "missing field under a container matched by name", key: "Deployment /spec/template/spec/containers/0/securityContext/runAsNonRoot", at: base + "16:11", targets: both},
		{name: "strategic-merge patch file", key: "Deployment /spec/template/spec/containers/0/resources/limits/memory", at: "overlays/prod/resources.yaml:12:15", targets: "overlays/prod"},
		{name: "JSON 6902 inline operation", key: "Deployment /spec/template/spec/containers/0/imagePullPolicy", at: prod + "13:16", targets: "overlays/prod"},
		{name: "field inside a JSON 6902 added value", key: "Deployment /spec/template/spec/containers/1/image", at: prod + "18:11", targets: "overlays/prod"},
		{name: "missing field under a JSON 6902 added value", key: "Deployment /spec/template/spec/containers/1/securityContext", at: prod + "14:9", targets: "overlays/prod"},
		{name: "inline strategic-merge patch", key: "schema-invalid /spec/sessionAffinityConfig/clientIP/timeoutSeconds", at: prod + "27:13", targets: "overlays/prod"},
		{name: "images transformer", key: "Deployment /spec/template/spec/containers/0/image", at: prod + "30:13", related: []string{base + "17:11"}, targets: "overlays/prod"},
		{name: "replicas transformer", key: "Deployment /spec/replicas", at: prod + "33:12", related: []string{base + "6:3"}, targets: "overlays/prod"},
		{name: "namespace transformer", key: "Deployment /metadata/namespace", at: prod + "2:12", targets: "overlays/prod"},
		{name: "namePrefix transformer", key: "Deployment /metadata/name", at: prod + "1:13", related: []string{base + "4:3"}, targets: "overlays/prod"},
		{name: "namePrefix of another overlay", key: "Deployment /metadata/name", at: "overlays/dev/kustomization.yaml:3:13", related: []string{base + "4:3"}, targets: "overlays/dev"},
		{name: "commonLabels in the base kustomization", key: "Deployment /metadata/labels/app.kubernetes.io~1part-of", at: kbase + "5:3", targets: both},
		{name: "replacements target", key: "Deployment /spec/template/metadata/annotations/service", at: prod + "49:13", targets: "overlays/prod"},
		{name: "generator entry", key: "ConfigMap ", at: prod + "35:5", targets: "overlays/prod"},
		{name: "generator literal", key: "ConfigMap /data/MODE", at: prod + "39:9", targets: "overlays/prod"},
		{name: "generator env file line", key: "ConfigMap /data/WORKERS", at: "overlays/prod/config.env:4:1", targets: "overlays/prod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key + " @" + tc.targets
			if strings.HasPrefix(key, "schema-invalid") {
				key = tc.key
			}
			g, ok := got[key]
			if !ok {
				t.Fatalf("no finding for %q; have %v", key, keys(got))
			}
			want := located{at: tc.at, related: tc.related, targets: strings.Split(tc.targets, ",")}
			if diff := cmp.Diff(want, g, cmp.AllowUnexported(located{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func keys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}

// TestProvenanceLocations checks the places the issue "the line to edit,
// every time" found wrong, one case per class, on
// testdata/repos/provenance: an unknown field that a patch of each kind
// wrote, a mistake inside a kustomization that a target reaches through
// another, and two source documents of one kind and name.
func TestProvenanceLocations(t *testing.T) {
	res, err := Run(context.Background(), Options{
		Root:           "../../testdata/repos/provenance",
		SchemaCacheDir: t.TempDir(),
		Policy: rego.Options{
			Policies:   []string{"testdata/locate"},
			Data:       []string{"testdata/locate/provenance.json"},
			Namespaces: []string{"main"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range res.Findings {
		key := f.RuleID + " " + f.Resource.String() + " " + f.Path
		if f.RuleID == rules.RenderError {
			key = f.RuleID + " " + f.Message
		}
		got[key] = append(got[key], f.Location.String()+" @"+strings.Join(f.Targets, ","))
	}
	const containers = "schema-invalid Deployment/web /spec/template/spec/containers/0/"
	tests := []struct {
		name string
		key  string
		at   []string
	}{
		{name: "unknown field from a patches: file", key: containers + "imagePullPolcy", at: []string{"patched/smp.yaml:10:11 @patched"}},
		{name: "unknown field from a patchesStrategicMerge file", key: containers + "workingDirr", at: []string{"patched/merge.yaml:10:11 @patched"}},
		{name: "unknown field from an inline strategic-merge patch", key: containers + "terminationMessagePolcy", at: []string{"patched/kustomization.yaml:19:17 @patched"}},
		{name: "unknown field from a JSON 6902 add", key: containers + "stdinn", at: []string{"patched/kustomization.yaml:29:15 @patched"}},
		{name: "unknown field from a component's patch", key: containers + "ttyy", at: []string{"component/tty.yaml:10:11 @patched"}},
		{name: "unknown key in a component's kustomization", key: `render-error invalid kustomization: unknown field "patchQzx"`, at: []string{"broken-component/kustomization.yaml:3:1 @with-broken-component"}},
		{name: "JSON 6902 operation that does not apply", key: "render-error JSON patch: replace operation does not apply: the object has no /spec/template/spec/containers/1/image", at: []string{"bad-op/kustomization.yaml:7:9 @bad-op"}},
		{name: "unknown key in a base's kustomization", key: `render-error invalid kustomization: unknown field "newTagQzx"`, at: []string{"broken-base/kustomization.yaml:5:5 @broken"}},
		{name: "same kind and name in two files, each at its own", key: "main.deny Role/reader /rules/0/verbs", at: []string{"roles/a/role.yaml:8:5 @roles/both", "roles/b/role.yaml:8:5 @roles/both"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			g, ok := got[tc.key]
			if !ok {
				t.Fatalf("no finding for %q; have %v", tc.key, keys(got))
			}
			if diff := cmp.Diff(tc.at, g); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFluxSubstitution checks that what a Flux Kustomization applies is
// validated after its post-build substitution, as Flux applies it
// (testdata/repos/flux-substitution): substitute, substituteFrom a
// ConfigMap and a Secret, defaults, and the annotation that disables it;
// and that a substituted field is located at the line holding its
// placeholder.
func TestFluxSubstitution(t *testing.T) {
	res, err := Run(context.Background(), Options{
		Root:           "../../testdata/repos/flux-substitution",
		SchemaCacheDir: t.TempDir(),
		Policy: rego.Options{
			Policies:   []string{"testdata/locate"},
			Data:       []string{"testdata/locate/flux.json"},
			Namespaces: []string{"main"},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		switch f.RuleID {
		case "main.deny", rules.SchemaInvalid, gitops.FluxVarUndefined, gitops.FluxSubstituteFromMissing:
			got = append(got, f.RuleID+" "+f.Resource.Name+" "+f.Path+" "+f.Location.String())
		}
		if strings.Contains(f.Message, "9090") {
			t.Errorf("a Secret's value is printed: %s", f.Message)
		}
	}
	want := []string{
		"main.deny api /spec/replicas apps/prod/api.yaml:6:3",                                              // substitute
		"main.deny api /spec/progressDeadlineSeconds apps/prod/api.yaml:7:3",                               // ${VAR:-default}
		"main.deny api /spec/template/spec/terminationGracePeriodSeconds apps/prod/api.yaml:16:7",          // ${VAR:=default}
		"flux-var-undefined api /spec/template/spec/containers/0/image apps/prod/api.yaml:19:11",           // stays undefined
		"main.deny api /spec/template/spec/containers/0/ports/0/containerPort apps/prod/api.yaml:21:15",    // from a ConfigMap
		"main.deny api /spec/template/spec/containers/0/ports/1/containerPort apps/prod/api.yaml:23:15",    // from a Secret
		"schema-invalid raw /spec/replicas apps/prod/raw.yaml:8:3",                                         // substitution disabled
		"flux-substitute-from-missing other /spec/postBuild/substituteFrom/1 clusters/prod/apps.yaml:39:9", // required, not optional
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestRenderMistakeLocated checks that kustomize's refusals naming an
// object's field, not a file or line, are reported at the key in the
// source to fix, not at line 1 of the kustomization: a RoleBinding
// subject whose name key is misspelt (kustomize cannot update the name it
// refers to), and a replacement's source whose field key is misspelt.
func TestRenderMistakeLocated(t *testing.T) {
	const rbac = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: reconciler
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: reconciler
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: admin
subjects:
  - kind: ServiceAccount
    name: reconciler
  - kind: ServiceAccount
    nameQzx: reconciler
`
	// replacement is a base whose replacement copies fieldPath of the
	// source into targetPath of the Deployment; containers, when set,
	// replaces the Deployment's containers key.
	replacement := func(source, fieldPath, containers string, targetPath ...string) map[string]string {
		if containers == "" {
			containers = "spec.template.spec.containers.[name=web].image"
		}
		if len(targetPath) == 0 {
			targetPath = []string{"spec.template.spec.containers.[name=web].image"}
		}
		key := strings.Split(containers, ".")[3]
		return map[string]string{
			"base/kustomization.yaml": `resources: [app.yaml]
replacements:
  - source:
      kind: ConfigMap
      name: settings
      fieldPath: ` + fieldPath + `
    targets:
      - select: {kind: Deployment}
        fieldPaths:
          - ` + targetPath[0] + `
`,
			"base/app.yaml": source + `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      ` + key + `:
        - name: web
          image: nginx
`,
			"prod/kustomization.yaml": "namePrefix: prod-\nresources: [../base]\n",
		}
	}
	const settings = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
dataQzx:
  image: nginx:1.27
`
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "list item lacking its name",
			files: map[string]string{
				"base/kustomization.yaml": "resources: [rbac.yaml]\n",
				"base/rbac.yaml":          rbac,
				"prod/kustomization.yaml": "namePrefix: prod-\nnamespace: apps\nresources: [../base]\n",
			},
			want: []string{"base/rbac.yaml:18 RoleBinding reconciler: an item of subjects has no name, which kustomize needs to update the name it refers to"},
		},
		{
			name:  "replacement source key misspelt",
			files: replacement(settings, "data.image", ""),
			want:  []string{`base/app.yaml:5 ConfigMap settings has no data.image, which a replacement copies from: is "dataQzx" a misspelling of "data"?`},
		},
		{
			// Nothing in the source looks like the path: the fieldPath
			// is what is wrong, so the finding is at it.
			name:  "replacement path unlike any key",
			files: replacement(settings, "spec.image", ""),
			want:  []string{"base/kustomization.yaml:6 ConfigMap settings has no spec.image, which a replacement copies from"},
		},
		{
			name: "replacement target key misspelt",
			files: replacement(strings.Replace(settings, "dataQzx", "data", 1), "data.image", "spec.template.spec.containerz.[name=web].image",
				"spec.template.spec.containers.[name=web].image"),
			want: []string{`base/app.yaml:17 Deployment web has no spec.template.spec.containers.[name=web].image, which a replacement writes: is "containerz" a misspelling of "containers"?`},
		},
		{
			name:  "replacement target path unlike any key",
			files: replacement(strings.Replace(settings, "dataQzx", "data", 1), "data.image", "", "spec.template.spec.initContainers.[name=web].image"),
			want:  []string{"base/kustomization.yaml:10 Deployment has no spec.template.spec.initContainers.[name=web].image, which a replacement writes"},
		},
	}
	schemas := t.TempDir() // one Validator for every case (see schematest)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			treetest.Write(t, root, tt.files)
			res, err := Run(context.Background(), Options{Root: root, SchemaCacheDir: schemas, LoadSchemas: testSchemas.Load})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				if f.RuleID == "render-error" {
					got = append(got, f.Location.File+":"+strconv.Itoa(f.Location.Line)+" "+f.Message)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("render-error findings (-want +got):\n%s", diff)
			}
		})
	}
}
