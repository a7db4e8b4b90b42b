package apis

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// plutoFile is a pinned copy of pluto's hand-maintained table of deprecated
// APIs (see its header), written by `make pluto-table`.
const plutoFile = "testdata/pluto/versions.yaml"

// explained lists the deliberate differences between pluto's table and
// ours. A row matches a difference in one field when its apiVersion and
// kind match ("" matches any) and both values are the ones it names; the
// test fails on a difference no row explains, and on a row that explains
// nothing (so that a fix in either table retires its row).
var explained = []struct {
	apiVersion, kind string
	field            string // removed-in, deprecated-in or replacement-api
	pluto, ours      string
	reason           string
}{
	{
		field: "removed-in", pluto: "1.16", ours: "1.18",
		reason: "1.16 stopped serving these by default, but --runtime-config could still switch them on until 1.18 removed them; " +
			"the OpenAPI document lists every API a release can serve",
	},
	{
		apiVersion: "scheduling.k8s.io/v1alpha1", kind: "PriorityClass", field: "removed-in", pluto: "1.17", ours: "1.23",
		reason: "the alpha version stayed in the OpenAPI documents, and so could be enabled, until 1.23",
	},
	{
		apiVersion: "rbac.authorization.k8s.io/v1alpha1", field: "removed-in", pluto: "1.22", ours: "1.23",
		reason: "the 1.22 OpenAPI document still serves the RBAC alpha version (its notes announced removal for 1.20, then 1.22); 1.23's does not",
	},
	{
		apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1", field: "removed-in", pluto: "1.29", ours: "1.26",
		reason: "the 1.26 OpenAPI document no longer serves flowcontrol v1beta1, as the deprecation guide says; pluto has 1.29, v1beta2's removal",
	},
	{
		apiVersion: "rbac.authorization.k8s.io/v1beta1", field: "deprecated-in", pluto: "1.17", ours: "1.16",
		reason: "RBAC v1 is served in every release of our table, so migrating is possible (and warned about) from 1.16; the API was formally deprecated in 1.17",
	},
	{
		apiVersion: "rbac.authorization.k8s.io/v1alpha1", field: "deprecated-in", pluto: "1.17", ours: "1.16",
		reason: "as for v1beta1: RBAC v1 is served in every release of our table",
	},
	{
		apiVersion: "node.k8s.io/v1beta1", kind: "RuntimeClass", field: "deprecated-in", pluto: "1.22", ours: "1.20",
		reason: "node.k8s.io/v1 is served from 1.20, so migrating is possible (and warned about) from then; the beta was formally deprecated in 1.22",
	},
	{
		apiVersion: "autoscaling/v2beta1", kind: "HorizontalPodAutoscaler", field: "deprecated-in", pluto: "1.22", ours: "1.16",
		reason: "its successor autoscaling/v2beta2 is served by every release up to v2beta1's removal, so migrating is possible (and warned about) from 1.16; " +
			"the beta was formally deprecated in 1.22",
	},
	{
		apiVersion: "storage.k8s.io/v1beta1", kind: "CSIDriver", field: "deprecated-in", pluto: "1.19", ours: "1.18",
		reason: "storage.k8s.io/v1 CSIDriver is served from 1.18, so migrating is possible (and warned about) from then",
	},
	{
		apiVersion: "flowcontrol.apiserver.k8s.io/v1beta1", field: "deprecated-in", pluto: "1.24", ours: "1.23",
		reason: "v1beta2, which serves the same kinds in the removing release, is served from 1.23",
	},
	{
		apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2", field: "replacement-api", pluto: "flowcontrol.apiserver.k8s.io/v1beta3", ours: "flowcontrol.apiserver.k8s.io/v1",
		reason: "1.29, which removes v1beta2, also serves the GA version; we name the most stable version the removing release serves",
	},
	{
		apiVersion: "flowcontrol.apiserver.k8s.io/v1beta2", field: "deprecated-in", pluto: "1.24", ours: "1.26",
		reason: "v1beta3, the replacement still served by the removing release (1.29), is first served by 1.26",
	},
}

// plutoEntry is one row of pluto's deprecated-versions.
type plutoEntry struct {
	Version      string `yaml:"version"`
	Kind         string `yaml:"kind"`
	DeprecatedIn string `yaml:"deprecated-in"`
	RemovedIn    string `yaml:"removed-in"`
	Replacement  string `yaml:"replacement-api"`
	Component    string `yaml:"component"`
}

// TestAgreesWithPluto compares removed-in, deprecated-in and
// replacement-api for the Kubernetes APIs in both tables. Ours are derived
// as a user sees them: removed-in is the release whose check first reports
// the API removed; deprecated-in the oldest release whose check reports it
// deprecated; the replacement is the one named to a user of the release
// that removes it (or, when it is still served, of the release that
// deprecates it).
func TestAgreesWithPluto(t *testing.T) {
	data, err := os.ReadFile(plutoFile)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent: run `make pluto-table` to copy pluto's table", plutoFile)
	}
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Versions []plutoEntry `yaml:"deprecated-versions"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", plutoFile, err)
	}
	ix, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	oldest, _ := ix.Range()
	used := make([]bool, len(explained))
	compared := 0
	for _, p := range doc.Versions {
		if p.Component != "k8s" || ix.apis[p.Version+" "+p.Kind] == nil {
			// Not in both tables: add-ons, List kinds, configuration
			// file formats (audit.k8s.io) and names no release serves.
			continue
		}
		compared++
		ours := derive(t, ix, p.Version, p.Kind)
		fields := []struct{ name, pluto, ours string }{
			{"removed-in", plutoMinor(p.RemovedIn, oldest), ours.removedIn},
			{"deprecated-in", plutoMinor(p.DeprecatedIn, oldest), ours.deprecatedIn},
			{"replacement-api", p.Replacement, ours.replacement},
		}
		for _, f := range fields {
			if f.pluto == f.ours || f.pluto == "" && f.name == "deprecated-in" {
				// pluto leaves deprecated-in empty for some APIs it
				// lists as removed; nothing to compare.
				continue
			}
			found := false
			for i, e := range explained {
				if (e.apiVersion == "" || e.apiVersion == p.Version) && (e.kind == "" || e.kind == p.Kind) &&
					e.field == f.name && e.pluto == f.pluto && e.ours == f.ours {
					used[i], found = true, true
					t.Logf("%s %s %s: pluto %q, ours %q: %s", p.Version, p.Kind, f.name, f.pluto, f.ours, e.reason)
					break
				}
			}
			if !found {
				t.Errorf("%s %s %s: pluto says %q, our table %q; fix the generator or explain the difference in explained",
					p.Version, p.Kind, f.name, f.pluto, f.ours)
			}
		}
	}
	if compared < 30 {
		t.Errorf("only %d Kubernetes APIs are in both tables; is %s pluto's table?", compared, plutoFile)
	}
	for i, e := range explained {
		if !used[i] {
			t.Errorf("explained row %+v matches no difference any more; remove it", e)
		}
	}
}

type derived struct{ removedIn, deprecatedIn, replacement string }

// derive reads one API's history off the index the way check reports it.
func derive(t *testing.T, ix *Index, apiVersion, kind string) derived {
	t.Helper()
	var d derived
	var deprecatedAt string
	for _, m := range ix.minors {
		target, err := ix.Resolve(m)
		if err != nil {
			t.Fatal(err)
		}
		v := ix.Check(apiVersion, kind, target)
		switch {
		case v.Status == Deprecated && d.deprecatedIn == "":
			d.deprecatedIn, deprecatedAt = m, v.Replacement
		case v.Status == Removed && d.removedIn == "":
			d.removedIn, d.replacement = m, v.Replacement
		}
	}
	if d.removedIn == "" {
		d.replacement = deprecatedAt
	}
	return d
}

// plutoMinor turns pluto's "v1.22.0" into "1.22"; a release older than the
// oldest of our table is that oldest one, since ours cannot say earlier.
func plutoMinor(v, oldest string) string {
	if v == "" {
		return ""
	}
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) < 2 {
		return v
	}
	m := parts[0] + "." + parts[1]
	if lessMinor(m, oldest) {
		return oldest
	}
	return m
}

func lessMinor(a, b string) bool {
	var a1, a2, b1, b2 int
	if _, err := fmt.Sscanf(a, "%d.%d", &a1, &a2); err != nil {
		return false
	}
	if _, err := fmt.Sscanf(b, "%d.%d", &b1, &b2); err != nil {
		return false
	}
	return a1 < b1 || a1 == b1 && a2 < b2
}
