package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// TestReleaseTargets lists the Helm releases of the Helm test repositories
// as targets of their own, with what each reads, and renders one of each
// kind: the objects its chart installs, values applied.
func TestReleaseTargets(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		golden string
		code   int
	}{
		{name: "flux list", args: []string{"list", "--files", reposDir + "/helm-flux"}, golden: "helm-flux.list.txt"},
		{name: "argo list", args: []string{"list", "-f", "json", reposDir + "/helm-argo"}, golden: "helm-argo.list.json"},
		{
			name: "flux release", golden: "helm-flux.render.yaml",
			args: []string{"render", "--root", reposDir + "/helm-flux", reposDir + "/helm-flux/clusters/prod#HelmRelease/web/web"},
		},
		{
			name: "argo release", golden: "helm-argo.render.yaml",
			args: []string{"render", "--root", reposDir + "/helm-argo", reposDir + "/helm-argo/argocd#Application/argocd/web"},
		},
		{
			name: "a remote chart is not rendered", golden: "helm-flux.render-remote.txt", code: 1,
			args: []string{"render", "--root", reposDir + "/helm-flux", reposDir + "/helm-flux/clusters/prod#HelmRelease/web/podinfo"},
		},
		{
			name: "a helmCharts entry of a remote chart is not rendered", golden: "helm-remote.render.txt", code: 1,
			args: []string{"render", "--root", reposDir + "/helm-remote", reposDir + "/helm-remote/clusters/prod"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, stderr)
			}
			got := stdout + stderr
			assertGolden(t, tc.golden, got)
		})
	}
}

// TestChartDirFlag renders a release whose chart comes from a Helm
// repository with --chart-dir, and refuses a --chart-dir that is not a
// directory as a usage error.
func TestChartDirFlag(t *testing.T) {
	charts := treetest.New(t, map[string]string{
		"podinfo/Chart.yaml":             "apiVersion: v2\nname: podinfo\nversion: 6.7.1\n",
		"podinfo/templates/service.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: {{ .Release.Name }}}\n",
	})
	release := reposDir + "/helm-flux/clusters/prod#HelmRelease/web/podinfo"
	tests := []struct {
		name     string
		chartDir string
		code     int
		want     string
	}{
		{name: "found", chartDir: charts, want: "kind: Service\nmetadata:\n  name: podinfo\n  namespace: web\n"},
		{name: "not a directory", chartDir: filepath.Join(charts, "absent"), code: 2, want: "--chart-dir " + filepath.Join(charts, "absent") + ": not a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "render", "--root", reposDir+"/helm-flux", "--chart-dir", tc.chartDir, release)
			if code != tc.code || !strings.Contains(stdout+stderr, tc.want) {
				t.Errorf("exit %d, want %d; output %q, want %q in it", code, tc.code, stdout+stderr, tc.want)
			}
		})
	}
}

// TestRenderReleaseHidesSecrets renders a release whose values hold a
// credential (built at run time) that its chart writes into a Deployment's
// environment and a Secret: render prints neither value unless
// --show-secrets.
func TestRenderReleaseHidesSecrets(t *testing.T) {
	token := "ghp_" + strings.Repeat("Xk7", 12)
	root := treetest.New(t, map[string]string{
		"clusters/prod/kustomization.yaml": "resources: [release.yaml]\n",
		"clusters/prod/release.yaml": "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {name: web, namespace: apps}\n" +
			"spec:\n  chart:\n    spec: {chart: ./charts/web, sourceRef: {kind: GitRepository, name: flux-system, namespace: flux-system}}\n" +
			"  values:\n    token: " + token + "\n",
		"charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
		"charts/web/templates/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n" +
			"      containers: [{name: web, image: nginx, env: [{name: GITHUB_TOKEN, value: {{ .Values.token | quote }}}]}]\n" +
			"---\napiVersion: v1\nkind: Secret\nmetadata: {name: web}\nstringData: {token: {{ .Values.token | quote }}}\n",
	})
	release := root + "/clusters/prod#HelmRelease/apps/web"
	tests := []struct {
		name  string
		flags []string
		shown bool
	}{
		{name: "hidden"},
		{name: "shown when asked", flags: []string{"--show-secrets"}, shown: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"render", "--root", root, release}, tc.flags...)...)
			if code != 0 || !strings.Contains(stdout, "kind: Deployment") {
				t.Fatalf("exit %d: %s%s", code, stdout, stderr)
			}
			// Twice when shown: in the environment and in the Secret.
			if got, want := strings.Count(stdout, token), map[bool]int{true: 2}[tc.shown]; got != want {
				t.Errorf("the token is printed %d times, want %d:\n%s", got, want, stdout)
			}
		})
	}
}
