package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/yannh/kubeconform/pkg/resource"
	"github.com/yannh/kubeconform/pkg/validator"

	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
)

// Options configures a Validator.
type Options struct {
	// KubernetesVersion selects the embedded schemas, as accepted by
	// ResolveVersion; "" is the newest.
	KubernetesVersion string
	// Locations are extra kubeconform schema locations (path templates such
	// as "schemas/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
	// relative to the working directory), tried after the embedded schemas
	// and CRDs, typically for custom resources.
	Locations []string
	// AllowNetwork permits http(s) Locations; without it they are refused,
	// because a lint run is offline unless the user says otherwise.
	AllowNetwork bool
	// CacheDir is where embedded schemas are written for kubeconform to
	// read, and where schemas downloaded from http(s) Locations are kept
	// (under remote/). "" is os.UserCacheDir()/gitops-lint/schemas, or the
	// same under os.TempDir() when there is no usable user cache directory.
	CacheDir string
}

// Validator validates objects against the schemas of one Kubernetes version
// and, for custom resources, against the schemas of their CRDs: those given
// to WithCRDs, then the embedded GitOps ones (Argo CD, Flux, Sealed
// Secrets, External Secrets), then Options.Locations. It is safe for
// concurrent use; each kind's schema is written and compiled once per
// Validator.
type Validator struct {
	*shared
	// crds are the custom resource schemas given to WithCRDs, as JSON, by
	// apiVersion + "/" + kind.
	crds map[string][]byte

	// All by apiVersion + "/" + kind. first makes the first validation of
	// a kind write its schema and let kubeconform compile and cache it
	// while the other goroutines wait, so that a kind is never compiled
	// twice; custom holds the compiled schemas of the custom resources
	// crds defines (see crds.go).
	first  memo.Table[string, error]
	custom memo.Table[string, detailSchema]
}

// shared is what the Validators derived by WithCRDs have in common with
// the one New made. Its fields are never modified after New; its tables
// only fill in.
type shared struct {
	// details are the embedded kinds' schemas compiled for every leaf
	// error, only for invalid objects; bundled are the embedded GitOps
	// kinds' compiled schemas. Both depend on the embedded data alone, so
	// every Validator derived from one New shares them: a caller that
	// keeps a Validator for several runs (the tests) compiles each once.
	details memo.Table[string, detailSchema]
	bundled memo.Table[string, detailSchema]

	version  string
	bundle   *bundle.Bundle
	kinds    map[string]bundle.Kind // by apiVersion + "/" + kind
	servedBy map[string][]string    // kind → sorted apiVersions serving it
	groups   map[string]bool        // API groups the version serves
	root     string                 // directory of the materialised schemas
	kc       validator.Validator
	// gitops decodes the embedded GitOps CRD schemas on first use, and
	// objectMeta assembles the schema of custom resources' metadata.
	gitops     func() (*gitopsIndex, error)
	objectMeta func() (map[string]any, error)
}

// assemblyFormat versions the way standalone schemas are assembled from a
// bundle. It is part of the cache directory's hash, so that changing the
// assembly does not reuse files written by an older binary.
const assemblyFormat = "standalone-strict/1"

// New loads the embedded schemas of the requested version and prepares a
// kubeconform validator that reads them from the cache directory first and
// from opts.Locations after.
func New(opts Options) (*Validator, error) {
	version, err := ResolveVersion(opts.KubernetesVersion)
	if err != nil {
		return nil, err
	}
	remote := ""
	for _, loc := range opts.Locations {
		if !needsNetwork(loc) {
			continue
		}
		if !opts.AllowNetwork {
			return nil, fmt.Errorf("schema location %q needs the network, which is not allowed for this run", loc)
		}
		if remote == "" {
			if remote, err = remoteCache(opts.CacheDir); err != nil {
				return nil, err
			}
		}
	}

	b, data, err := loadBundle(version)
	if err != nil {
		return nil, fmt.Errorf("embedded schemas for %s: %w", version, err)
	}
	h := sha256.New()
	h.Write([]byte(assemblyFormat + "\x00"))
	h.Write(data)
	root, err := cacheRoot(opts.CacheDir, hex.EncodeToString(h.Sum(nil)[:8]), version)
	if err != nil {
		return nil, err
	}
	tpl, err := locationTemplate(root)
	if err != nil {
		return nil, err
	}
	kc, err := validator.New(append([]string{tpl}, opts.Locations...), validator.Opts{
		Cache:                remote,
		KubernetesVersion:    version,
		Strict:               true,
		IgnoreMissingSchemas: true,
	})
	if err != nil {
		return nil, fmt.Errorf("schema locations: %w", err)
	}

	v := &Validator{shared: &shared{
		version:    version,
		bundle:     b,
		kinds:      make(map[string]bundle.Kind, len(b.Kinds)),
		servedBy:   map[string][]string{},
		groups:     map[string]bool{},
		root:       root,
		kc:         kc,
		gitops:     sync.OnceValues(loadGitOps),
		objectMeta: sync.OnceValues(func() (map[string]any, error) { return objectMeta(b) }),
	}}
	for _, k := range b.Kinds {
		v.kinds[k.APIVersion()+"/"+k.Kind] = k
		v.servedBy[k.Kind] = append(v.servedBy[k.Kind], k.APIVersion())
		v.groups[k.Group] = true
	}
	for _, list := range v.servedBy {
		sort.Strings(list)
	}
	return v, nil
}

// KubernetesVersion returns the resolved Kubernetes version, e.g. "1.37.2".
func (v *Validator) KubernetesVersion() string { return v.version }

// Validate checks one object, as decoded from YAML or JSON, against the
// schema of its apiVersion and kind.
func (v *Validator) Validate(obj map[string]any) Result {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return Result{Status: Error, Err: errors.New("object has no apiVersion or kind")}
	}
	if !safeName(apiVersion) || !safeName(kind) || strings.Contains(kind, "/") {
		// kubeconform builds a file path from these; never let one climb
		// out of the schema directory. No schema has such a name anyway.
		return Result{Status: MissingSchema}
	}
	key := apiVersion + "/" + kind
	if k, builtin := v.kinds[key]; builtin && v.quickValid(k, obj) {
		return Result{Status: Valid} // as kubeconform would say (quick.go)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return Result{Status: Error, Err: fmt.Errorf("encode object: %w", err)}
	}

	if _, builtin := v.kinds[key]; !builtin {
		if res, ok := v.validateCustom(key, data); ok {
			return res
		}
	}
	var res validator.Result
	done := false
	err = v.first.Get(key, func() error {
		if k, ok := v.kinds[key]; ok {
			if err := v.materialise(k); err != nil {
				return err
			}
		}
		res = v.kc.ValidateResource(resource.Resource{Path: key, Bytes: data})
		done = true
		return nil
	})
	if err != nil {
		return Result{Status: Error, Err: err}
	}
	if !done {
		res = v.kc.ValidateResource(resource.Resource{Path: key, Bytes: data})
	}
	return v.result(res, apiVersion, kind, data)
}

func (v *Validator) result(res validator.Result, apiVersion, kind string, data []byte) Result {
	switch res.Status {
	case validator.Valid:
		return Result{Status: Valid}
	case validator.Invalid:
		var errs []FieldError
		if k, ok := v.kinds[apiVersion+"/"+kind]; ok {
			// The embedded schema comes first, so it is the one that failed.
			errs, _ = v.detailedErrors(k, data)
		}
		if len(errs) == 0 {
			for _, e := range res.ValidationErrors {
				errs = append(errs, FieldError{Path: e.Path, Msg: e.Msg})
			}
		}
		if len(errs) == 0 && res.Err != nil {
			errs = append(errs, FieldError{Msg: res.Err.Error()})
		}
		sortErrors(errs)
		return Result{Status: Invalid, Errors: errs}
	case validator.Skipped:
		group, _, found := strings.Cut(apiVersion, "/")
		if !found {
			group = ""
		}
		if _, served := v.kinds[apiVersion+"/"+kind]; !served && v.builtinGroup(group) {
			return Result{Status: NotServed, Served: slices.Clone(v.servedBy[kind])}
		}
		return Result{Status: MissingSchema}
	default:
		err := res.Err
		if err == nil {
			err = fmt.Errorf("kubeconform returned status %d", res.Status)
		}
		return Result{Status: Error, Err: err}
	}
}

// sortErrors orders errors by path, then message: the validator walks
// maps, so its order varies from run to run.
func sortErrors(errs []FieldError) {
	sort.Slice(errs, func(i, j int) bool {
		if errs[i].Path != errs[j].Path {
			return errs[i].Path < errs[j].Path
		}
		return errs[i].Msg < errs[j].Msg
	})
}

// builtinGroup reports whether an API group belongs to Kubernetes itself, so
// that an apiVersion of it without an embedded schema is one the version
// does not serve rather than a custom resource. A bare ".k8s.io" suffix is
// not enough: gateway.networking.k8s.io, snapshot.storage.k8s.io and
// autoscaling.k8s.io are CRDs that the API server never serves.
func (v *Validator) builtinGroup(group string) bool {
	if group == "" || !strings.Contains(group, ".") || v.groups[group] {
		return true
	}
	switch group {
	case "settings.k8s.io", "auditregistration.k8s.io":
		// Whole groups removed from Kubernetes (1.20 and 1.19).
		return true
	}
	return false
}

func needsNetwork(location string) bool {
	l := strings.ToLower(location)
	// kubeconform reads "default" as its GitHub-hosted schemas.
	return l == "default" || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// safeName reports whether s only uses the characters of API groups,
// versions and kinds, and no "..".
func safeName(s string) bool {
	if strings.Contains(s, "..") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "/") || strings.Count(s, "/") > 1 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_' || r == '/'
		if !ok {
			return false
		}
	}
	return true
}
