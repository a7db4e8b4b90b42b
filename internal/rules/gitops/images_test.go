package gitops

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseImage(t *testing.T) {
	tests := []struct {
		ref  string
		want Image
	}{
		{"nginx", Image{Ref: "nginx", Name: "nginx"}},
		{"nginx:1.27", Image{Ref: "nginx:1.27", Name: "nginx", Tag: "1.27"}},
		{"registry:5000/org/app", Image{Ref: "registry:5000/org/app", Name: "registry:5000/org/app"}},
		{"registry:5000/org/app:v2", Image{Ref: "registry:5000/org/app:v2", Name: "registry:5000/org/app", Tag: "v2"}},
		{"app@sha256:abc", Image{Ref: "app@sha256:abc", Name: "app", Digest: "sha256:abc"}},
		{"app:1.0@sha256:abc", Image{Ref: "app:1.0@sha256:abc", Name: "app", Tag: "1.0", Digest: "sha256:abc"}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ParseImage(tt.ref)); diff != "" {
			t.Errorf("ParseImage(%q) (-want +got):\n%s", tt.ref, diff)
		}
	}
}

func TestPrerelease(t *testing.T) {
	tests := []struct {
		tag, want string
	}{
		{"1.4.0-rc.1", "rc"},
		{"1.4.0-rc1", "rc"},
		{"1.0rc2", "rc"},
		{"v2.0.0-beta", "beta"},
		{"3.0-SNAPSHOT", "SNAPSHOT"},
		{"1.2.3-alpha.4", "alpha"},
		{"nightly", "nightly"},
		{"2024.05.01-dev", "dev"},
		{"1.0.0-preview.3", "preview"},
		{"1.27-alpine", ""},
		{"7.2.4-alpine3.19", ""},
		{"1.0.0", ""},
		{"latest", ""},
		{"v1-arc", ""},
		{"preset-1", ""},
		{"devops-1.0", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := prerelease(tt.tag); got != tt.want {
			t.Errorf("prerelease(%q) = %q, want %q", tt.tag, got, tt.want)
		}
	}
}

func TestIsProduction(t *testing.T) {
	tests := []struct {
		globs  []string
		target string
		want   bool
	}{
		{DefaultProductionEnvironments, "apps/web/overlays/prod", true},
		{DefaultProductionEnvironments, "apps/web/overlays/production-eu", true},
		{DefaultProductionEnvironments, "clusters/prod/apps", true},
		{DefaultProductionEnvironments, "apps/web/overlays/staging", false},
		{DefaultProductionEnvironments, "prod-tools/overlays/dev", false},
		{[]string{"live", "prd-*"}, "envs/prd-us", true},
		{[]string{"apps/*/overlays/prod"}, "apps/web/overlays/prod", true},
		{[]string{"["}, "apps/web/overlays/prod", false},
	}
	for _, tt := range tests {
		if got := isProduction(tt.globs, tt.target, pathEnvironment(tt.target)); got != tt.want {
			t.Errorf("isProduction(%v, %q) = %v, want %v", tt.globs, tt.target, got, tt.want)
		}
	}
}
