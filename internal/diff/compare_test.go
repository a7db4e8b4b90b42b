package diff

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
)

// obj decodes one YAML object as the renderer returns it.
func obj(t *testing.T, doc string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		t.Fatal(err)
	}
	return manifest.Normalize(m).(map[string]any)
}

// line is a field change as the text report prints it.
func line(f Field) string {
	s := f.Change.Symbol() + " " + f.Path
	switch {
	case f.Secret:
		s += ": (secret " + f.Change.String() + ")"
	case f.Lines != nil:
		s += ": " + strings.Join(f.Lines, " | ")
	case f.Change == Added:
		s += ": " + f.New
	case f.Change == Removed:
		s += ": " + f.Old
	default:
		s += ": " + f.Old + " -> " + f.New
	}
	return s
}

func TestCompareObjects(t *testing.T) {
	fakes := secretstest.NewFakes()
	password := fakes.Fixed["PASSWORD"]
	token := fakes.Fixed["GITHUB_TOKEN"]
	const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop
  labels: {app.kubernetes.io/name: shop, tier: web}
spec:
  replicas: 1
  template:
    spec:
      initContainers:
      - {name: migrate, image: shop-migrate:1.0}
      - {name: warm, image: busybox:1.36}
      containers:
      - name: shop
        image: ghcr.io/acme/shop:1.2.0
        args: [--port, "8080"]
        env:
        - {name: LOG_LEVEL, value: info}
        ports:
        - {containerPort: 8080}
`
	tests := []struct {
		name     string
		old, cur string
		// secret is a Secret rendered beside the objects.
		secret string
		want   []string
	}{
		{
			name: "same object",
			old:  deployment, cur: deployment,
		},
		{
			name: "fields of named items, labels with dots, list insert",
			old:  deployment,
			cur: strings.NewReplacer(
				"replicas: 1", "replicas: 3",
				"shop:1.2.0", "shop:1.3.0",
				"tier: web", "tier: web, app.kubernetes.io/version: 1.3.0",
				`args: [--port, "8080"]`, `args: [--port, "8080", --verbose]`,
				"- {name: LOG_LEVEL, value: info}", "- {name: LOG_LEVEL, value: debug}\n        - {name: MODE, value: shop}",
				"- {containerPort: 8080}", "- {containerPort: 9090}",
			).Replace(deployment),
			want: []string{
				`+ metadata.labels["app.kubernetes.io/version"]: 1.3.0`,
				"~ spec.replicas: 1 -> 3",
				"+ spec.template.spec.containers[name=shop].args[2]: --verbose",
				"~ spec.template.spec.containers[name=shop].env[name=LOG_LEVEL].value: info -> debug",
				"+ spec.template.spec.containers[name=shop].env[name=MODE]: {name: MODE, value: shop}",
				"~ spec.template.spec.containers[name=shop].image: ghcr.io/acme/shop:1.2.0 -> ghcr.io/acme/shop:1.3.0",
				"- spec.template.spec.containers[name=shop].ports[containerPort=8080]: {containerPort: 8080}",
				"+ spec.template.spec.containers[name=shop].ports[containerPort=9090]: {containerPort: 9090}",
			},
		},
		{
			name: "init containers swapped",
			old:  deployment,
			cur: strings.NewReplacer(
				"- {name: migrate, image: shop-migrate:1.0}", "- {name: warm, image: busybox:1.36}",
				"- {name: warm, image: busybox:1.36}", "- {name: migrate, image: shop-migrate:1.0}",
			).Replace(deployment),
			want: []string{"~ spec.template.spec.initContainers: migrate, warm -> warm, migrate"},
		},
		{
			name: "new apiVersion of the same object",
			old:  "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: shop}\nspec: {minReplicas: 2}\n",
			cur:  "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: shop}\nspec: {minReplicas: 2}\n",
			want: []string{"~ apiVersion: autoscaling/v2beta2 -> autoscaling/v2"},
		},
		{
			name: "Secret values are never shown",
			old:  "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: " + b64(password) + ", user: " + b64("shop") + "}\n",
			cur:  "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: {password: " + b64(password+"2") + ", user: " + b64("shop") + "}\nstringData: {token: " + token + "}\n",
			want: []string{
				"~ data.password: (secret changed)",
				"+ stringData: {token: (secret)}",
			},
		},
		{
			name: "a Secret's malformed data is hidden too",
			old:  "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: " + password + "\n",
			cur:  "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\ndata: [" + token + "]\n",
			want: []string{"~ data: (secret changed)"},
		},
		{
			name:   "a credential outside a Secret is hidden, a Secret's value is cut out",
			secret: "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {password: " + password + "}\n",
			old:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {GITHUB_TOKEN: none, URL: 'postgres://shop@db/shop'}\n",
			cur:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {GITHUB_TOKEN: " + token + ", URL: 'postgres://shop:" + password + "@db/shop'}\n",
			want: []string{
				"~ data.GITHUB_TOKEN: none -> [redacted]",
				"~ data.URL: postgres://shop@db/shop -> postgres://shop:[redacted]@db/shop",
			},
		},
		{
			name:   "a short secret value is hidden where it is the value, kept inside other text",
			secret: "apiVersion: v1\nkind: Secret\nmetadata: {name: db}\nstringData: {user: shop}\n",
			old:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {USER: admin, URL: 'postgres://db/shop'}\n",
			cur:    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app}\ndata: {USER: shop, URL: 'postgres://db/shop-eu'}\n",
			want: []string{
				"~ data.URL: postgres://db/shop -> postgres://db/shop-eu",
				"~ data.USER: admin -> [redacted]",
			},
		},
		{
			name: "a private key in a ConfigMap is hidden whole",
			old:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tls}\ndata:\n  key.pem: |\n    " + strings.ReplaceAll(fakes.Fixed["PRIVATE_KEY"], "\n", "\n    ") + "\n",
			cur:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tls}\ndata:\n  key.pem: |\n    " + strings.ReplaceAll(fakes.Fixed["PRIVATE_KEY"], "\n", "\n    ") + "\n    # rotated\n",
			want: []string{`~ data["key.pem"]: [redacted] -> [redacted]`},
		},
		{
			name: "a text of several lines, line by line",
			old:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nginx}\ndata:\n  nginx.conf: |\n    server {\n      listen 80;\n      root /srv;\n    }\n",
			cur:  "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nginx}\ndata:\n  nginx.conf: |\n    server {\n      listen 8080;\n      root /srv;\n      gzip on;\n    }\n",
			want: []string{`~ data["nginx.conf"]: -  listen 80; | +  listen 8080; | +  gzip on;`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			red := &redactor{ctx: context.Background(), scanner: newScanner(t), values: &redact.Set{}}
			old, cur := obj(t, tt.old), obj(t, tt.cur)
			red.values.Add(manifest.SecretValues(old)...)
			red.values.Add(manifest.SecretValues(cur)...)
			if tt.secret != "" {
				red.values.Add(manifest.SecretValues(obj(t, tt.secret))...)
			}
			var got []string
			for _, f := range compareObjects(old, cur, red) {
				got = append(got, line(f))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
			for _, s := range fakes.Secret {
				if strings.Contains(strings.Join(got, "\n"), s) {
					t.Errorf("a fake secret is printed: %q", got)
				}
			}
		})
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestCompareTargets(t *testing.T) {
	cm := func(name, data string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: shop}\ndata: {LEVEL: " + data + "}\n"
	}
	old := []map[string]any{
		obj(t, cm("shop-env-5fk9h2bg8t", "info")),
		obj(t, cm("legacy", "x")),
		obj(t, "apiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: shop}\nspec: {ports: [{port: 80}]}\n"),
	}
	cur := []map[string]any{
		obj(t, "apiVersion: v1\nkind: Service\nmetadata: {name: shop, namespace: shop}\nspec: {ports: [{port: 80}]}\n"),
		obj(t, cm("shop-env-m9d7c6b5k4", "debug")),
		obj(t, cm("fresh", "y")),
	}
	red := &redactor{ctx: context.Background()}
	type res struct {
		ID     string
		Change string
		Fields []string
	}
	var got []res
	for _, r := range compareTargets(old, cur, red) {
		x := res{ID: r.ID.String(), Change: r.Change.String()}
		for _, f := range r.Fields {
			x.Fields = append(x.Fields, line(f))
		}
		got = append(got, x)
	}
	want := []res{
		{ID: "ConfigMap/shop/fresh", Change: "added"},
		{ID: "ConfigMap/shop/legacy", Change: "removed"},
		{ID: "ConfigMap/shop/shop-env-m9d7c6b5k4", Change: "changed", Fields: []string{
			"~ data.LEVEL: info -> debug",
			"~ metadata.name: shop-env-5fk9h2bg8t -> shop-env-m9d7c6b5k4",
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("resources (-want +got):\n%s", diff)
	}
}
