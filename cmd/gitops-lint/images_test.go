package main

import (
	"path/filepath"
	"testing"
)

// TestImagesGolden prints the promotion view of repositories with
// overlays per environment, and of the Helm test repositories (each
// release an application of its own, a remote chart's not rendered), in
// every format.
func TestImagesGolden(t *testing.T) {
	formats := map[string]string{"text": "txt", "markdown": "md", "json": "json"}
	for _, repo := range []string{"gitops", "demo", "helm-flux", "helm-argo"} {
		for format, ext := range formats {
			t.Run(repo+"/"+format, func(t *testing.T) {
				code, stdout, stderr := runCLI(t, "images", filepath.Join(reposDir, repo), "-f", format)
				if code != 0 {
					t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
				}
				assertGolden(t, repo+".images."+ext, stdout)
			})
		}
	}
}

func TestImagesUsage(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
	}{
		{name: "unknown format", args: []string{"images", "-f", "sarif", reposDir + "/gitops"}, wantCode: 2},
		{name: "negative jobs", args: []string{"images", "-j", "-1", reposDir + "/gitops"}, wantCode: 2},
		{name: "bad load restrictor", args: []string{"images", "--load-restrictor", "x", reposDir + "/gitops"}, wantCode: 2},
		{name: "missing path", args: []string{"images", reposDir + "/does-not-exist"}, wantCode: 2},
		{name: "missing configuration file", args: []string{"images", "--config", "nope.yaml", reposDir + "/gitops"}, wantCode: 2},
		{name: "to a file", args: []string{"images", "-o", filepath.Join(t.TempDir(), "images.md"), "-f", "markdown", reposDir + "/gitops"}, wantCode: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, stderr := runCLI(t, tt.args...); code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
		})
	}
}
