// Package gitops holds the checks that need the whole repository at once
// rather than one rendered target: Flux Kustomizations and Argo CD
// Applications that point back into the repository, Flux post-build
// variables, and image tags per environment. The engine renders every
// target first and then hands all of them to Check in one call.
package gitops

import (
	"maps"
	"slices"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// IDs of the rules of this family.
const (
	FluxPathMissing      = "flux-path-missing"
	FluxDependsOnMissing = "flux-depends-on-missing"
	FluxVarUndefined     = "flux-var-undefined"
	// FluxSubstituteFromMissing is reported by Substitutions, before any
	// target is checked.
	FluxSubstituteFromMissing = "flux-substitute-from-missing"
	ArgoPathMissing           = "argocd-path-missing"
	ImageTagPrerelease        = "image-tag-prerelease"
	FluxSourceUnknown         = "flux-source-unknown"
)

// DefaultFluxSources names the GitRepository that `flux bootstrap` and
// the Flux Operator create for the repository they bootstrap; it is taken
// for this repository when the Kustomizations name it and the repository
// does not define it (see fluxSource).
var DefaultFluxSources = []string{"flux-system"}

// DefaultProductionEnvironments are the environment globs in which
// pre-release image tags are reported.
var DefaultProductionEnvironments = []string{"*prod*"}

// Options configure the repository-level checks. The zero value uses the
// defaults.
type Options struct {
	// FluxSources are the names of the Flux GitRepository objects that
	// are this repository; empty finds them the way Flux's setup makes
	// them (see fluxSource).
	FluxSources []string
	// RepoURLs are further URLs of this repository, beside the remotes of
	// its git configuration, for Argo CD's repoURL fields.
	RepoURLs []string
	// ProductionEnvironments are path.Match globs of the environment names
	// (the configuration file's, else the one the target's path gives)
	// treated as production by image-tag-prerelease
	// (default DefaultProductionEnvironments). A glob with a slash is
	// matched against the whole target path instead.
	ProductionEnvironments []string
}

func (o Options) productionEnvironments() []string {
	if len(o.ProductionEnvironments) == 0 {
		return DefaultProductionEnvironments
	}
	return o.ProductionEnvironments
}

// Input is what the engine rendered.
type Input struct {
	Repo *repo.Repo
	// Targets are the targets of the run, sorted by path: the
	// configuration file may leave some of the repository's out.
	Targets []repo.Target
	// Environments name the environment of the targets for which the
	// configuration file sets one, by target path; the others' comes from
	// their path.
	Environments map[string]string
	// Resources are the rendered resources of each target, by target
	// path. A target that is blocked or failed to render is absent.
	Resources map[string][]manifest.Resource
	// Releases are, by the path of the target deploying them, the paths of
	// the Helm releases that are targets of their own
	// ("clusters/prod#HelmRelease/web/web"). Only Images reads them: there
	// a release's objects are in Resources under its own path, apart from
	// the target's, and a release that did not render is absent.
	Releases map[string][]string
	// Build renders a kustomization directory that is no target (another
	// kustomization includes it) when a Flux Kustomization points at it.
	// It is only called for directories inside an unblocked target; nil
	// leaves such directories out.
	Build func(dir string) ([]manifest.Resource, error)
}

// Counts say how the references of one kind resolved, each source
// document counted once however many targets render it.
type Counts struct {
	// Resolved paths exist in the repository.
	Resolved int `json:"resolved"`
	// Missing paths do not exist (each is a finding).
	Missing int `json:"missing"`
	// NotInRepo references name another source (another GitRepository,
	// an OCIRepository, a Bucket, another repoURL) or a path of the git
	// work tree outside the checked directory: they cannot be checked.
	NotInRepo int `json:"notInRepo"`
	// Skipped references are templated (${VAR}, {{...}}) or name no source.
	Skipped int `json:"skipped"`
}

// Stats count the references that the checks followed.
type Stats struct {
	// Flux counts the spec.path of Flux Kustomizations.
	Flux Counts `json:"flux"`
	// Argo counts the paths of Argo CD Applications and ApplicationSets.
	Argo Counts `json:"argo"`
	// FluxSource is the GitRepository taken for this repository; zero
	// without Flux Kustomizations.
	FluxSource FluxSource `json:"fluxSource,omitzero"`
}

// Check runs every rule of the family over the rendered repository.
// Findings come out in a deterministic order; the engine merges and sorts
// them with the others.
func Check(in Input, opts Options) ([]rules.Finding, Stats) {
	c := newChecker(in, opts)
	c.flux()
	c.argo()
	c.prerelease()
	return c.findings, c.stats
}

// Reads reports whether Check reads a rendered resource of a target, so
// that a large run need not keep every rendered object until the
// repository-level checks. Where a Flux Kustomization may be rendered
// (fluxDeploys) it reads everything: Flux substitutes variables in any
// field of what one applies, and a substituteFrom may name any
// ConfigMap or Secret. Otherwise it reads the Flux and Argo CD objects
// and, in a production target (Options.Production), the workloads that
// run a pre-release image (image-tag-prerelease): keeping every
// production workload, with the documents its findings point into,
// was a third of the live heap of a 10,000-target run.
func Reads(r *manifest.Resource, production, fluxDeploys bool) bool {
	g := r.ID.Group()
	switch {
	case fluxDeploys, g == argoGroup, strings.HasSuffix(g, ".toolkit.fluxcd.io"):
		return true
	default:
		return production && slices.ContainsFunc(containers(r.Object), func(c container) bool { return prerelease(c.image.Tag) != "" })
	}
}

// Production reports whether a target in an environment (the
// configuration file's name for it, else "") is production, for
// image-tag-prerelease.
func (o Options) Production(target, environment string) bool {
	if environment == "" {
		environment = pathEnvironment(target)
	}
	return isProduction(o.productionEnvironments(), target, environment)
}

// checker carries one run's state.
type checker struct {
	in   Input
	opts Options
	loc  *locator
	// all are every rendered resource, targets in path order.
	all []*manifest.Resource
	// built memoises Build.
	built map[string][]manifest.Resource
	// counted keeps each source reference counted once.
	counted  map[string]bool
	findings []rules.Finding
	stats    Stats
}

func newChecker(in Input, opts Options) *checker {
	c := &checker{in: in, opts: opts, loc: newLocator(in.Repo, opts.RepoURLs), built: map[string][]manifest.Resource{}, counted: map[string]bool{}}
	for _, t := range in.Targets {
		res := in.Resources[t.Path]
		for i := range res {
			c.all = append(c.all, &res[i])
		}
	}
	return c
}

// once reports whether key is seen for the first time.
func (c *checker) once(key string) bool {
	if c.counted[key] {
		return false
	}
	c.counted[key] = true
	return true
}

// Rules returns the catalogue of this family, in a fixed order, as new
// values on every call.
func Rules() []*rules.Rule {
	return []*rules.Rule{
		{
			ID:       FluxPathMissing,
			Severity: rules.Error,
			Doc: `Flux Kustomization path does not exist
A Flux Kustomization whose sourceRef is this repository names a spec.path that does not exist in the repository, or a directory that holds neither a kustomization file nor YAML manifests. Flux resolves spec.path from the root of the source, with or without "./", and fails the reconciliation (or, for an empty directory, applies nothing). Kustomizations of other sources (another GitRepository, an OCIRepository, a Bucket) and templated paths are not checked.`,
			Remediation: "Correct spec.path: it is relative to the repository root, not to the file that declares the Kustomization.",
			Kinds:       []string{"Kustomization"},
		},
		{
			ID:       FluxSourceUnknown,
			Severity: rules.Info,
			Doc: `Flux checks skipped: no GitRepository is this repository
Flux Kustomizations read a GitRepository, but none can be taken for this repository, so their spec.path is not checked. The repository's source is found the way Flux sets it up: the GitRepository that the bootstrap Kustomization reconciles from (the Kustomization that applies the directory it is written in, as gotk-sync.yaml does), else one whose URL is a git remote of the work tree, else flux-system when the Kustomizations name it and the repository does not define it (flux bootstrap and the Flux Operator create it in the cluster), else the only GitRepository of the repository. The summary says which was taken.`,
			Remediation: "Name the repository's GitRepository in the configuration file (gitops.fluxSources), or add the git remote whose URL it has.",
			Kinds:       []string{"Kustomization"},
		},
		{
			ID:       FluxDependsOnMissing,
			Severity: rules.Warning,
			Doc: `Flux Kustomization depends on an unknown Kustomization
An entry of spec.dependsOn names a Flux Kustomization that is defined nowhere in the repository (compared by name, and by namespace where both are known). Flux then waits for the dependency forever and never applies this one. A dependency declared in another repository is legitimate: switch the rule off there.`,
			Remediation: "Fix the name in spec.dependsOn, or add the Kustomization it should wait for.",
			Kinds:       []string{"Kustomization"},
		},
		{
			ID:       FluxVarUndefined,
			Severity: rules.Warning,
			Doc: `Flux post-build variable is not defined
A resource applied by a Flux Kustomization with postBuild substitution contains a ${VAR} placeholder that neither postBuild.substitute nor any ConfigMap or Secret of postBuild.substituteFrom defines, and that has no default (${VAR:=default}, ${VAR:-default}). Flux replaces it with an empty string (or fails with the StrictPostBuildSubstitutions feature gate). A substituteFrom object that is not in the repository (created in the cluster, or by a tool) could define anything, so such Kustomizations are not checked; neither are those whose postBuild a parent Kustomization patches in, nor resources marked kustomize.toolkit.fluxcd.io/substitute: disabled.`,
			Remediation: "Define the variable in postBuild.substitute or in a substituteFrom ConfigMap or Secret, give it a default with ${VAR:=value}, or escape a literal with $${VAR}.",
			Kinds:       []string{"Kustomization"},
		},
		{
			ID:       FluxSubstituteFromMissing,
			Severity: rules.Warning,
			Doc: `Flux substituteFrom object is not in the repository
A Flux Kustomization whose source is this repository lists a ConfigMap or Secret under postBuild.substituteFrom, without optional: true, that no file and no generator of the repository defines (a SealedSecret or ExternalSecret that produces the Secret counts as defining it). Flux fails to build the Kustomization unless the object exists in the cluster. The variables of the objects that are in the repository are substituted before validation, as Flux does.`,
			Remediation: "Add the ConfigMap or Secret to the repository, correct its name, or mark the entry optional: true when the cluster provides it.",
			Kinds:       []string{"Kustomization"},
		},
		{
			ID:       ArgoPathMissing,
			Severity: rules.Error,
			Doc: `Argo CD source path does not exist
An Argo CD Application (spec.source.path, spec.sources[].path) or ApplicationSet (git generator directories and files, template source path) whose repoURL is this repository names a path that does not exist in it (a glob that matches nothing). The repository is recognised by its git remotes and by configured URLs; templated paths ({{...}}) and other repositories are not checked.`,
			Remediation: "Correct the path: it is relative to the repository root.",
			Kinds:       []string{"Application", "ApplicationSet"},
		},
		{
			ID:       ImageTagPrerelease,
			Severity: rules.Warning,
			Doc: `Pre-release image in a production environment
A container in a production environment runs an image whose tag marks a pre-release: alpha, beta, rc, snapshot, pre, preview, nightly, canary or dev as a separate part of the tag (1.4.0-rc.1, 2.0-SNAPSHOT, v3-beta2). Production means an environment name (the configuration file's environment for the target, else the one its path gives) matching the glob *prod* by default, which takes in preprod and nonprod too. The finding points where the tag is set: the overlay's images entry, a patch, or the base's image field.`,
			Remediation: "Promote a released version to production; keep release candidates in the environments before it.",
			Kinds:       podKinds(),
		},
	}
}

func podKinds() []string { return slices.Sorted(maps.Keys(podSpecs)) }

func isKind(r *manifest.Resource, group, kind string) bool {
	return r.ID.Kind == kind && r.ID.Group() == group
}

// templated reports a value that a tool fills in later: Flux's ${VAR} or
// a Go template of Argo CD's ApplicationSet.
func templated(s string) bool {
	return strings.Contains(s, "${") || strings.Contains(s, "{{")
}

func lookupString(obj map[string]any, pointer string) (string, bool) {
	v, _ := manifest.Lookup(obj, pointer)
	s, ok := v.(string)
	return s, ok
}

func lookupList(obj map[string]any, pointer string) ([]any, bool) {
	v, _ := manifest.Lookup(obj, pointer)
	l, ok := v.([]any)
	return l, ok
}

func lookupMap(obj map[string]any, pointer string) (map[string]any, bool) {
	v, _ := manifest.Lookup(obj, pointer)
	m, ok := v.(map[string]any)
	return m, ok
}

// mapKeys lists the keys of the mapping at a pointer, sorted.
func mapKeys(obj map[string]any, pointer string) []string {
	m, _ := lookupMap(obj, pointer)
	return slices.Sorted(maps.Keys(m))
}

// escapePointer encodes one JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}
