package apis

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/gitops-lint/gitops-lint/internal/apis/table"
)

// synthetic is a small table with each situation Check distinguishes.
func synthetic() *Index {
	return New(&table.Table{
		Releases: []string{"1.20.1", "1.21.1", "1.22.1", "1.23.1", "1.24.1", "1.25.1"},
		APIs: []table.API{
			{Version: "v1", Kind: "Pod", Served: []table.Span{{First: "1.20", Last: "1.25"}}},
			{Version: "v1", Kind: "Endpoints", Served: []table.Span{{First: "1.20", Last: "1.25"}},
				Notes: []table.Note{{Text: "Deprecated: use EndpointSlice.", In: []table.Span{{First: "1.24", Last: "1.25"}}}}},
			// A beta whose GA successor arrives in 1.21 and which 1.25 removes.
			{Group: "batch", Version: "v1beta1", Kind: "CronJob", Served: []table.Span{{First: "1.20", Last: "1.24"}}},
			{Group: "batch", Version: "v1", Kind: "CronJob", Served: []table.Span{{First: "1.21", Last: "1.25"}}},
			// Moved to another group; an alpha there too.
			{Group: "extensions", Version: "v1beta1", Kind: "Ingress", Served: []table.Span{{First: "1.20", Last: "1.21"}}},
			{Group: "networking.k8s.io", Version: "v1", Kind: "Ingress", Served: []table.Span{{First: "1.20", Last: "1.25"}}},
			{Group: "networking.k8s.io", Version: "v1beta1", Kind: "Ingress", Served: []table.Span{{First: "1.20", Last: "1.21"}}},
			{Group: "alpha.example.k8s.io", Version: "v1alpha1", Kind: "Ingress", Served: []table.Span{{First: "1.20", Last: "1.25"}}},
			// Removed with nothing to replace it.
			{Group: "policy", Version: "v1beta1", Kind: "PodSecurityPolicy", Served: []table.Span{{First: "1.20", Last: "1.22"}},
				Notes: []table.Note{{Text: "Deprecated in 1.22.", In: []table.Span{{First: "1.22", Last: "1.22"}}}}},
			// v1 is preferred, but only v2 succeeds v2beta1.
			{Group: "autoscaling", Version: "v1", Kind: "HorizontalPodAutoscaler", Served: []table.Span{{First: "1.20", Last: "1.25"}}},
			{Group: "autoscaling", Version: "v2beta1", Kind: "HorizontalPodAutoscaler", Served: []table.Span{{First: "1.20", Last: "1.22"}}},
			{Group: "autoscaling", Version: "v2", Kind: "HorizontalPodAutoscaler", Served: []table.Span{{First: "1.22", Last: "1.25"}}},
			// An alpha whose successor the removing release does not serve before.
			{Group: "resource.k8s.io", Version: "v1alpha1", Kind: "Claim", Served: []table.Span{{First: "1.20", Last: "1.21"}}},
			{Group: "resource.k8s.io", Version: "v1alpha2", Kind: "Claim", Served: []table.Span{{First: "1.22", Last: "1.25"}}},
			// Gone for a release and back.
			{Group: "gap.k8s.io", Version: "v1", Kind: "Gap", Served: []table.Span{{First: "1.20", Last: "1.20"}, {First: "1.22", Last: "1.25"}}},
		},
	})
}

func TestCheck(t *testing.T) {
	ix := synthetic()
	tests := []struct {
		name, apiVersion, kind, target string
		want                           Verdict
		wantMsg                        string
	}{
		{name: "served", apiVersion: "v1", kind: "Pod", target: "1.22", want: Verdict{Status: Served}},
		{name: "custom resource", apiVersion: "example.com/v1", kind: "Widget", target: "1.22", want: Verdict{Status: Unknown}},
		{name: "unknown version of a known kind", apiVersion: "batch/v2alpha1", kind: "CronJob", target: "1.22", want: Verdict{Status: Unknown}},
		{
			name: "removed, replaced in the same group", apiVersion: "batch/v1beta1", kind: "CronJob", target: "1.25",
			want:    Verdict{Status: Removed, RemovedIn: "1.25", Replacement: "batch/v1"},
			wantMsg: "batch/v1beta1 CronJob is not served by Kubernetes 1.25: it was removed in 1.25; use batch/v1",
		},
		{
			name: "removed, replaced in another group, most stable version", apiVersion: "extensions/v1beta1", kind: "Ingress", target: "1.24",
			want:    Verdict{Status: Removed, RemovedIn: "1.22", Replacement: "networking.k8s.io/v1"},
			wantMsg: "extensions/v1beta1 Ingress is not served by Kubernetes 1.24: it was removed in 1.22; use networking.k8s.io/v1",
		},
		{
			name: "removed, nothing replaces it", apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", target: "1.23",
			want:    Verdict{Status: Removed, RemovedIn: "1.23"},
			wantMsg: "policy/v1beta1 PodSecurityPolicy is not served by Kubernetes 1.23: it was removed in 1.23, and no API of Kubernetes 1.23 serves PodSecurityPolicy",
		},
		{
			name: "not yet added", apiVersion: "batch/v1", kind: "CronJob", target: "1.20",
			want:    Verdict{Status: NotYetServed, AddedIn: "1.21", Replacement: "batch/v1beta1"},
			wantMsg: "batch/v1 CronJob is not served by Kubernetes 1.20: it was added in 1.21; use batch/v1beta1",
		},
		{
			name: "removed for one release", apiVersion: "gap.k8s.io/v1", kind: "Gap", target: "1.21",
			want: Verdict{Status: Removed, RemovedIn: "1.21"},
		},
		{
			name: "deprecated: a later release removes it, the replacement is served", apiVersion: "batch/v1beta1", kind: "CronJob", target: "1.21",
			want:    Verdict{Status: Deprecated, RemovedIn: "1.25", Replacement: "batch/v1"},
			wantMsg: "batch/v1beta1 CronJob is deprecated: Kubernetes 1.25 removes it; use batch/v1",
		},
		{
			name: "not deprecated while the replacement is not served yet", apiVersion: "batch/v1beta1", kind: "CronJob", target: "1.20",
			want: Verdict{Status: Served},
		},
		{
			name: "removed later with no replacement, not marked deprecated yet", apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", target: "1.21",
			want: Verdict{Status: Served},
		},
		{
			name: "deprecated: marked, and removed later with no replacement", apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", target: "1.22",
			want:    Verdict{Status: Deprecated, RemovedIn: "1.23", Note: "Deprecated in 1.22."},
			wantMsg: "policy/v1beta1 PodSecurityPolicy is deprecated: Kubernetes 1.23 removes it, and no API of Kubernetes 1.23 serves PodSecurityPolicy",
		},
		{
			name: "successor of a later major, not the preferred older one", apiVersion: "autoscaling/v2beta1", kind: "HorizontalPodAutoscaler", target: "1.22",
			want:    Verdict{Status: Deprecated, RemovedIn: "1.23", Replacement: "autoscaling/v2"},
			wantMsg: "autoscaling/v2beta1 HorizontalPodAutoscaler is deprecated: Kubernetes 1.23 removes it; use autoscaling/v2",
		},
		{
			name: "no successor served yet, though an older version is", apiVersion: "autoscaling/v2beta1", kind: "HorizontalPodAutoscaler", target: "1.21",
			want: Verdict{Status: Served},
		},
		{
			name: "removed: the successor is named", apiVersion: "autoscaling/v2beta1", kind: "HorizontalPodAutoscaler", target: "1.24",
			want: Verdict{Status: Removed, RemovedIn: "1.23", Replacement: "autoscaling/v2"},
		},
		{
			name: "alpha replaced only by the removing release", apiVersion: "resource.k8s.io/v1alpha1", kind: "Claim", target: "1.21",
			want: Verdict{Status: Served},
		},
		{
			name: "deprecated by the OpenAPI note", apiVersion: "v1", kind: "Endpoints", target: "1.24",
			want:    Verdict{Status: Deprecated, Note: "Deprecated: use EndpointSlice."},
			wantMsg: `v1 Endpoints is deprecated in Kubernetes 1.24: "Deprecated: use EndpointSlice."`,
		},
		{
			name: "deprecated in another group, GA over beta over alpha", apiVersion: "extensions/v1beta1", kind: "Ingress", target: "1.20",
			want: Verdict{Status: Deprecated, RemovedIn: "1.22", Replacement: "networking.k8s.io/v1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target, err := ix.Resolve(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			got := ix.Check(tt.apiVersion, tt.kind, target)
			want := tt.want
			want.APIVersion, want.Kind, want.Target = tt.apiVersion, tt.kind, tt.target
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			if tt.wantMsg != "" && got.Message() != tt.wantMsg {
				t.Errorf("Message = %q\nwant      %q", got.Message(), tt.wantMsg)
			}
		})
	}
}

func TestResolve(t *testing.T) {
	ix, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		requested string
		want      string // minor
		wantErr   bool
	}{
		{requested: "", want: "1.37"},
		{requested: "1.34", want: "1.34"},
		{requested: "v1.34", want: "1.34"},
		{requested: "1.34.0", want: "1.34"},
		{requested: "1.16", want: "1.16"},
		{requested: "v1.20.15", want: "1.20"},
		{requested: "1.15", wantErr: true},
		{requested: "1.38", wantErr: true},
		{requested: "1", wantErr: true},
		{requested: "latest", wantErr: true},
		{requested: "1.34.x", wantErr: true},
		{requested: "1.34.1.2", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.requested, func(t *testing.T) {
			got, err := ix.Resolve(tt.requested)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "from 1.16 to 1.37") {
					t.Errorf("Resolve(%q) = %+v, %v; want an error naming the range", tt.requested, got, err)
				}
				return
			}
			if err != nil || got.Minor != tt.want || !strings.HasPrefix(got.Release, tt.want+".") {
				t.Errorf("Resolve(%q) = %+v, %v; want minor %s", tt.requested, got, err, tt.want)
			}
		})
	}
}

// TestEmbedded checks the generated table on APIs whose history is well
// known (the Kubernetes deprecated API migration guide).
func TestEmbedded(t *testing.T) {
	ix, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if oldest, newest := ix.Range(); oldest != "1.16" || newest != "1.37" {
		t.Errorf("Range = %s, %s", oldest, newest)
	}
	tests := []struct {
		apiVersion, kind, target string
		want                     Verdict
	}{
		{apiVersion: "extensions/v1beta1", kind: "Ingress", target: "1.34", want: Verdict{Status: Removed, RemovedIn: "1.22", Replacement: "networking.k8s.io/v1"}},
		{apiVersion: "batch/v1beta1", kind: "CronJob", target: "1.34", want: Verdict{Status: Removed, RemovedIn: "1.25", Replacement: "batch/v1"}},
		{apiVersion: "policy/v1beta1", kind: "PodSecurityPolicy", target: "1.34", want: Verdict{Status: Removed, RemovedIn: "1.25"}},
		{apiVersion: "extensions/v1beta1", kind: "Deployment", target: "1.34", want: Verdict{Status: Removed, RemovedIn: "1.18", Replacement: "apps/v1"}},
		{apiVersion: "autoscaling/v2beta2", kind: "HorizontalPodAutoscaler", target: "1.34", want: Verdict{Status: Removed, RemovedIn: "1.26", Replacement: "autoscaling/v2"}},
		{apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", kind: "FlowSchema", target: "1.34", want: Verdict{Status: Removed, RemovedIn: "1.32", Replacement: "flowcontrol.apiserver.k8s.io/v1"}},
		{apiVersion: "batch/v1beta1", kind: "CronJob", target: "1.21", want: Verdict{Status: Deprecated, RemovedIn: "1.25", Replacement: "batch/v1"}},
		{apiVersion: "flowcontrol.apiserver.k8s.io/v1beta3", kind: "FlowSchema", target: "1.30", want: Verdict{Status: Deprecated, RemovedIn: "1.32", Replacement: "flowcontrol.apiserver.k8s.io/v1"}},
		{apiVersion: "batch/v1", kind: "CronJob", target: "1.20", want: Verdict{Status: NotYetServed, AddedIn: "1.21", Replacement: "batch/v1beta1"}},
		{apiVersion: "apps/v1", kind: "Deployment", target: "1.34", want: Verdict{Status: Served}},
		{apiVersion: "networking.k8s.io/v1", kind: "Ingress", target: "1.34", want: Verdict{Status: Served}},
		{apiVersion: "batch/v1", kind: "CronJob", target: "1.37", want: Verdict{Status: Served}},
		{apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", target: "1.34", want: Verdict{Status: Unknown}},
	}
	for _, tt := range tests {
		t.Run(tt.apiVersion+" "+tt.kind+" "+tt.target, func(t *testing.T) {
			target, err := ix.Resolve(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			got := ix.Check(tt.apiVersion, tt.kind, target)
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreFields(Verdict{}, "APIVersion", "Kind", "Target", "Note")); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
	// The OpenAPI document of 1.33 and later marks v1 Endpoints deprecated.
	target, _ := ix.Resolve("1.37")
	if got := ix.Check("v1", "Endpoints", target); got.Status != Deprecated || !strings.Contains(got.Note, "EndpointSlice") {
		t.Errorf("v1 Endpoints in 1.37: %+v", got)
	}
}

func TestServing(t *testing.T) {
	ix := synthetic()
	target, err := ix.Resolve("1.21")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"alpha.example.k8s.io/v1alpha1", "extensions/v1beta1", "networking.k8s.io/v1", "networking.k8s.io/v1beta1"}
	if diff := cmp.Diff(want, ix.Serving("Ingress", target)); diff != "" {
		t.Errorf("Serving (-want +got):\n%s", diff)
	}
	if got := ix.Serving("Widget", target); got != nil {
		t.Errorf("Serving(Widget) = %v", got)
	}
}

func TestCompareVersions(t *testing.T) {
	ordered := []string{"zz", "v1alpha1", "v1alpha2", "v1beta1", "v1beta2", "v2beta1", "v1", "v2"}
	for i := range ordered {
		for j := range ordered {
			got := compareVersions(ordered[i], ordered[j])
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got != want {
				t.Errorf("compareVersions(%s, %s) = %d, want %d", ordered[i], ordered[j], got, want)
			}
		}
	}
}
