package rules

// IDs of the built-in rules that the engine itself raises. Rules that come
// from policies carry their own IDs.
const (
	RenderError        = "render-error"
	RemoteResource     = "remote-resource"
	PathEscape         = "path-escape"
	KustomizationCycle = "kustomization-cycle"
	YAMLSyntax         = "yaml-syntax"
	SchemaInvalid      = "schema-invalid"
	MissingSchema      = "missing-schema"
	RemovedAPI         = "removed-api"
	CRDConflict        = "crd-conflict"
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
The apiVersion of this built-in Kubernetes kind is not served by the selected Kubernetes version (it was removed or never existed), so the API server would reject it.`,
			Remediation: "Migrate the resource to a served apiVersion (named in the message), adjusting fields that changed between versions.",
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
