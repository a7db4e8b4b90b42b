# Shared helpers for the built-in rules: where the pod spec of every pod-bearing
# kind lives, the containers inside it with their JSON pointers, label selector
# matching, namespace comparison, image references and the production-environment
# test. Every pod rule goes through these helpers so that one fix reaches all kinds.
#
# Functions take the object they look at (a rendered resource) so that per-target
# rules can call them on each element of input.resources. Two groups of rules read
# `input` directly: the per-target indexes (input.resources) and, at the end, the
# shortcuts for per-resource rules (input is the resource).
package gitops_lint.lib.kubernetes

# Kinds that are a pod or carry a pod template. DeploymentConfig (OpenShift) and
# Rollout (Argo Rollouts) are included because their template sits where a
# Deployment's does.
pod_kinds := {
	"Pod",
	"Deployment",
	"StatefulSet",
	"DaemonSet",
	"ReplicaSet",
	"ReplicationController",
	"Job",
	"CronJob",
	"DeploymentConfig",
	"Rollout",
}

# Kinds whose replica count comes from spec.replicas (absent means 1).
replicated_kinds := {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController", "DeploymentConfig", "Rollout"}

# Kinds whose pods run to completion: readiness and liveness matter less there.
batch_kinds := {"Job", "CronJob"}

# The three container lists of a pod spec, in the order they are reported.
container_kinds := ["containers", "initContainers", "ephemeralContainers"]

container_kind_labels := {
	"containers": "container",
	"initContainers": "init container",
	"ephemeralContainers": "ephemeral container",
}

# Environment names (or name tokens, e.g. "eu-prod") treated as production.
production_environments := {"prod", "production", "prd", "live"}

# Images whose tag means "whatever was pushed last".
mutable_tags := {"latest"}

# ---------------------------------------------------------------------------
# JSON pointers (RFC 6901)

# escape_segment encodes one reference token: "~" first, then "/". Most tokens
# have neither, and OPA's replace() builds a replacement table on every call (the
# library's largest allocation): a token without them is returned as it is.
escape_segment(s) := s if {
	is_string(s)
	not contains(s, "~")
	not contains(s, "/")
} else := replace(replace(s, "~", "~0"), "/", "~1") if is_string(s)

escape_segment(n) := format_int(n, 10) if is_number(n)

# pointer turns a path (array of keys and indexes) into a JSON pointer; [] is "".
pointer(segments) := concat("/", array.concat([""], [escape_segment(s) | some s in segments])) if count(segments) > 0

pointer([]) := ""

absent := {"gitops-lint": "absent"}

present(obj, segments) if object.get(obj, segments, absent) != absent

# nearest_path points at base+segments if that field exists, else at the deepest
# existing object on the way: where a person adds the missing field.
nearest_path(obj, base, segments) := concat("", [base, pointer(array.slice(segments, 0, n))]) if {
	n := max({k |
		some k in numbers.range(0, count(segments))
		present(obj, array.slice(segments, 0, k))
	})
}

# ---------------------------------------------------------------------------
# Small type helpers

as_object(x) := x if is_object(x)

else := {}

as_array(x) := x if is_array(x)

else := []

# ---------------------------------------------------------------------------
# Identity

name(obj) := n if {
	n := obj.metadata.name
	is_string(n)
} else := ""

namespace(obj) := ns if {
	ns := obj.metadata.namespace
	is_string(ns)
} else := ""

# api_group is the group of an apiVersion ("apps/v1" -> "apps", "v1" -> "").
api_group(obj) := g if {
	parts := split(obj.apiVersion, "/")
	count(parts) == 2
	g := parts[0]
} else := ""

# same_namespace treats an unset namespace as equal to any other: kustomize bases
# often leave it to the applier (Flux targetNamespace, Argo CD destination).
same_namespace(a, b) if namespace(a) == namespace(b)

same_namespace(a, _) if namespace(a) == ""

same_namespace(_, b) if namespace(b) == ""

# describe names a resource in messages: Deployment "web".
describe(obj) := sprintf("%s %q", [obj.kind, name(obj)])

# ---------------------------------------------------------------------------
# Pod specs and templates

is_pod_bearing(obj) if obj.kind in pod_kinds

pod_spec_segments(obj) := ["spec"] if obj.kind == "Pod"

pod_spec_segments(obj) := ["spec", "jobTemplate", "spec", "template", "spec"] if obj.kind == "CronJob"

pod_spec_segments(obj) := ["spec", "template", "spec"] if {
	obj.kind in pod_kinds
	not obj.kind in {"Pod", "CronJob"}
}

pod_metadata_segments(obj) := ["metadata"] if obj.kind == "Pod"

pod_metadata_segments(obj) := array.concat(array.slice(s, 0, count(s) - 1), ["metadata"]) if {
	obj.kind != "Pod"
	s := pod_spec_segments(obj)
}

# pod_spec is the pod spec object of a pod-bearing resource (undefined otherwise).
pod_spec(obj) := spec if {
	spec := object.get(obj, pod_spec_segments(obj), null)
	is_object(spec)
}

# pod_spec_path is the JSON pointer of the pod spec: /spec for a Pod,
# /spec/jobTemplate/spec/template/spec for a CronJob, /spec/template/spec otherwise.
pod_spec_path(obj) := pointer(pod_spec_segments(obj))

pod_metadata_path(obj) := pointer(pod_metadata_segments(obj))

# pod_labels are the labels pods of this resource get (its own for a Pod).
pod_labels(obj) := as_object(object.get(obj, array.concat(pod_metadata_segments(obj), ["labels"]), {}))

pod_annotations(obj) := as_object(object.get(obj, array.concat(pod_metadata_segments(obj), ["annotations"]), {}))

# is_windows holds for pods that declare spec.os.name windows; Linux-only
# controls (capabilities, seccomp, runAsNonRoot, ...) do not apply to them.
is_windows(obj) if pod_spec(obj).os.name == "windows"

# ---------------------------------------------------------------------------
# Containers

container_label(kind, c, _) := sprintf("%s %q", [container_kind_labels[kind], c.name]) if has_name(c)

container_label(kind, c, i) := sprintf("%s #%d", [container_kind_labels[kind], i]) if not has_name(c)

has_name(c) if {
	is_string(c.name)
	c.name != ""
}

# containers_of is every container, init container and ephemeral container of a
# pod-bearing resource, each as
#   {"container": c, "path": "/spec/template/spec/containers/0", "kind": "containers",
#    "index": 0, "name": "web", "label": "container \"web\""}
containers_of(obj) := {x |
	spec := pod_spec(obj)
	base := pod_spec_path(obj)
	some kind in container_kinds
	some i, c in as_array(spec[kind])
	is_object(c)
	x := {
		"container": c,
		"path": sprintf("%s/%s/%d", [base, kind, i]),
		"kind": kind,
		"index": i,
		"name": object.get(c, "name", ""),
		"label": container_label(kind, c, i),
	}
}

# regular_containers_of leaves out init and ephemeral containers (probes, ports).
regular_containers_of(obj) := {x | some x in containers_of(obj); x.kind == "containers"}

# effective_security is the value of a securityContext field that applies to a
# container: its own if set, else the pod's (fields both levels share, such as
# runAsNonRoot, runAsUser, seccompProfile, seLinuxOptions, appArmorProfile).
effective_security(obj, x, field) := v if {
	v := x.container.securityContext[field]
	v != null
} else := v if {
	v := pod_spec(obj).securityContext[field]
	v != null
}

# effective_security_path points at the field effective_security read, or at the
# container's securityContext (or the container) where it should be added.
effective_security_path(obj, x, field) := sprintf("%s/securityContext/%s", [x.path, escape_segment(field)]) if {
	x.container.securityContext[field] != null
} else := sprintf("%s/securityContext/%s", [pod_spec_path(obj), escape_segment(field)]) if {
	pod_spec(obj).securityContext[field] != null
} else := nearest_path(x.container, x.path, ["securityContext", field])

# capability_name normalises a capability: upper case, without the CAP_ prefix.
capability_name(c) := trim_prefix(upper(c), "CAP_") if is_string(c)

# ---------------------------------------------------------------------------
# Volumes

# volumes_of is every volume of a pod-bearing resource with its pointer.
volumes_of(obj) := {{"volume": v, "path": sprintf("%s/volumes/%d", [pod_spec_path(obj), i]), "name": object.get(v, "name", "")} |
	some i, v in as_array(pod_spec(obj).volumes)
	is_object(v)
}

# ---------------------------------------------------------------------------
# ConfigMap and Secret references

# object_refs_of is every ConfigMap or Secret a pod-bearing resource references
# through env valueFrom, envFrom, configMap/secret volumes and projected volume
# sources (imagePullSecrets are not included), each as
#   {"kind": "ConfigMap" or "Secret", "name": "settings", "optional": false,
#    "path": pointer to the name field, "where": "container \"web\"" or "volume \"cfg\""}
object_refs_of(obj) := container_refs(obj) | volume_refs(obj)

ref_kinds := {
	"configMapKeyRef": "ConfigMap",
	"secretKeyRef": "Secret",
	"configMapRef": "ConfigMap",
	"secretRef": "Secret",
	"configMap": "ConfigMap",
	"secret": "Secret",
}

container_refs(obj) := {ref |
	some x in containers_of(obj)
	some k, e in as_array(x.container.env)
	some field in ["configMapKeyRef", "secretKeyRef"]
	src := e.valueFrom[field]
	ref := make_ref(ref_kinds[field], src, "name", sprintf("%s/env/%d/valueFrom/%s", [x.path, k, field]), x.label)
} | {ref |
	some x in containers_of(obj)
	some k, e in as_array(x.container.envFrom)
	some field in ["configMapRef", "secretRef"]
	src := e[field]
	ref := make_ref(ref_kinds[field], src, "name", sprintf("%s/envFrom/%d/%s", [x.path, k, field]), x.label)
}

volume_refs(obj) := {ref |
	some v in volumes_of(obj)
	some field, key in {"configMap": "name", "secret": "secretName"}
	src := v.volume[field]
	ref := make_ref(ref_kinds[field], src, key, sprintf("%s/%s", [v.path, field]), sprintf("volume %q", [v.name]))
} | {ref |
	some v in volumes_of(obj)
	some j, source in as_array(v.volume.projected.sources)
	some field in ["configMap", "secret"]
	src := source[field]
	ref := make_ref(ref_kinds[field], src, "name", sprintf("%s/projected/sources/%d/%s", [v.path, j, field]), sprintf("volume %q", [v.name]))
}

make_ref(kind, src, key, base, where) := {
	"kind": kind,
	"name": src[key],
	"optional": object.get(src, "optional", false) == true,
	"path": sprintf("%s/%s", [base, key]),
	"where": where,
} if {
	is_object(src)
	is_string(src[key])
	src[key] != ""
}

# ---------------------------------------------------------------------------
# Label selectors

# label_selector_matches applies a metav1.LabelSelector (matchLabels and
# matchExpressions with In, NotIn, Exists, DoesNotExist) to a label map. An empty
# selector matches everything; callers decide what a null selector means.
label_selector_matches(selector, labels) if {
	is_object(selector)
	every k, v in as_object(object.get(selector, "matchLabels", {})) {
		labels[k] == v
	}
	every expr in as_array(object.get(selector, "matchExpressions", [])) {
		expression_matches(expr, labels)
	}
}

expression_matches(expr, labels) if {
	expr.operator == "In"
	label_in(labels, expr.key, expr.values)
}

label_in(labels, key, values) if labels[key] in as_array(values)

expression_matches(expr, labels) if {
	expr.operator == "NotIn"
	not label_in(labels, expr.key, expr.values)
}

expression_matches(expr, labels) if {
	expr.operator == "Exists"
	expr.key in object.keys(labels)
}

expression_matches(expr, labels) if {
	expr.operator == "DoesNotExist"
	not expr.key in object.keys(labels)
}

# map_selector_matches applies an equality-only selector (Service,
# ReplicationController, DeploymentConfig); an empty map matches nothing.
map_selector_matches(selector, labels) if {
	is_object(selector)
	count(selector) > 0
	every k, v in selector {
		labels[k] == v
	}
}

# workload_selector_matches applies a workload's spec.selector to a label map:
# equality-only maps for ReplicationController and DeploymentConfig, a
# LabelSelector for everything else.
workload_selector_matches(obj, labels) if {
	obj.kind in {"ReplicationController", "DeploymentConfig"}
	map_selector_matches(obj.spec.selector, labels)
}

workload_selector_matches(obj, labels) if {
	not obj.kind in {"ReplicationController", "DeploymentConfig"}
	label_selector_matches(obj.spec.selector, labels)
}

# Labels a controller adds to the pods it creates, which no template shows; a
# selector term on one of them is taken as satisfied (a Service per StatefulSet
# pod selects statefulset.kubernetes.io/pod-name, for instance).
controller_pod_labels := {
	"Deployment": {"pod-template-hash"},
	"Rollout": {"rollouts-pod-template-hash"},
	"StatefulSet": {"statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "controller-revision-hash"},
	"DaemonSet": {"controller-revision-hash", "pod-template-generation"},
	"Job": job_pod_labels,
	"CronJob": job_pod_labels,
	"DeploymentConfig": {"deployment", "deploymentconfig"},
}

job_pod_labels := {
	"job-name", "batch.kubernetes.io/job-name", "controller-uid",
	"batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-completion-index",
}

controller_label_keys(obj) := object.get(controller_pod_labels, obj.kind, set())

# template_selected_by holds when a LabelSelector selects the pods of obj.
template_selected_by(selector, obj) if {
	is_object(selector)
	keys := controller_label_keys(obj)
	stripped := {
		"matchLabels": {k: v | some k, v in as_object(object.get(selector, "matchLabels", {})); not k in keys},
		"matchExpressions": [e | some e in as_array(object.get(selector, "matchExpressions", [])); not e.key in keys],
	}
	label_selector_matches(stripped, pod_labels(obj))
}

# template_selected_by_map holds when an equality-only selector (a Service's)
# selects the pods of obj; an empty selector selects nothing.
template_selected_by_map(selector, obj) if {
	is_object(selector)
	count(selector) > 0
	keys := controller_label_keys(obj)
	labels := pod_labels(obj)
	every k, v in selector {
		map_term_holds(k, v, keys, labels)
	}
}

map_term_holds(k, _, keys, _) if k in keys

map_term_holds(k, v, _, labels) if labels[k] == v

# ---------------------------------------------------------------------------
# Ingress backends

# ingress_backends is every Service backend of an Ingress (networking.k8s.io/v1
# service.name/port, and the older serviceName/servicePort form), each as
#   {"service": "web", "port": 80 or "http" or null,
#    "path": pointer to the service name, "port_path": pointer to the port}
ingress_backends(ing) := {b |
	some key in ["defaultBackend", "backend"]
	backend := ing.spec[key]
	is_object(backend)
	b := backend_ref(sprintf("/spec/%s", [key]), backend)
} | {b |
	some i, rule in as_array(ing.spec.rules)
	some j, p in as_array(rule.http.paths)
	is_object(p.backend)
	b := backend_ref(sprintf("/spec/rules/%d/http/paths/%d/backend", [i, j]), p.backend)
}

backend_ref(base, backend) := {
	"service": backend.service.name,
	"port": port,
	"path": sprintf("%s/service/name", [base]),
	"port_path": port_path,
} if {
	is_string(backend.service.name)
	[port, port_path] := v1_port(base, backend.service)
}

backend_ref(base, backend) := {
	"service": backend.serviceName,
	"port": object.get(backend, "servicePort", null),
	"path": sprintf("%s/serviceName", [base]),
	"port_path": sprintf("%s/servicePort", [base]),
} if {
	not is_string(object.get(backend, ["service", "name"], null))
	is_string(backend.serviceName)
}

v1_port(base, svc) := [svc.port.number, sprintf("%s/service/port/number", [base])] if is_number(svc.port.number)

else := [svc.port.name, sprintf("%s/service/port/name", [base])] if is_string(svc.port.name)

else := [null, sprintf("%s/service", [base])]

# ---------------------------------------------------------------------------
# Replicas and autoscalers

replicas(obj) := r if {
	r := obj.spec.replicas
	is_number(r)
} else := 1

# min_replicas is the smallest replica count of a workload of the target: its
# autoscalers' minimum (HPA minReplicas defaults to 1, KEDA minReplicaCount to
# 0) or spec.replicas.
min_replicas(obj) := min({autoscaler_min(a) | some a in autoscalers_of(obj)}) if {
	count(autoscalers_of(obj)) > 0
} else := replicas(obj)

autoscaler_min(a) := object.get(a.spec, "minReplicas", 1) if a.kind == "HorizontalPodAutoscaler"

autoscaler_min(a) := object.get(a.spec, "minReplicaCount", 0) if a.kind == "ScaledObject"

# max_replicas is the largest replica count of a workload of the target.
max_replicas(obj) := max({autoscaler_max(a) | some a in autoscalers_of(obj)}) if {
	count(autoscalers_of(obj)) > 0
} else := replicas(obj)

autoscaler_max(a) := object.get(a.spec, "maxReplicas", 1) if a.kind == "HorizontalPodAutoscaler"

autoscaler_max(a) := object.get(a.spec, "maxReplicaCount", 100) if a.kind == "ScaledObject"

# ---------------------------------------------------------------------------
# Images

# image_tag is the tag of an image reference, if it has one ("nginx:1.2" -> "1.2";
# "registry:5000/nginx" has none; a digest does not count as a tag).
image_tag(image) := tag if {
	is_string(image)
	ref := split(image, "@")[0]
	parts := split(ref, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := substring(last, indexof(last, ":") + 1, -1)
}

image_has_digest(image) if {
	is_string(image)
	contains(image, "@")
}

# image_is_mutable holds for an image without digest whose tag is absent or latest.
image_is_mutable(image) if {
	is_string(image)
	image != ""
	not image_has_digest(image)
	not image_tag(image)
}

image_is_mutable(image) if {
	not image_has_digest(image)
	image_tag(image) in mutable_tags
}

# ---------------------------------------------------------------------------
# Environments

# is_production holds for an environment name that is, or has a token that is,
# one of production_environments ("prod", "eu-prod", "production_us").
is_production(env) if {
	is_string(env)
	some token in regex.split(`[^a-z0-9]+`, lower(env))
	token in production_environments
}

# ---------------------------------------------------------------------------
# Per-target indexes
#
# These read input.resources (the per-target input) and are evaluated once per
# target, so cross-resource rules stay close to linear in the size of a target
# instead of comparing every resource with every other one.

# name_index turns [namespace, name] pairs into the sets name_available reads.
name_index(pairs) := {
	"keys": {concat("/", [p[0], p[1]]) | some p in pairs},
	"names": {p[1] | some p in pairs},
}

# name_available holds when an index has name n in the namespace of obj, an
# unset namespace on either side matching any (as same_namespace).
name_available(index, obj, n) if concat("/", [namespace(obj), n]) in index.keys

name_available(index, _, n) if concat("/", ["", n]) in index.keys

name_available(index, obj, n) if {
	namespace(obj) == ""
	n in index.names
}

# target_index knows every resource of the target by kind and name.
target_index := name_index({[namespace(r), concat("/", [r.kind, name(r)])] |
	some r in input.resources
	is_string(r.kind)
})

# in_target holds when the target has a resource of kind named n in the
# namespace of obj.
in_target(kind, obj, n) if name_available(target_index, obj, concat("/", [kind, n]))

# label_term is one label as "key=value", the unit of the template index.
label_term(k, v) := sprintf("%s=%v", [k, v])

template_terms := [[i, label_term(k, v)] |
	some i, r in input.resources
	is_pod_bearing(r)
	some k, v in pod_labels(r)
]

# templates_by_term maps a label term to the indexes (in input.resources) of the
# pod-bearing resources whose pods carry it. OPA indexes the inner comprehension
# on term, so this is built in one pass.
templates_by_term := {term: idxs |
	some j
	term := template_terms[j][1]
	idxs := {i |
		some m
		template_terms[m][1] == term
		i := template_terms[m][0]
	}
}

pod_template_indexes := {i | some i, r in input.resources; is_pod_bearing(r)}

all_controller_keys := union({keys | some keys in controller_pod_labels})

# candidate_templates narrows the pod-bearing resources worth testing against a
# selector with equality terms `terms`: those carrying one of its labels, or all
# of them when every term is on a controller-added label.
candidate_templates(terms) := object.get(templates_by_term, label_term(k, terms[k]), set()) if {
	k := min({key | some key, _ in as_object(terms); not key in all_controller_keys})
} else := pod_template_indexes

# selected_templates is the index of every pod-bearing resource of the target, in
# the namespace of owner, whose pods a LabelSelector selects.
selected_templates(owner, selector) := {i |
	some i in candidate_templates(object.get(as_object(selector), "matchLabels", {}))
	r := input.resources[i]
	same_namespace(owner, r)
	template_selected_by(selector, r)
}

# selected_templates_by_map is selected_templates for an equality-only selector.
selected_templates_by_map(owner, selector) := {i |
	some i in candidate_templates(selector)
	r := input.resources[i]
	same_namespace(owner, r)
	template_selected_by_map(selector, r)
}

autoscaler_refs := [[i, concat("/", [object.get(ref, "kind", "Deployment"), ref.name])] |
	some i, a in input.resources
	a.kind in {"HorizontalPodAutoscaler", "ScaledObject"}
	ref := a.spec.scaleTargetRef
	is_string(ref.name)
]

# autoscalers_of is every HorizontalPodAutoscaler or KEDA ScaledObject of the
# target whose scaleTargetRef names obj.
autoscalers_of(obj) := {a |
	some i in object.get(autoscalers_by_target, concat("/", [obj.kind, name(obj)]), set())
	a := input.resources[i]
	same_namespace(a, obj)
}

# autoscalers_by_target maps "kind/name" to the indexes of the autoscalers that
# name it (built in one indexed pass, like templates_by_term).
autoscalers_by_target := {key: idxs |
	some j
	key := autoscaler_refs[j][1]
	idxs := {i |
		some m
		autoscaler_refs[m][1] == key
		i := autoscaler_refs[m][0]
	}
}

# ---------------------------------------------------------------------------
# Shortcuts over input for per-resource rules

containers := containers_of(input)

regular_containers := regular_containers_of(input)

pod_bearing if is_pod_bearing(input)

# context_environment is the environment of the target a per-resource rule runs
# in; undefined when the engine passes no context (as in unit tests).
context_environment := data.gitops_lint.context.target.environment

in_production if is_production(context_environment)

# ---------------------------------------------------------------------------
# Resource requests and limits

# resourced_containers are the containers that may set resources
# (ephemeral containers cannot).
resourced_containers := {x | some x in containers; x.kind != "ephemeralContainers"}

# resource_missing holds when a container leaves a request or limit
# (["resources", "limits", "cpu"]) unset, empty or zero.
resource_missing(container, segments) if not resource_given(object.get(container, segments, null))

resource_given(value) if {
	value != null
	value != 0
	value != "0"
	value != ""
}

# ---------------------------------------------------------------------------
# Pods that operators create
#
# An operator's custom resource stands for pods that no manifest of the
# target templates: a Service or a PodDisruptionBudget written for them
# selects on the labels the operator documents. operator_pod_labels lists,
# per custom resource of a well-known operator, the label maps of its pods
# (labels of older releases included, since a repository may pin one), with
# the labels the resource asks the operator to add.

operator_pod_labels(r) := {object.union(extra, {
	"app": "prometheus",
	"app.kubernetes.io/name": "prometheus",
	"app.kubernetes.io/instance": name(r),
	"app.kubernetes.io/managed-by": "prometheus-operator",
	"operator.prometheus.io/name": name(r),
	"prometheus": name(r),
})} if {
	api_group(r) == "monitoring.coreos.com"
	r.kind in {"Prometheus", "PrometheusAgent"}
	extra := as_object(object.get(r, ["spec", "podMetadata", "labels"], {}))
}

operator_pod_labels(r) := {object.union(extra, {
	"app": "alertmanager",
	"app.kubernetes.io/name": "alertmanager",
	"app.kubernetes.io/instance": name(r),
	"app.kubernetes.io/managed-by": "prometheus-operator",
	"alertmanager": name(r),
})} if {
	api_group(r) == "monitoring.coreos.com"
	r.kind == "Alertmanager"
	extra := as_object(object.get(r, ["spec", "podMetadata", "labels"], {}))
}

operator_pod_labels(r) := {object.union(extra, {
	"app": "thanos-ruler",
	"app.kubernetes.io/name": "thanos-ruler",
	"app.kubernetes.io/instance": name(r),
	"app.kubernetes.io/managed-by": "prometheus-operator",
	"thanos-ruler": name(r),
})} if {
	api_group(r) == "monitoring.coreos.com"
	r.kind == "ThanosRuler"
	extra := as_object(object.get(r, ["spec", "podMetadata", "labels"], {}))
}

# CloudNativePG labels each instance with its role, which changes on
# failover: a selector may name either.
operator_pod_labels(r) := {object.union(extra, {
	"cnpg.io/cluster": name(r),
	"cnpg.io/podRole": "instance",
	"cnpg.io/instanceRole": role,
	"role": role,
}) | some role in {"primary", "replica"}} if {
	api_group(r) == "postgresql.cnpg.io"
	r.kind == "Cluster"
	extra := as_object(object.get(r, ["spec", "inheritedMetadata", "labels"], {}))
}

operator_pod_labels(r) := {object.union(extra, {
	"cnpg.io/poolerName": name(r),
	"cnpg.io/podRole": "pooler",
})} if {
	api_group(r) == "postgresql.cnpg.io"
	r.kind == "Pooler"
	extra := as_object(object.get(r, ["spec", "template", "metadata", "labels"], {}))
}

# Zalando's postgres-operator: spilo pods, master or replica.
operator_pod_labels(r) := {{
	"application": "spilo",
	"cluster-name": name(r),
	"spilo-role": role,
} | some role in {"master", "replica"}} if {
	api_group(r) == "acid.zalan.do"
	r.kind == "postgresql"
}

# Strimzi: the broker and ZooKeeper pods of a Kafka cluster.
operator_pod_labels(r) := {{
	"strimzi.io/cluster": name(r),
	"strimzi.io/kind": "Kafka",
	"strimzi.io/name": sprintf("%s-%s", [name(r), part]),
} | some part in {"kafka", "zookeeper"}} if {
	api_group(r) == "kafka.strimzi.io"
	r.kind == "Kafka"
}

# Elastic Cloud on Kubernetes: Elasticsearch and Kibana.
operator_pod_labels(r) := {{
	"common.k8s.elastic.co/type": "elasticsearch",
	"elasticsearch.k8s.elastic.co/cluster-name": name(r),
}} if {
	api_group(r) == "elasticsearch.k8s.elastic.co"
	r.kind == "Elasticsearch"
}

operator_pod_labels(r) := {{
	"common.k8s.elastic.co/type": "kibana",
	"kibana.k8s.elastic.co/name": name(r),
}} if {
	api_group(r) == "kibana.k8s.elastic.co"
	r.kind == "Kibana"
}

# operator_pods are the custom resources of the target that stand for pods,
# with their label maps.
operator_pods := [{"resource": r, "labels": ls} |
	some r in input.resources
	ls := operator_pod_labels(r)
]

# operator_selected_by_map is true when an equality-only selector of owner
# matches the pods of an operator's custom resource in its namespace.
operator_selected_by_map(owner, selector) if {
	some p in operator_pods
	same_namespace(owner, p.resource)
	some labels in p.labels
	map_selector_matches(selector, labels)
}

# operator_selected_by is operator_selected_by_map for a LabelSelector.
operator_selected_by(owner, selector) if {
	is_object(selector)
	some p in operator_pods
	same_namespace(owner, p.resource)
	some labels in p.labels
	label_selector_matches(selector, labels)
}
