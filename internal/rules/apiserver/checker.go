package apiserver

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
)

// Options configure a Checker.
type Options struct {
	// CRDs are the custom resource kinds of the run, the first of an
	// apiVersion and kind winning (as for schema validation). Only those
	// whose OpenAPI is set are validated here.
	CRDs []crd.Kind
	// Bundled, when set, gives the kinds checked after CRDs (the embedded
	// GitOps ones: a repository's own CRD is the one its cluster has). It
	// is asked for each kind none of CRDs defines, and answers a built-in
	// kind without loading anything.
	Bundled func(apiVersion, kind string) (crd.Kind, bool)
	// KubernetesMinor is the release checked against ("1.34"); it decides
	// the rules that changed between releases. Empty means the newest.
	KubernetesMinor string
}

// Checker applies the family's checks to resources. It is safe for
// concurrent use; each CRD's validators are compiled once, on first use.
type Checker struct {
	crds       map[string]map[string]any // openAPIV3Schema by apiVersion/kind
	bundled    func(apiVersion, kind string) (crd.Kind, bool)
	compiled   memo.Table[string, *crdValidator]
	crdChecks  memo.Table[string, []rules.Finding]
	relaxedEnv bool
	// skippedTransition counts transition rule evaluations skipped.
	skippedTransition atomic.Int64
}

// New returns a Checker for a run.
func New(opts Options) *Checker {
	c := &Checker{crds: map[string]map[string]any{}, bundled: opts.Bundled, relaxedEnv: minorAtLeast(opts.KubernetesMinor, 32)}
	for _, k := range opts.CRDs {
		key := k.APIVersion() + "/" + k.Kind
		if _, dup := c.crds[key]; dup {
			continue
		}
		c.crds[key] = k.OpenAPI // nil when nothing is left to check
	}
	return c
}

// minorAtLeast reports whether a "1.N" release is 1.min or newer; an
// empty or unreadable one is taken as the newest.
func minorAtLeast(release string, min int) bool {
	parts := strings.SplitN(strings.TrimPrefix(release, "v"), ".", 3)
	if len(parts) < 2 {
		return true
	}
	n, err := strconv.Atoi(parts[1])
	return err != nil || n >= min
}

// validator returns the compiled validator of a custom resource kind, nil
// when it has nothing to check.
func (c *Checker) validator(apiVersion, kind string) *crdValidator {
	key := apiVersion + "/" + kind
	openAPI, ok := c.crds[key]
	if !ok && c.bundled != nil {
		if k, found := c.bundled(apiVersion, kind); found {
			openAPI = k.OpenAPI
		}
	}
	if openAPI == nil {
		return nil
	}
	return c.compiled.Get(key, func() *crdValidator { return compileCRD(openAPI) })
}

// Check returns the findings of the family for one resource. A library
// panic on input it did not expect is a bug of the library, not a reason
// to stop the run: the resource is then reported as not checked.
func (c *Checker) Check(ctx context.Context, r *manifest.Resource) (out []rules.Finding) {
	defer func() {
		if p := recover(); p != nil {
			out = nil
		}
	}()
	out = append(out, checkMetadata(r)...)
	out = append(out, c.checkBuiltin(r)...)
	switch {
	case crd.IsCRD(r.Object):
		if !HasRules(r.Object) {
			break
		}
		// Every overlay renders the same CRD: validate it once.
		key := fmt.Sprint(r.Origin, r.Object["spec"])
		for _, f := range c.crdChecks.Get(key, func() []rules.Finding { return CheckCRD(ctx, r) }) {
			f.Targets = []string{r.Target}
			out = append(out, f)
		}
	default:
		out = append(out, c.checkCustom(ctx, r)...)
	}
	return slices.DeleteFunc(out, func(f rules.Finding) bool { return substituted(r.Object, f.Path) })
}

// HasRules reports whether a CRD object holds x-kubernetes-validations,
// without formatting it: CRDs are large and most have none.
func HasRules(crd map[string]any) bool { return hasRules(crd["spec"]) }

func hasRules(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		if _, ok := t["x-kubernetes-validations"]; ok {
			return true
		}
		for _, c := range t {
			if hasRules(c) {
				return true
			}
		}
	case []any:
		for _, c := range t {
			if hasRules(c) {
				return true
			}
		}
	}
	return false
}

// substituted reports whether the value at ptr holds a ${VAR} placeholder
// (a name "${DOMAIN/./-}", a quantity "${CPU_LIMIT}"): Flux's post-build
// substitution replaces it before the API server sees the object, so its
// form now says nothing about what will be applied.
func substituted(obj map[string]any, ptr string) bool {
	v, ok := manifest.Lookup(obj, ptr)
	if !ok {
		return false
	}
	var walk func(v any) bool
	walk = func(v any) bool {
		switch t := v.(type) {
		case string:
			return strings.Contains(t, "${")
		case map[string]any:
			for k, c := range t {
				if strings.Contains(k, "${") || walk(c) {
					return true
				}
			}
		case []any:
			for _, c := range t {
				if walk(c) {
					return true
				}
			}
		}
		return false
	}
	return walk(v)
}

// SkippedTransitionRules counts the evaluations of CEL transition rules
// (rules that use oldSelf) skipped so far: a create has no old object.
func (c *Checker) SkippedTransitionRules() int64 { return c.skipped() }
