// Package apiserver raises what the Kubernetes API server would reject on
// create although the JSON schemas accept it, using the API server's own
// code where Kubernetes publishes it as a library:
//
//   - for every object, its metadata as ObjectMeta validation sees it:
//     the name (DNS-1123 subdomain or label, or DNS-1035 label, as the
//     kind requires), generateName, namespace, label keys and values,
//     annotation keys and total size (k8s.io/apimachinery/pkg/api/validation);
//   - for the built-in kinds a GitOps repository holds, the pod template
//     checks that schemas cannot express: quantities, unique container,
//     port and volume names, volumeMounts of existing volumes, environment
//     variable names, probe and lifecycle handlers with exactly one action
//     (k8s.io/apimachinery/pkg/util/validation, .../api/resource);
//   - for custom resources, their CustomResourceDefinition as the API
//     server applies it (k8s.io/apiextensions-apiserver): pruning and
//     defaulting, formats, list-type map and set keys, and the CEL rules of
//     x-kubernetes-validations with their cost limits.
//
// Type, required and unknown-field errors are left to schema-invalid,
// which reports them from the same schemas; this package reports only what
// schema-invalid cannot see, so that no problem is reported twice.
package apiserver

import (
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// IDs of the rules of this family.
const (
	InvalidName       = "invalid-name"
	InvalidLabel      = "invalid-label"
	InvalidAnnotation = "invalid-annotation"
	InvalidQuantity   = "invalid-quantity"
	DuplicateName     = "duplicate-name"
	UnknownVolume     = "unknown-volume"
	InvalidEnvName    = "invalid-env-name"
	InvalidHandler    = "invalid-handler"
	CELValidation     = "cel-validation"
	InvalidFormat     = "invalid-format"
	DuplicateListKey  = "duplicate-list-key"
	CELRuleInvalid    = "cel-rule-invalid"
)

// Rules returns the catalogue of this family, in a fixed order, as new
// values on every call.
func Rules() []*rules.Rule {
	return []*rules.Rule{
		{
			ID:       InvalidName,
			Severity: rules.Error,
			Doc: `Object name the API server rejects
metadata.name, metadata.generateName or metadata.namespace is not a name of the form the kind requires: a DNS-1123 subdomain for most kinds (lower-case letters, digits, '-' and '.', at most 253 characters, starting and ending alphanumeric), a DNS-1123 label for Namespaces (no '.', at most 63), a DNS-1035 label for Services (starting with a letter), a path segment for RBAC kinds; a CronJob's name has at most 52 characters. Container names are DNS-1123 labels too. The API server refuses the object, so the sync fails. The check is the API server's own (k8s.io/apimachinery/pkg/api/validation).`,
			Remediation: "Rename the object: lower-case, '-' instead of '_' or spaces. Remember to change what refers to it.",
		},
		{
			ID:       InvalidLabel,
			Severity: rules.Error,
			Doc: `Label the API server rejects
A label key is not a qualified name (an optional DNS subdomain prefix and '/', then at most 63 characters of letters, digits, '-', '_' and '.', starting and ending alphanumeric), or a label value is longer than 63 characters or holds other characters. Checked in metadata.labels, pod template labels, workload selector matchLabels and Service selectors, with the API server's own functions.`,
			Remediation: "Shorten the value or replace the characters the message names; keep long or free text in an annotation instead.",
		},
		{
			ID:       InvalidAnnotation,
			Severity: rules.Error,
			Doc: `Annotations the API server rejects
An annotation key is not a qualified name (case aside), or the keys and values of metadata.annotations together exceed 256 KiB, the limit the API server enforces. A large kubectl.kubernetes.io/last-applied-configuration or an embedded file is the usual cause of the latter.`,
			Remediation: "Fix the key; move large content into a ConfigMap, or apply with server-side apply, which writes no last-applied annotation.",
		},
		{
			ID:       InvalidQuantity,
			Severity: rules.Error,
			Doc: `Resource quantity the API server rejects
A quantity (container and pod resources requests and limits, pod overhead, PersistentVolumeClaim and volumeClaimTemplate storage, emptyDir sizeLimit, ResourceQuota hard limits, LimitRange values) is not a Kubernetes quantity ("2 cores", "1.5Gb"), is negative, or a container requests more than its limit. Parsed with k8s.io/apimachinery/pkg/api/resource, the parser of the API server.`,
			Remediation: "Write a number with an optional suffix: 500m or 2 for CPU, 512Mi or 1Gi for memory and storage (binary suffixes end in i); keep each request at or below its limit.",
		},
		{
			ID:       DuplicateName,
			Severity: rules.Error,
			Doc: `Two entries share a name that must be unique
Two containers of a pod (containers, initContainers and ephemeralContainers share one namespace), two ports of one container, two volumes of a pod, or two ports of a Service have the same name. The API server rejects the object; a strategic merge patch would silently merge them.`,
			Remediation: "Rename one of the two entries (and what refers to it).",
		},
		{
			ID:       UnknownVolume,
			Severity: rules.Error,
			Doc: `volumeMount names no volume of the pod
A container's volumeMounts (or volumeDevices) entry names a volume that the pod's volumes do not define (nor, for a StatefulSet, its volumeClaimTemplates). The API server rejects the pod; for a StatefulSet or a Deployment that means the controller cannot create any pod.`,
			Remediation: "Add the volume to spec.volumes, or fix the name in the mount.",
		},
		{
			ID:       InvalidEnvName,
			Severity: rules.Error,
			Doc: `Environment variable name the API server rejects
An env entry's name (or an envFrom prefix) is not a valid variable name: from Kubernetes 1.32 on, printable ASCII without '='; before, a C identifier that may also contain '-' and '.'. The selected --kubernetes-version decides which.`,
			Remediation: "Rename the variable.",
		},
		{
			ID:       InvalidHandler,
			Severity: rules.Error,
			Doc: `Probe or lifecycle hook without exactly one action
A liveness, readiness or startup probe must have exactly one of exec, httpGet, tcpSocket and grpc; a postStart or preStop hook exactly one of exec, httpGet, tcpSocket and sleep. The API server rejects one with none or several; several usually come from a patch that adds an action without removing the base's.`,
			Remediation: "Keep one action; in a strategic merge patch, remove the base's with `$patch: replace` or `exec: null`.",
		},
		{
			ID:       CELValidation,
			Severity: rules.Error,
			Doc: `Custom resource breaks a CEL rule of its CRD
A rule of the CustomResourceDefinition's x-kubernetes-validations evaluates to false on this resource, so the API server rejects it. The message is the rule's message (or messageExpression), the reported field its fieldPath. Rules are evaluated by the API server's own code (k8s.io/apiextensions-apiserver) on the pruned and defaulted object, with the API server's cost limits; transition rules, which compare with the stored object (oldSelf), are skipped, as they are on create.`,
			Remediation: "Change the resource so the rule holds; the CRD's documentation of the field usually says what it expects.",
		},
		{
			ID:       InvalidFormat,
			Severity: rules.Error,
			Doc: `Custom resource field does not match its format
A string field whose CRD schema declares a format the API server enforces (date-time, date, email, uuid, ipv4, ipv6, cidr, uri, hostname, byte, duration and the like) holds a value of another form. Checked with the API server's own format registry; formats it ignores are ignored here too.`,
			Remediation: "Write the value in the format the message names (e.g. RFC 3339 for date-time: 2026-01-31T12:00:00Z).",
		},
		{
			ID:       DuplicateListKey,
			Severity: rules.Error,
			Doc: `Duplicate entry in a list-map or list-set
A list whose schema says x-kubernetes-list-type: map has two entries with the same x-kubernetes-list-map-keys, or a list-type set has the same value twice. The API server rejects the resource; server-side apply could not tell the entries apart.`,
			Remediation: "Merge the two entries into one, or give them different keys.",
		},
		{
			ID:       CELRuleInvalid,
			Severity: rules.Warning,
			Doc: `CRD validation rule cannot be evaluated
A rule of the CustomResourceDefinition's x-kubernetes-validations does not compile, or its estimated cost exceeds the API server's limit, so the API server would refuse the CRD itself. Resources of that kind are validated without the rule.`,
			Remediation: "Fix the rule's expression; bound the lists and strings it iterates with maxItems, maxLength and maxProperties to bring its cost within the limit.",
			Kinds:       []string{"CustomResourceDefinition"},
		},
	}
}

// pointer joins reference tokens into a JSON pointer, escaping them.
func pointer(base string, toks ...string) string {
	var b strings.Builder
	b.WriteString(base)
	for _, t := range toks {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// finding builds a finding of this family. Its message may quote a
// value; the engine screens every finding with the run's secret values
// (internal/redact) before it is cached or reported.
func finding(r *manifest.Resource, ruleID, ptr, msg string) rules.Finding {
	return origin.FieldFinding(r, ruleID, ptr, msg)
}
