package rules

// IDs of the built-in rules that the engine itself raises. Rules that come
// from policies carry their own IDs.
const (
	RenderError        = "render-error"
	RemoteResource     = "remote-resource"
	PathEscape         = "path-escape"
	KustomizationCycle = "kustomization-cycle"
	YAMLSyntax         = "yaml-syntax"
	TemplateSkipped    = "template-skipped"
	SchemaInvalid      = "schema-invalid"
	MissingSchema      = "missing-schema"
	RemovedAPI         = "removed-api"
	DeprecatedAPI      = "deprecated-api"
	// SuppressionMissingReason and SuppressionUnused are raised by
	// suppressions themselves (internal/suppress).
	SuppressionMissingReason = "suppression-missing-reason"
	SuppressionUnused        = "suppression-unused"
	CRDConflict              = "crd-conflict"
	// PolicyError is raised by the Rego engine for a policy that does not
	// finish in time on a target.
	PolicyError = "policy-error"
	// FileTooLarge is raised by discovery for a file over
	// manifest.MaxFileSize, which no reader opens.
	FileTooLarge = "file-too-large"
	// HelmChartRemote is raised for a Helm release whose chart is not in
	// the repository.
	HelmChartRemote = "helm-chart-remote"
)

// Builtin returns the catalogue of built-in rules, in a fixed order. It
// builds new values on every call so that callers may adjust severities
// without touching anyone else's copy.
func Builtin() []*Rule {
	return []*Rule{
		{
			ID:       RenderError,
			Severity: Error,
			Doc: `Kustomization does not build
kustomize could not render this target, so none of its resources could be checked. The message is kustomize's own, with paths made relative to the repository.`,
			Remediation: "Run `gitops-lint render <target>` to reproduce it, then fix the referenced file, patch or generator named in the message.",
		},
		{
			ID:       RemoteResource,
			Severity: Error,
			Doc: `Remote resource is not fetched
The kustomization refers to a URL or a remote git repository. gitops-lint works offline by default, so the target was not rendered and its resources were not checked.`,
			Remediation: "Vendor the remote base into the repository, or run with --allow-remote to let kustomize fetch it.",
		},
		{
			ID:       PathEscape,
			Severity: Error,
			Doc: `Path leaves the repository
A kustomization or symlink refers to a file outside the repository root (a '..' path that climbs above it, an absolute path, or a symlink that resolves outside). Argo CD and Flux refuse such paths, and gitops-lint never reads them.`,
			Remediation: "Move the referenced file into the repository and refer to it with a relative path.",
		},
		{
			ID:       KustomizationCycle,
			Severity: Error,
			Doc: `Kustomizations include each other
Following resources, bases and components leads back to a kustomization already being built, so the target can never render.`,
			Remediation: "Break the cycle: a base must not include the overlays that build on it.",
		},
		{
			ID:       YAMLSyntax,
			Severity: Error,
			Doc: `Malformed YAML
The file is not valid YAML (or has a duplicate mapping key, which the API server rejects), so the objects in it cannot be read.`,
			Remediation: "Fix the YAML at the reported line; `kubectl apply --dry-run=client -f <file>` shows the same error.",
		},
		{
			ID:       TemplateSkipped,
			Severity: Info,
			Doc: `Template files are not checked
YAML files that no kustomization lists and that look like templates (Helm, Ansible or Jinja expressions such as {{ .Values.x }} or {% if %}, which leave the file invalid YAML or fill in its fields later) are not Kubernetes manifests until a tool renders them, so they are neither targets nor syntax errors. One finding per directory names them, so that their being skipped is visible.`,
			Remediation: "Nothing to fix. To check what the template renders to, commit the rendered manifests, or let a Flux HelmRelease or an Argo CD Application render the chart.",
		},
		{
			ID:       HelmChartRemote,
			Severity: Info,
			Doc: `Helm chart is not in the repository
The chart of a release (a Flux HelmRelease, an Argo CD Application with a chart source, or a kustomization's helmCharts entry with a repo and no chart vendored in its chart home) comes from a Helm repository, an OCI registry or another Git repository. gitops-lint works offline and by default never fetches it, so the objects the release installs are not rendered or checked; the release itself is. A helmCharts entry is reported at the entry, and its kustomization, whose patches and transformers would apply to the chart's objects, is not rendered without it; the other kustomizations of the target are. With --allow-remote it fetches a chart of an http(s) Helm repository (index.yaml, then the archive, verified against the index's digest and kept in the user cache directory) or pulls it from an OCI registry, anonymously; a chart that still is not found keeps this finding, which says why. With --chart-dir DIR (or chartDirs in .gitops-lint.yaml) it takes the chart from a local directory of charts, matched by name and version, and renders it; when the directory holds no matching version, the finding says which versions it holds.`,
			Remediation: "Run with --allow-remote, or give the charts with --chart-dir DIR (a directory of unpacked charts or packed .tgz files, for example filled by `helm pull` in CI) or chartDirs in .gitops-lint.yaml; or vendor the chart into the repository and point the release at it; or accept that its objects are checked only in the cluster.",
		},
		{
			ID:       FileTooLarge,
			Severity: Info,
			Doc: `File too large to read
The file is larger than gitops-lint reads (16 MiB), so nothing checks it: it is not decoded, scanned for credentials or searched for CRDs, and a target whose kustomization reads it does not render.`,
			Remediation: "Keep generated data out of the repository's manifests, or exclude the file in .gitops-lint.yaml.",
		},
		{
			ID:       PolicyError,
			Severity: Error,
			Doc: `Policy did not finish
A Rego rule ran past the time budget of one target (--policy-timeout, or policies.timeout in .gitops-lint.yaml; default 5s) or its memory budget (128 MiB of live heap while one target's policies evaluate), so its evaluation was stopped. The finding points at the rule that was running; the target's other policy findings are missing.`,
			Remediation: "Make the rule cheaper (iterate over what the input holds rather than over large ranges or sets, and build no value larger than the input), or raise --policy-timeout for large targets.",
		},
		{
			ID:       SchemaInvalid,
			Severity: Error,
			Doc: `Resource does not match its schema
The rendered resource fails validation against the schema of its apiVersion and kind (Kubernetes' OpenAPI schema, or for a custom resource its CustomResourceDefinition's, from the repository, --crds or the bundled GitOps CRDs): a wrong type, a missing required field, or (strict by default) a field the API does not know.`,
			Remediation: "Fix the field named in the message; unknown fields are often typos or wrong indentation.",
		},
		{
			ID:       MissingSchema,
			Severity: Warning,
			Doc: `No schema for this kind
No schema is known for this apiVersion and kind, so resources of it were not validated. Reported once per kind.`,
			Remediation: "Commit the kind's CustomResourceDefinition in the repository or pass it with --crds (file or directory); or give a kubeconform-style --schema-location; or disable the rule for custom resources you do not want validated.",
		},
		{
			ID:       RemovedAPI,
			Severity: Error,
			Doc: `API version not served
The apiVersion of this built-in Kubernetes kind is not served by the selected Kubernetes version (--kubernetes-version, default the newest), so the API server would reject it. The message names the release that removed it (or added it, for an API newer than the selected version) and the apiVersion that serves the kind instead. Which release serves what comes from the official OpenAPI document of every minor since 1.16.`,
			Remediation: "Migrate the resource to the apiVersion named in the message, adjusting fields that changed between versions.",
		},
		{
			ID:       DeprecatedAPI,
			Severity: Warning,
			Doc: `API version deprecated
The selected Kubernetes version still serves this apiVersion, but a later release removes it, or its OpenAPI document marks it deprecated. Reported when there is something to do now: the replacement named in the message is already served by the selected version (a removal whose replacement arrives later is reported once it has arrived); an API that nothing replaces is reported once its OpenAPI document marks it deprecated.`,
			Remediation: "Migrate the resource to the apiVersion named in the message before upgrading to the release that removes the old one.",
		},
		{
			ID:       SuppressionMissingReason,
			Severity: Warning,
			Doc: `Suppression gives no reason
A "# gitops-lint:ignore RULE-ID" comment or a gitops-lint.io/ignore annotation silences findings without saying why. The suppression still applies; the reason is what lets a reviewer judge it later.`,
			Remediation: "Write the reason after the rule IDs: `# gitops-lint:ignore run-as-root the image's entrypoint needs root, tracked in OPS-123`.",
		},
		{
			ID:       SuppressionUnused,
			Severity: Info,
			Doc: `Suppression matches no finding
A "# gitops-lint:ignore" comment or a gitops-lint.io/ignore annotation silences nothing: the problem was fixed, the rule ID is misspelt, or the comment is not on the finding's line (or alone on the line above it, or in the head of the resource's document).`,
			Remediation: "Remove the suppression, or correct its rule IDs and placement (`gitops-lint check` shows the line each finding points at).",
		},
		{
			ID:       CRDConflict,
			Severity: Info,
			Doc: `Two CRDs define a kind differently
Custom resources are validated against the CustomResourceDefinitions found in the repository (and given with --crds), the first in file order winning. This CRD defines an apiVersion and kind that an earlier one defines with a different schema, so resources of that kind are validated against the earlier one, not this.`,
			Remediation: "Keep one definition of each kind (drop the stale copy), or pass the one your cluster runs with --crds, which comes before the repository's.",
		},
	}
}
