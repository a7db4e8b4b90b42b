package table

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// spec writes a minimal OpenAPI document: one create operation per
// served kind, and a definition per kind with its description.
func spec(kinds map[string]string) []byte {
	var paths, defs []string
	i := 0
	for gvk, desc := range kinds {
		parts := strings.Split(gvk, " ")
		group, version, kind := parts[0], parts[1], parts[2]
		if group == "core" {
			group = ""
		}
		ref := fmt.Sprintf(`{"group": %q, "version": %q, "kind": %q}`, group, version, kind)
		paths = append(paths, fmt.Sprintf(`"/p%d": {"parameters": [], "post": {"x-kubernetes-action": "post", "x-kubernetes-group-version-kind": %s}}`, i, ref))
		defs = append(defs, fmt.Sprintf(`"d%d": {"description": %q, "x-kubernetes-group-version-kind": [%s]}`, i, desc, ref))
		i++
	}
	// A List type: defined with a GVK, but no operation returns it as its kind.
	defs = append(defs, `"list": {"x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "DeploymentList"}]}`)
	return []byte(fmt.Sprintf(`{"paths": {%s}, "definitions": {%s}}`, strings.Join(paths, ","), strings.Join(defs, ",")))
}

func TestBuilder(t *testing.T) {
	const note = "Deprecated in v1.16, planned for removal in v1.19."
	var b Builder
	releases := []struct {
		release string
		kinds   map[string]string
	}{
		{"v1.16.15", map[string]string{
			"apps v1 Deployment":          "Deployment enables declarative updates.",
			"extensions v1beta1 Ingress":  "Ingress is a collection of rules. " + note + " See the release notes for more information.",
			"core v1 Endpoints":           "Endpoints is a collection of endpoints.",
			"batch v2alpha1 CronJobAlpha": "Gone and back.",
		}},
		{"v1.17.17", map[string]string{
			"apps v1 Deployment":         "Deployment enables declarative updates.",
			"extensions v1beta1 Ingress": "Ingress is a collection of rules. " + note,
			"core v1 Endpoints":          "Endpoints is a collection of endpoints.",
		}},
		{"1.18.20", map[string]string{
			"apps v1 Deployment":          "Deployment enables declarative updates.",
			"core v1 Endpoints":           "Endpoints.\n\nDeprecated: This API is deprecated in v1.18+. Use discoveryv1.EndpointSlice.",
			"batch v2alpha1 CronJobAlpha": "Gone and back.",
		}},
	}
	for _, r := range releases {
		if err := b.Add(r.release, spec(r.kinds)); err != nil {
			t.Fatal(err)
		}
	}
	want := &Table{
		Releases: []string{"1.16.15", "1.17.17", "1.18.20"},
		APIs: []API{
			{Version: "v1", Kind: "Endpoints", Served: []Span{{"1.16", "1.18"}},
				Notes: []Note{{Text: "Deprecated: This API is deprecated in v1.18+. Use discoveryv1.EndpointSlice.", In: []Span{{"1.18", "1.18"}}}}},
			{Group: "apps", Version: "v1", Kind: "Deployment", Served: []Span{{"1.16", "1.18"}}},
			{Group: "batch", Version: "v2alpha1", Kind: "CronJobAlpha", Served: []Span{{"1.16", "1.16"}, {"1.18", "1.18"}}},
			{Group: "extensions", Version: "v1beta1", Kind: "Ingress", Served: []Span{{"1.16", "1.17"}},
				Notes: []Note{{Text: note, In: []Span{{"1.16", "1.17"}}}}},
		},
	}
	got := b.Table()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Table (-want +got):\n%s", diff)
	}

	var buf bytes.Buffer
	if err := got.Encode(&buf); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(buf.String(), "\n"); lines != len(want.APIs)+3 {
		t.Errorf("encoded table has %d lines, want one per API plus 3:\n%s", lines, buf.String())
	}
	back, err := Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("Decode(Encode) (-want +got):\n%s", diff)
	}
}

func TestBuilderRejects(t *testing.T) {
	doc := spec(map[string]string{"apps v1 Deployment": ""})
	tests := []struct {
		name     string
		releases []string
		doc      []byte
		want     string
	}{
		{name: "skipped minor", releases: []string{"1.16.15", "1.18.20"}, doc: doc, want: "does not follow"},
		{name: "older after newer", releases: []string{"1.17.17", "1.16.15"}, doc: doc, want: "does not follow"},
		{name: "not a version", releases: []string{"latest"}, doc: doc, want: "not a major.minor"},
		{name: "not JSON", releases: []string{"1.16.15"}, doc: []byte("{"), want: "parse openapi"},
		{name: "no kinds", releases: []string{"1.16.15"}, doc: []byte(`{"paths": {}}`), want: "no operation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Builder
			var err error
			for _, r := range tt.releases {
				if err = b.Add(r, tt.doc); err != nil {
					break
				}
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name, doc string
	}{
		{name: "no releases", doc: `{"releases": [], "apis": []}`},
		{name: "gap between releases", doc: `{"releases": ["1.16.1", "1.18.1"], "apis": []}`},
		{name: "span outside the releases", doc: `{"releases": ["1.16.1"], "apis": [{"version": "v1", "kind": "Pod", "served": [["1.16", "1.17"]]}]}`},
		{name: "reversed span", doc: `{"releases": ["1.16.1", "1.17.1"], "apis": [{"version": "v1", "kind": "Pod", "served": [["1.17", "1.16"]]}]}`},
		{name: "overlapping spans", doc: `{"releases": ["1.16.1", "1.17.1"], "apis": [{"version": "v1", "kind": "Pod", "served": [["1.16", "1.17"], ["1.17", "1.17"]]}]}`},
		{name: "never served", doc: `{"releases": ["1.16.1"], "apis": [{"version": "v1", "kind": "Pod", "served": []}]}`},
		{name: "unknown field", doc: `{"releases": ["1.16.1"], "apis": [], "extra": 1}`},
		{name: "bad span", doc: `{"releases": ["1.16.1"], "apis": [{"version": "v1", "kind": "Pod", "served": ["1.16"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Decode(strings.NewReader(tt.doc)); err == nil {
				t.Errorf("Decode accepted %s", tt.doc)
			}
		})
	}
}

func TestDeprecationNote(t *testing.T) {
	// Descriptions as the Kubernetes OpenAPI documents write them.
	tests := []struct {
		name, description, want string
	}{
		{
			name:        "none",
			description: "Deployment enables declarative updates for Pods and ReplicaSets.",
		},
		{
			name:        "group version deprecated, release-note pointer dropped",
			description: "Ingress is a collection of rules that allow inbound connections to reach the endpoints defined by a backend. An Ingress can be configured to give services externally-reachable urls, load balance traffic, terminate SSL, offer name based virtual hosting etc. DEPRECATED - This group version of Ingress is deprecated by networking.k8s.io/v1beta1 Ingress. See the release notes for more information.",
			want:        "DEPRECATED - This group version of Ingress is deprecated by networking.k8s.io/v1beta1 Ingress.",
		},
		{
			name:        "removal plan and advice",
			description: "MutatingWebhookConfiguration describes the configuration of and admission webhook that accept or reject and may change the object. Deprecated in v1.16, planned for removal in v1.19. Use admissionregistration.k8s.io/v1 MutatingWebhookConfiguration instead.",
			want:        "Deprecated in v1.16, planned for removal in v1.19. Use admissionregistration.k8s.io/v1 MutatingWebhookConfiguration instead.",
		},
		{
			name:        "paragraphs",
			description: "Endpoints is a collection of endpoints that implement the actual service. Example:\n\n\t Name: \"mysvc\",\n\t Subsets: []\n\nEndpoints is a legacy API.\n\nDeprecated: This API is deprecated in v1.33+. Use discoveryv1.EndpointSlice.",
			want:        "Deprecated: This API is deprecated in v1.33+. Use discoveryv1.EndpointSlice.",
		},
		{
			name:        "no final full stop",
			description: "ComponentStatus (and ComponentStatusList) holds the cluster validation info. Deprecated: This API is deprecated in v1.19+",
			want:        "Deprecated: This API is deprecated in v1.19+",
		},
		{
			name:        "advice only after a deprecation",
			description: "Use this for everything. It is great.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DeprecationNote(tt.description); got != tt.want {
				t.Errorf("DeprecationNote = %q, want %q", got, tt.want)
			}
		})
	}
}
