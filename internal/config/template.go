package config

import (
	"fmt"
	"strings"
)

// SchemaURL is where editors find the JSON Schema of the file
// (docs/gitops-lint.schema.json, generated from the types of decode.go).
const SchemaURL = "https://raw.githubusercontent.com/gitops-lint/gitops-lint/main/docs/gitops-lint.schema.json"

// TemplateOptions say what the starting configuration shows.
type TemplateOptions struct {
	// Active leaves the example values in (tests load that variant to
	// keep every example valid).
	Active bool
	// KubernetesVersions says which versions a check accepts, in the
	// words of --kubernetes-version's help (the caller derives it from
	// the API table, which this package does not read).
	KubernetesVersions string
	// KubernetesExample is the example kubernetesVersion.
	KubernetesExample string
}

// templateKey is one key of the starting configuration: what it does,
// and an example of it.
type templateKey struct {
	doc     string
	example string
}

func templateKeys(opts TemplateOptions) []templateKey {
	return []templateKey{
		{
			doc: fmt.Sprintf(`Kubernetes version to check against: %s.
Default: the newest. Flag: --kubernetes-version.`, opts.KubernetesVersions),
			example: fmt.Sprintf("kubernetesVersion: %q", opts.KubernetesExample),
		},
		{
			doc: `Exit 1 when a finding has at least this severity: error, warning or info.
Default: error. Flag: --fail-on.`,
			example: "failOn: error",
		},
		{
			doc: `kustomize's load restrictor for every target: rootOnly (as kustomize build and
Argo CD) or none (as Flux). Reads never leave the repository either way.
Default: rootOnly. Flag: --load-restrictor (which then applies to every target).`,
			example: "loadRestrictor: rootOnly",
		},
		{
			doc: `A bucket of result cache entries shared by CI runners (s3:// - also Google
Cloud Storage and other S3-compatible stores through ?endpoint= - or file://):
entries this machine lacks are fetched from it, new ones written to it. A
repository file never makes gitops-lint use the network on its own: this
applies with --allow-remote; --cache-url names a bucket for one run.`,
			example: "# cacheURL: s3://my-ci-cache/gitops-lint?region=eu-west-1",
		},
		{
			doc: `Baseline file (written by gitops-lint baseline), relative to the repository
root: check and the pre-commit hook report only findings not recorded in it.
Flag: --baseline (which wins).`,
			example: "baseline: .gitops-lint-baseline.json",
		},
		{
			doc: `Target directories to check, as globs over repository-relative paths ("**"
crosses directories; a glob also matches everything below what it matches).
Default: every target.`,
			example: `include:
  - clusters/**
  - apps/**`,
		},
		{
			doc: `Targets and files left out of the run: they are not checked or scanned, and
no finding in them is reported (a base they hold is still rendered as part
of the overlays that include it).`,
			example: `exclude:
  - "**/examples/**"
  - vendor`,
		},
		{
			doc: `Per-target settings, applied to the targets whose directory matches paths;
later entries win. skip: true leaves a target out; loadRestrictor overrides
the one above; environment names the environment policies see
(input.target.environment, which decides what counts as production)
instead of the name derived from the path.`,
			example: `targets:
  - paths: [legacy/**]
    skip: true
  - paths: [clusters/*]
    loadRestrictor: none
  - paths: [overlays/prd-eu]
    environment: production`,
		},
		{
			doc: `Rules switched off or set to another severity everywhere: rule ID (see
gitops-lint rules) to off, error, warning or info. Flags --disable and
--enable ID[=SEVERITY] win over these.`,
			example: `rules:
  recommended-labels: off
  liveness-probe-missing: info`,
		},
		{
			doc: `Rules changed for findings located in the files that paths match; later
entries win. A rule that is off in rules: above cannot be turned back on here.`,
			example: `overrides:
  - paths: ["tests/**", "**/*-test.yaml"]
    rules:
      plaintext-secret: off
      run-as-root: warning`,
		},
		{
			doc: `Rego policies, conftest style, as the flags -p, -d, -n, --all-namespaces,
--no-builtin-policies, --rego-version and --policy-timeout (the time budget of
all policies on one target). Paths are relative to the repository
root and must stay inside it; the flags' paths and namespaces add to these.`,
			example: `policies:
  paths: [policy]
  data: [policy/data]
  namespaces: [main]
  allNamespaces: false
  builtin: true
  regoVersion: auto
  timeout: 5s`,
		},
		{
			doc: `Extra kubeconform-style schema locations, tried after the embedded schemas
(for custom resources). Local templates are relative to the repository root;
http(s) ones need --allow-remote. --schema-location adds to these.`,
			example: `schemaLocations:
  - "schemas/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"`,
		},
		{
			doc: `CRD files or directories, relative to the repository root: their
CustomResourceDefinitions validate custom resources, like the CRDs found in the
repository (which need no listing). --crds adds to these.`,
			example: `crds:
  - vendor/crds`,
		},
		{
			doc: `Directories of Helm charts, unpacked or packed (.tgz), relative to the
repository root or absolute: a HelmRelease or Argo CD Application whose chart
comes from a Helm or OCI repository renders with the chart of that name whose
version its version constraint allows (the highest), offline. --chart-dir adds
to these.`,
			example: `chartDirs:
  - vendor/charts`,
		},
		{
			doc: `Flux and Argo CD references: the Flux GitRepository names that are this
repository (default flux-system), further URLs of it for Argo CD's repoURL
(beside its git remotes), and the environments (globs of names, or of target
paths when they hold a slash) where pre-release image tags are reported
(default *prod*).`,
			example: `gitops:
  fluxSources: [flux-system]
  repoURLs: ["https://github.com/example/fleet.git"]
  production: ["*prod*"]`,
		},
		{
			doc: `Secret checks allowlist: no secret finding is reported in files that paths
match; a credential gitleaks finds is not reported when a regex matches it (as
a gitleaks [allowlist]) or when its fingerprint (file:rule:line, printed in the
finding) is listed (as in .gitleaksignore).`,
			example: `secrets:
  allowlist:
    paths: ["test/fixtures/**"]
    regexes: ["^dummy-"]
    fingerprints: ["base/secret.yaml:github-pat:7"]`,
		},
	}
}

// Template returns the starting configuration that gitops-lint init
// writes: every key explained, and commented out, so that the file
// changes nothing until a key is uncommented. Its first line points
// editors that speak the YAML language server at the JSON Schema.
func Template(opts TemplateOptions) []byte {
	var b strings.Builder
	b.WriteString("# yaml-language-server: $schema=" + SchemaURL + "\n")
	b.WriteString(`# gitops-lint configuration. Every key is optional; uncomment a key to use it.
# Unknown keys and bad values are errors (exit code 2) naming this file and line.
# Command-line flags win over this file; the list flags (--policy, --data,
# --namespace, --schema-location) add to its lists.
# https://github.com/gitops-lint/gitops-lint#configuration
`)
	for _, k := range templateKeys(opts) {
		b.WriteString("\n")
		for line := range strings.Lines(k.doc) {
			b.WriteString("# " + line)
		}
		b.WriteString("\n")
		for line := range strings.Lines(k.example) {
			if !opts.Active {
				b.WriteString("# ")
			}
			b.WriteString(line)
		}
		b.WriteString("\n")
	}
	return []byte(b.String())
}
