package gitops

import (
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

func TestReads(t *testing.T) {
	deployment := map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx:1.27-rc1"}}}}}}
	released := map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "web"},
		"spec": map[string]any{"template": map[string]any{"spec": map[string]any{"containers": []any{map[string]any{"name": "web", "image": "nginx:1.27"}}}}}}
	configMap := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "vars"}}
	app := map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": map[string]any{"name": "web"}}
	source := map[string]any{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": map[string]any{"name": "flux-system"}}
	tests := []struct {
		name                    string
		obj                     map[string]any
		production, fluxDeploys bool
		want                    bool
	}{
		{name: "workload in production with a pre-release image", obj: deployment, production: true, want: true},
		{name: "workload in production with release images", obj: released, production: true},
		{name: "workload elsewhere", obj: deployment},
		{name: "ConfigMap in production", obj: configMap, production: true},
		{name: "ConfigMap where Flux may substitute from it", obj: configMap, fluxDeploys: true, want: true},
		{name: "workload where Flux may substitute into it", obj: deployment, fluxDeploys: true, want: true},
		{name: "Argo CD Application", obj: app, want: true},
		{name: "Flux source", obj: source, want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &manifest.Resource{ID: manifest.IDOf(tt.obj), Object: tt.obj}
			if got := Reads(r, tt.production, tt.fluxDeploys); got != tt.want {
				t.Errorf("Reads = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestProduction(t *testing.T) {
	tests := []struct {
		name                string
		opts                Options
		target, environment string
		want                bool
	}{
		{name: "environment from the path", target: "apps/web/overlays/prod", want: true},
		{name: "not production", target: "apps/web/overlays/dev"},
		{name: "configured environment", target: "apps/web/overlays/live", environment: "production", want: true},
		{name: "configured globs", opts: Options{ProductionEnvironments: []string{"live"}}, target: "apps/web/overlays/live", want: true},
		{name: "glob with a slash matches the path", opts: Options{ProductionEnvironments: []string{"clusters/*"}}, target: "clusters/eu", want: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.opts.Production(tt.target, tt.environment); got != tt.want {
				t.Errorf("Production = %v, want %v", got, tt.want)
			}
		})
	}
}
