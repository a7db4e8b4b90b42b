package apiserver

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// nameFunc is the name validation the API server applies to a kind, as in
// k8s.io/kubernetes/pkg/apis/*/validation.
func nameFunc(group, kind string) (apivalidation.ValidateNameFunc, bool) {
	switch {
	case group == "" && kind == "Namespace":
		return apivalidation.ValidateNamespaceName, true
	case group == "" && kind == "Service":
		return apivalidation.NameIsDNS1035Label, true
	case group == "rbac.authorization.k8s.io":
		// Roles and bindings are path segments ("system:aggregate-to-view").
		return pathSegmentName, true
	case group == "" || group == "apps" || group == "batch" || group == "networking.k8s.io" ||
		group == "policy" || group == "autoscaling" || group == "storage.k8s.io" || group == "scheduling.k8s.io" ||
		group == "coordination.k8s.io" || group == "discovery.k8s.io" || group == "node.k8s.io":
		return apivalidation.NameIsDNSSubdomain, true
	case !strings.Contains(group, ".k8s.io") && group != "apiextensions.k8s.io" && strings.Contains(group, "."):
		// A custom resource: the API server validates its name as a
		// DNS subdomain whatever the CRD says.
		return apivalidation.NameIsDNSSubdomain, true
	}
	// Other built-in groups (admissionregistration, apiextensions,
	// certificates, ...) have rules of their own; leave them.
	return nil, false
}

// pathSegmentName is the API server's name rule for RBAC objects, as
// apimachinery asks its callers to define it (its own ValidatePathSegmentName
// is deprecated in favour of the content functions it wraps).
func pathSegmentName(name string, prefix bool) []string {
	if prefix {
		return content.IsPathSegmentPrefix(name)
	}
	return content.IsPathSegmentName(name)
}

// checkMetadata runs the API server's ObjectMeta validation.
func checkMetadata(r *manifest.Resource) []rules.Finding {
	md, ok := r.Object["metadata"].(map[string]any)
	if !ok {
		return nil
	}
	var out []rules.Finding
	name, _ := md["name"].(string)
	generateName, _ := md["generateName"].(string)
	if fn, ok := nameFunc(r.ID.Group(), r.ID.Kind); ok {
		if name != "" {
			for _, msg := range fn(name, false) {
				out = append(out, finding(r, InvalidName, "/metadata/name", fmt.Sprintf("%s name %q: %s", r.ID.Kind, name, msg)))
			}
			if r.ID.Group() == "batch" && r.ID.Kind == "CronJob" && len(name) > 52 {
				// Its Jobs are named name-<11 characters of schedule time>.
				out = append(out, finding(r, InvalidName, "/metadata/name", fmt.Sprintf("CronJob name %q: must be no more than 52 characters", name)))
			}
		}
		if generateName != "" {
			for _, msg := range fn(generateName, true) {
				out = append(out, finding(r, InvalidName, "/metadata/generateName", fmt.Sprintf("generateName %q: %s", generateName, msg)))
			}
		}
	}
	if ns, _ := md["namespace"].(string); ns != "" {
		for _, msg := range apivalidation.ValidateNamespaceName(ns, false) {
			out = append(out, finding(r, InvalidName, "/metadata/namespace", fmt.Sprintf("namespace %q: %s", ns, msg)))
		}
	}
	out = append(out, checkLabels(r, "/metadata/labels", md["labels"])...)
	out = append(out, checkAnnotations(r, "/metadata/annotations", md["annotations"])...)
	return out
}

// checkLabels validates a label map (or matchLabels) key by key, so that
// each finding points at its entry.
func checkLabels(r *manifest.Resource, ptr string, v any) []rules.Finding {
	labels, _ := v.(map[string]any)
	var out []rules.Finding
	for _, k := range sortedKeys(labels) {
		at := pointer(ptr, k)
		for _, e := range metav1validation.ValidateLabelName(k, field.NewPath("labels")) {
			out = append(out, finding(r, InvalidLabel, at, fmt.Sprintf("label key %q: %s", k, e.Detail)))
		}
		s, ok := labels[k].(string)
		if !ok {
			continue // not a string: schema-invalid says so
		}
		for _, msg := range validation.IsValidLabelValue(s) {
			out = append(out, finding(r, InvalidLabel, at, fmt.Sprintf("value of label %q: %s", k, msg)))
		}
	}
	return out
}

// checkAnnotations validates annotation keys and their total size, as
// apivalidation.ValidateAnnotations does, with a finding per key.
func checkAnnotations(r *manifest.Resource, ptr string, v any) []rules.Finding {
	annotations, _ := v.(map[string]any)
	var out []rules.Finding
	strs := make(map[string]string, len(annotations))
	for _, k := range sortedKeys(annotations) {
		s, _ := annotations[k].(string)
		strs[k] = s
		for _, msg := range validation.IsQualifiedName(strings.ToLower(k)) {
			out = append(out, finding(r, InvalidAnnotation, pointer(ptr, k), fmt.Sprintf("annotation key %q: %s", k, msg)))
		}
	}
	if err := apivalidation.ValidateAnnotationsSize(strs); err != nil {
		out = append(out, finding(r, InvalidAnnotation, ptr, "metadata.annotations: "+err.Error()+" bytes (256 KiB)"))
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// podSpecs returns the pod templates of a built-in workload: the JSON
// pointer of each pod spec and of its template's metadata ("" for a Pod's
// own metadata, checked with the object's).
func podSpecs(r *manifest.Resource) (spec, templateMeta string, ok bool) {
	switch r.ID.Group() + "/" + r.ID.Kind {
	case "/Pod":
		return "/spec", "", true
	case "/ReplicationController", "/PodTemplate", "apps/Deployment", "apps/StatefulSet", "apps/DaemonSet", "apps/ReplicaSet", "batch/Job":
		if r.ID.Kind == "PodTemplate" {
			return "/template/spec", "/template/metadata", true
		}
		return "/spec/template/spec", "/spec/template/metadata", true
	case "batch/CronJob":
		return "/spec/jobTemplate/spec/template/spec", "/spec/jobTemplate/spec/template/metadata", true
	}
	return "", "", false
}

// checkBuiltin runs the checks of the built-in kinds.
func (c *Checker) checkBuiltin(r *manifest.Resource) []rules.Finding {
	var out []rules.Finding
	if spec, meta, ok := podSpecs(r); ok {
		if meta != "" {
			md, _ := manifest.Lookup(r.Object, meta)
			m, _ := md.(map[string]any)
			out = append(out, checkLabels(r, meta+"/labels", m["labels"])...)
			out = append(out, checkAnnotations(r, meta+"/annotations", m["annotations"])...)
		}
		if sel, ok := manifest.Lookup(r.Object, "/spec/selector/matchLabels"); ok && r.ID.Group() != "" {
			out = append(out, checkLabels(r, "/spec/selector/matchLabels", sel)...)
		}
		if v, ok := manifest.Lookup(r.Object, spec); ok {
			if ps, ok := v.(map[string]any); ok {
				var claims []string
				if r.ID.Kind == "StatefulSet" {
					claims = claimTemplateNames(r.Object)
				}
				out = append(out, c.checkPodSpec(r, spec, ps, claims)...)
			}
		}
		if r.ID.Kind == "StatefulSet" {
			out = append(out, quantities(r, "/spec/volumeClaimTemplates", "/spec/resources/requests", "/spec/resources/limits")...)
		}
	}
	switch r.ID.Group() + "/" + r.ID.Kind {
	case "/PersistentVolumeClaim":
		out = append(out, quantityMaps(r, "/spec/resources/requests", "/spec/resources/limits")...)
	case "/PersistentVolume":
		out = append(out, quantityMaps(r, "/spec/capacity")...)
	case "/ResourceQuota":
		out = append(out, quantityMaps(r, "/spec/hard")...)
	case "/LimitRange":
		out = append(out, quantities(r, "/spec/limits", "/max", "/min", "/default", "/defaultRequest", "/maxLimitRequestRatio")...)
	case "/Service":
		out = append(out, uniqueNames(r, "/spec/ports", "Service port")...)
		out = append(out, checkLabels(r, "/spec/selector", asMap(r.Object["spec"])["selector"])...)
	}
	return out
}

func claimTemplateNames(obj map[string]any) []string {
	v, _ := manifest.Lookup(obj, "/spec/volumeClaimTemplates")
	var names []string
	for _, t := range asList(v) {
		if n, ok := manifest.Lookup(asMap(t), "/metadata/name"); ok {
			if s, ok := n.(string); ok {
				names = append(names, s)
			}
		}
	}
	return names
}

var containerLists = []string{"initContainers", "containers", "ephemeralContainers"}

// checkPodSpec checks a pod spec at ptr.
func (c *Checker) checkPodSpec(r *manifest.Resource, ptr string, ps map[string]any, claims []string) []rules.Finding {
	var out []rules.Finding
	out = append(out, quantityMaps(r, ptr+"/overhead", ptr+"/resources/requests", ptr+"/resources/limits")...)
	out = append(out, requestsWithinLimits(r, ptr+"/resources")...)
	// Volumes: unique names, emptyDir sizes.
	volumes := map[string]bool{}
	for _, n := range claims {
		volumes[n] = true
	}
	out = append(out, uniqueNames(r, ptr+"/volumes", "volume")...)
	for i, v := range asList(ps["volumes"]) {
		if n, ok := asMap(v)["name"].(string); ok {
			volumes[n] = true
		}
		out = append(out, quantityMaps(r, fmt.Sprintf("%s/volumes/%d/emptyDir/sizeLimit", ptr, i))...)
	}
	// Containers: one namespace of names across the three lists.
	seen := map[string]string{}
	for _, list := range containerLists {
		for i, ct := range asList(ps[list]) {
			cp := fmt.Sprintf("%s/%s/%d", ptr, list, i)
			cm := asMap(ct)
			if name, ok := cm["name"].(string); ok {
				if first, dup := seen[name]; dup {
					out = append(out, finding(r, DuplicateName, cp+"/name", fmt.Sprintf("container name %q is already used by %s", name, strings.TrimPrefix(first, ptr+"/"))))
				} else {
					seen[name] = cp
				}
				for _, msg := range validation.IsDNS1123Label(name) {
					out = append(out, finding(r, InvalidName, cp+"/name", fmt.Sprintf("container name %q: %s", name, msg)))
				}
			}
			out = append(out, c.checkContainer(r, cp, cm, list, volumes)...)
		}
	}
	return out
}

// checkContainer checks one container at ptr.
func (c *Checker) checkContainer(r *manifest.Resource, ptr string, ct map[string]any, list string, volumes map[string]bool) []rules.Finding {
	var out []rules.Finding
	out = append(out, quantityMaps(r, ptr+"/resources/requests", ptr+"/resources/limits")...)
	out = append(out, requestsWithinLimits(r, ptr+"/resources")...)
	out = append(out, uniqueNames(r, ptr+"/ports", "port")...)
	for _, mounts := range []string{"volumeMounts", "volumeDevices"} {
		for i, m := range asList(ct[mounts]) {
			name, ok := asMap(m)["name"].(string)
			if ok && name != "" && !volumes[name] {
				out = append(out, finding(r, UnknownVolume, fmt.Sprintf("%s/%s/%d/name", ptr, mounts, i), fmt.Sprintf("%s names volume %q, which the pod does not define", mounts, name)))
			}
		}
	}
	for i, e := range asList(ct["env"]) {
		name, ok := asMap(e)["name"].(string)
		if !ok {
			continue
		}
		for _, msg := range c.envName(name) {
			out = append(out, finding(r, InvalidEnvName, fmt.Sprintf("%s/env/%d/name", ptr, i), fmt.Sprintf("environment variable name %q: %s", name, msg)))
		}
	}
	for i, e := range asList(ct["envFrom"]) {
		prefix, ok := asMap(e)["prefix"].(string)
		if !ok || prefix == "" {
			continue
		}
		for _, msg := range c.envName(prefix) {
			out = append(out, finding(r, InvalidEnvName, fmt.Sprintf("%s/envFrom/%d/prefix", ptr, i), fmt.Sprintf("envFrom prefix %q: %s", prefix, msg)))
		}
	}
	if list != "ephemeralContainers" {
		for _, probe := range []string{"livenessProbe", "readinessProbe", "startupProbe"} {
			if p, ok := ct[probe].(map[string]any); ok {
				out = append(out, handler(r, ptr+"/"+probe, p, probe, []string{"exec", "httpGet", "tcpSocket", "grpc"})...)
			}
		}
		lc := asMap(ct["lifecycle"])
		for _, hook := range []string{"postStart", "preStop"} {
			if h, ok := lc[hook].(map[string]any); ok {
				out = append(out, handler(r, ptr+"/lifecycle/"+hook, h, hook, []string{"exec", "httpGet", "tcpSocket", "sleep"})...)
			}
		}
	}
	return out
}

// envName is the variable name check of the target release: relaxed
// (RelaxedEnvironmentVariableValidation) from 1.32, when it became on by
// default.
func (c *Checker) envName(name string) []string {
	if c.relaxedEnv {
		return validation.IsRelaxedEnvVarName(name)
	}
	return validation.IsEnvVarName(name)
}

// handler checks that a probe or hook at ptr has exactly one action.
func handler(r *manifest.Resource, ptr string, h map[string]any, what string, actions []string) []rules.Finding {
	var set []string
	for _, a := range actions {
		if v, ok := h[a]; ok && v != nil {
			set = append(set, a)
		}
	}
	switch {
	case len(set) == 0:
		return []rules.Finding{finding(r, InvalidHandler, ptr, fmt.Sprintf("%s must specify one of %s", what, strings.Join(actions, ", ")))}
	case len(set) > 1:
		return []rules.Finding{finding(r, InvalidHandler, pointer(ptr, set[1]), fmt.Sprintf("%s may not specify more than one handler: %s", what, strings.Join(set, " and ")))}
	}
	return nil
}

// uniqueNames reports list entries at ptr whose name repeats an earlier
// entry's.
func uniqueNames(r *manifest.Resource, ptr, what string) []rules.Finding {
	v, _ := manifest.Lookup(r.Object, ptr)
	seen := map[string]int{}
	var out []rules.Finding
	for i, item := range asList(v) {
		name, ok := asMap(item)["name"].(string)
		if !ok || name == "" {
			continue
		}
		if first, dup := seen[name]; dup {
			out = append(out, finding(r, DuplicateName, fmt.Sprintf("%s/%d/name", ptr, i), fmt.Sprintf("%s name %q is already used by entry %d", what, name, first)))
			continue
		}
		seen[name] = i
	}
	return out
}

// quantities checks, for every item of the list at list, the quantity
// maps at the given pointers below it.
func quantities(r *manifest.Resource, list string, maps ...string) []rules.Finding {
	v, _ := manifest.Lookup(r.Object, list)
	var out []rules.Finding
	for i := range asList(v) {
		ptrs := make([]string, len(maps))
		for j, m := range maps {
			ptrs[j] = fmt.Sprintf("%s/%d%s", list, i, m)
		}
		out = append(out, quantityMaps(r, ptrs...)...)
	}
	return out
}

// quantityMaps checks the quantities at the given pointers: maps of
// resource name to quantity, or single quantities.
func quantityMaps(r *manifest.Resource, ptrs ...string) []rules.Finding {
	var out []rules.Finding
	check := func(ptr, what string, v any) {
		if _, err := parseQuantity(v); err != nil {
			out = append(out, finding(r, InvalidQuantity, ptr, fmt.Sprintf("%s: %v", what, err)))
		}
	}
	for _, ptr := range ptrs {
		v, ok := manifest.Lookup(r.Object, ptr)
		if !ok || v == nil {
			continue
		}
		toks := manifest.SplitPointer(ptr)
		if m, isMap := v.(map[string]any); isMap {
			for _, k := range sortedKeys(m) {
				if m[k] != nil {
					check(pointer(ptr, k), toks[len(toks)-1]+"."+k, m[k])
				}
			}
			continue
		}
		check(ptr, toks[len(toks)-1], v)
	}
	return out
}

// errNotQuantity words a value that is neither a string nor a number.
var errNotQuantity = fmt.Errorf("not a quantity")

// parseQuantity reads a quantity as the API server decodes one from JSON:
// a string, or a number. Negative quantities are refused, as the API
// server does for every field checked here.
func parseQuantity(v any) (resource.Quantity, error) {
	var s string
	switch t := v.(type) {
	case string:
		s = t
	case int64:
		s = strconv.FormatInt(t, 10)
	case float64:
		if math.IsInf(t, 0) || math.IsNaN(t) {
			return resource.Quantity{}, errNotQuantity
		}
		s = strconv.FormatFloat(t, 'f', -1, 64)
	default:
		return resource.Quantity{}, errNotQuantity // schema-invalid reports the type
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return q, fmt.Errorf("%q is not a quantity (%v); write a number with an optional suffix such as 500m, 2 or 512Mi", s, err)
	}
	if q.Sign() < 0 {
		return q, fmt.Errorf("%q must be greater than or equal to 0", s)
	}
	return q, nil
}

// requestsWithinLimits reports requests above their limits in the
// resources at ptr, which the API server refuses.
func requestsWithinLimits(r *manifest.Resource, ptr string) []rules.Finding {
	v, _ := manifest.Lookup(r.Object, ptr)
	res := asMap(v)
	requests, limits := asMap(res["requests"]), asMap(res["limits"])
	var out []rules.Finding
	for _, name := range sortedKeys(requests) {
		lv, ok := limits[name]
		if !ok {
			continue
		}
		req, err1 := parseQuantity(requests[name])
		lim, err2 := parseQuantity(lv)
		if err1 != nil || err2 != nil {
			continue
		}
		if req.Cmp(lim) > 0 {
			out = append(out, finding(r, InvalidQuantity, pointer(ptr+"/requests", name),
				fmt.Sprintf("requests.%s %s must be less than or equal to limits.%s %s", name, req.String(), name, lim.String())))
		}
	}
	return out
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}
