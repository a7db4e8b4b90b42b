package helm

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"helm.sh/helm/v4/pkg/registry"
)

// ociServer is the part of the OCI distribution API Helm's registry
// client uses to list tags and pull a chart: /v2/, tags/list, manifests by
// tag or digest (GET and HEAD) and blobs by digest. It serves the chart
// web at tags 1.0.0 and 1.2.0 under the repository charts/web, built at
// test time, and counts the requests of each path.
type ociServer struct {
	*httptest.Server
	mu      sync.Mutex
	hits    map[string]int
	blobs   map[string][]byte // by digest: manifests, configs, archives
	tags    map[string]string // tag → manifest digest
	digests map[string]string // version → manifest digest
}

func newOCIServer(t *testing.T) *ociServer {
	t.Helper()
	s := &ociServer{hits: map[string]int{}, blobs: map[string][]byte{}, tags: map[string]string{}, digests: map[string]string{}}
	scratch, out := t.TempDir(), t.TempDir()
	for _, v := range []string{"1.0.0", "1.2.0"} {
		data, err := os.ReadFile(packChart(t, writeChart(t, filepath.Join(scratch, v), "web", v), out))
		if err != nil {
			t.Fatal(err)
		}
		config := []byte(`{"apiVersion":"v2","name":"web","version":"` + v + `"}`)
		manifest, err := json.Marshal(map[string]any{
			"schemaVersion": 2,
			"mediaType":     "application/vnd.oci.image.manifest.v1+json",
			"config":        s.add(registry.ConfigMediaType, config),
			"layers":        []any{s.add(registry.ChartLayerMediaType, data)},
		})
		if err != nil {
			t.Fatal(err)
		}
		d := "sha256:" + sha256Hex(manifest)
		s.blobs[d], s.tags[v], s.digests[v] = manifest, d, d
	}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// add stores a blob and returns its descriptor.
func (s *ociServer) add(mediaType string, data []byte) map[string]any {
	d := "sha256:" + sha256Hex(data)
	s.blobs[d] = data
	return map[string]any{"mediaType": mediaType, "digest": d, "size": len(data)}
}

func (s *ociServer) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.hits[r.Method+" "+r.URL.Path]++
	s.mu.Unlock()
	const prefix = "/v2/charts/web/"
	p := r.URL.Path
	switch {
	case p == "/v2/":
		w.WriteHeader(http.StatusOK)
	case p == prefix+"tags/list":
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"name":"charts/web","tags":["1.0.0","1.2.0","latest-build"]}`))
	case strings.HasPrefix(p, prefix+"manifests/"):
		ref := strings.TrimPrefix(p, prefix+"manifests/")
		if d, ok := s.tags[ref]; ok {
			ref = d
		}
		s.write(w, r, ref, "application/vnd.oci.image.manifest.v1+json")
	case strings.HasPrefix(p, prefix+"blobs/"):
		s.write(w, r, strings.TrimPrefix(p, prefix+"blobs/"), "application/octet-stream")
	default:
		http.NotFound(w, r)
	}
}

func (s *ociServer) write(w http.ResponseWriter, r *http.Request, digest, mediaType string) {
	data, ok := s.blobs[digest]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Docker-Content-Digest", digest)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

func (s *ociServer) count(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[key]
}

// repo is the oci:// URL of the server's chart repository.
func (s *ociServer) repo() string { return "oci://" + strings.TrimPrefix(s.URL, "http://") + "/charts" }

// TestRemoteChartsOCI pulls a chart from an OCI registry by tag, semver
// range and digest into a cache directory; a later run takes the archive
// from the cache after resolving the tag, and pulls it again when the
// cached archive was altered.
func TestRemoteChartsOCI(t *testing.T) {
	srv := newOCIServer(t)
	cache := t.TempDir()
	archive := "GET /v2/charts/web/blobs/" + srv.blobLayer(t, "1.2.0")
	steps := []struct {
		name, version string
		before        func(t *testing.T)
		want          string
		pulls, tags   int // cumulative requests
	}{
		{name: "a range pulls the highest tag", version: "^1.0.0", want: "1.2.0", pulls: 1, tags: 1},
		{name: "a later run takes the cached archive", version: "^1.0.0", want: "1.2.0", pulls: 1, tags: 2},
		{name: "an exact tag needs no tag list", version: "1.2.0", want: "1.2.0", pulls: 1, tags: 2},
		{name: "a digest needs neither tags nor a pull once cached", version: srv.digests["1.2.0"], want: "1.2.0", pulls: 1, tags: 2},
		{
			name: "an altered cached archive is pulled again", version: "1.2.0", want: "1.2.0", pulls: 2, tags: 2,
			before: func(t *testing.T) {
				files, _ := filepath.Glob(filepath.Join(cache, "oci", "*.tgz"))
				if len(files) != 1 {
					t.Fatalf("cache holds %v, want one archive", files)
				}
				if err := os.WriteFile(files[0], []byte("tampered"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
		},
		{name: "another digest is another archive", version: srv.digests["1.0.0"], want: "1.0.0", pulls: 2, tags: 2},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before(t)
			}
			ch, err := NewRemoteCharts(cache).Find(srv.repo(), "web", st.version)
			if err != nil {
				t.Fatal(err)
			}
			if ch.Name != "web" || ch.Version != st.want || !ch.External {
				t.Errorf("got %s %s (external %v), want web %s from outside the repository", ch.Name, ch.Version, ch.External, st.want)
			}
			if got, want := [2]int{srv.count(archive), srv.count("GET /v2/charts/web/tags/list")}, [2]int{st.pulls, st.tags}; got != want {
				t.Errorf("requests (archive, tag list) %v, want %v", got, want)
			}
		})
	}
	t.Run("one tag list and one pull per run", func(t *testing.T) {
		r, tags, pulls := NewRemoteCharts(""), srv.count("GET /v2/charts/web/tags/list"), srv.count(archive)
		for range 3 {
			if _, err := r.Find(srv.repo(), "web", "^1.0.0"); err != nil {
				t.Fatal(err)
			}
		}
		if got := [2]int{srv.count("GET /v2/charts/web/tags/list") - tags, srv.count(archive) - pulls}; got != [2]int{1, 1} {
			t.Errorf("requests (tag list, archive) %v, want [1 1]", got)
		}
	})
	errs := []struct {
		name, repo, version, want string
	}{
		{name: "no such version", repo: srv.repo(), version: "2.x", want: `no version matching "2.x"`},
		{name: "no such tag", repo: srv.repo(), version: "9.9.9", want: "not found"},
		{name: "no such chart", repo: srv.repo() + "/other", version: "1.2.0", want: "not found"},
		// Malformed references fail before any request is made.
		{name: "no registry", repo: "oci://", version: "1.0.0", want: "oci:///web"},
		{name: "an invalid registry", repo: "oci://Bad Host/charts", version: "1.0.0", want: `not "oci://Bad Host/charts"`},
		{name: "a digest that is not sha256", repo: srv.repo(), version: "sha256:abc", want: "not a sha256 digest"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRemoteCharts(t.TempDir()).Find(tc.repo, "web", tc.version)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}

// blobLayer is the digest of the chart layer of a version.
func (s *ociServer) blobLayer(t *testing.T, version string) string {
	t.Helper()
	var m struct {
		Layers []struct{ Digest string } `json:"layers"`
	}
	if err := json.Unmarshal(s.blobs[s.digests[version]], &m); err != nil || len(m.Layers) != 1 {
		t.Fatalf("manifest of %s: %v", version, err)
	}
	return m.Layers[0].Digest
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{host: "127.0.0.1:5000", want: true},
		{host: "localhost", want: true},
		{host: "[::1]:443", want: true},
		{host: "ghcr.io", want: false},
		{host: "localhost.example.com:5000", want: false},
	}
	for _, tc := range tests {
		if got := isLoopback(tc.host); got != tc.want {
			t.Errorf("isLoopback(%q) = %v, want %v", tc.host, got, tc.want)
		}
	}
}

// TestOCIReleasesRender renders Flux HelmReleases whose chart is in an OCI
// registry, through an OCIRepository (semver range, digest) and a
// HelmRepository of type oci, and finds the chart an Argo CD source names
// with a scheme-less repoURL. Offline (no RemoteCharts, as without
// --allow-remote) no request reaches the registry and the release is a
// *RemoteChart.
func TestOCIReleasesRender(t *testing.T) {
	srv := newOCIServer(t)
	ociRepo := func(ref map[string]any) map[string]any {
		return map[string]any{"kind": "OCIRepository", "spec": map[string]any{"url": srv.repo() + "/web", "ref": ref}}
	}
	objects := map[string]map[string]any{
		"OCIRepository/semver": ociRepo(map[string]any{"semver": "~1.0", "tag": "1.2.0"}),
		"OCIRepository/digest": ociRepo(map[string]any{"digest": srv.digests["1.2.0"], "semver": "~1.0"}),
		"HelmRepository/oci":   {"kind": "HelmRepository", "spec": map[string]any{"type": "oci", "url": srv.repo()}},
	}
	lookup := func(kind, _, name string) map[string]any { return objects[kind+"/"+name] }
	chartRef := func(name string) map[string]any {
		return map[string]any{"chartRef": map[string]any{"kind": "OCIRepository", "name": name}}
	}
	tests := []struct {
		name    string
		spec    map[string]any
		offline bool
		image   string
	}{
		{name: "OCIRepository semver before tag", spec: chartRef("semver"), image: "app:1.0.0"},
		{name: "OCIRepository digest before semver", spec: chartRef("digest"), image: "app:1.2.0"},
		{name: "HelmRepository of type oci", image: "app:1.2.0", spec: map[string]any{"chart": map[string]any{"spec": map[string]any{
			"chart": "web", "version": "1.x", "sourceRef": map[string]any{"kind": "HelmRepository", "name": "oci"},
		}}}},
		{name: "offline", spec: chartRef("semver"), offline: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			charts := &Charts{Remote: NewRemoteCharts(t.TempDir())}
			if tc.offline {
				charts = &Charts{}
			}
			before := srv.count("GET /v2/")
			hr := map[string]any{"kind": "HelmRelease", "metadata": map[string]any{"name": "web", "namespace": "apps"}, "spec": tc.spec}
			out, err := RenderHelmRelease(t.Context(), nil, hr, func(string, string, string) bool { return false }, lookup, charts)
			if tc.offline {
				var remote *RemoteChart
				if !errors.As(err, &remote) || srv.count("GET /v2/") != before {
					t.Errorf("error %v, %d requests; want a *RemoteChart and none", err, srv.count("GET /v2/")-before)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Objects) != 1 {
				t.Fatalf("objects %v, want one Deployment", out.Objects)
			}
			spec := out.Objects[0].Object["spec"].(map[string]any)
			image := spec["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)["image"]
			if image != tc.image {
				t.Errorf("image %v, want %s", image, tc.image)
			}
		})
	}
	t.Run("Argo CD repoURL without a scheme", func(t *testing.T) {
		ch, err := NewRemoteCharts("").Find(strings.TrimPrefix(srv.repo(), "oci://"), "web", "1.0.0")
		if err != nil || ch.Version != "1.0.0" {
			t.Errorf("got %v, %v; want web 1.0.0", ch, err)
		}
	})
}
