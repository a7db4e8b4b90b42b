package helm

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"helm.sh/helm/v4/pkg/chart/v2/loader"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// chartServer is a Helm repository over HTTP: index.yaml and the
// archives it names, built at test time; it counts the requests of each
// path.
type chartServer struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	files map[string][]byte
}

// newChartServer serves web 1.0.0 and 1.2.0. With lie, the index gives
// 1.2.0 the digest of another archive.
func newChartServer(t *testing.T, lie bool) *chartServer {
	t.Helper()
	s := &chartServer{hits: map[string]int{}, files: map[string][]byte{}}
	scratch, out := t.TempDir(), t.TempDir()
	idx := repo.NewIndexFile()
	for _, v := range []string{"1.0.0", "1.2.0"} {
		p := packChart(t, writeChart(t, filepath.Join(scratch, v), "web", v), out)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c, err := loader.LoadArchive(strings.NewReader(string(data)))
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		s.files["/charts/"+name] = data
		digest := sha256Hex(data)
		if lie && v == "1.2.0" {
			digest = sha256Hex([]byte("another archive"))
		}
		if err := idx.MustAdd(c.Metadata, "charts/"+name, "", digest); err != nil {
			t.Fatal(err)
		}
	}
	index, err := sigsyaml.Marshal(idx)
	if err != nil {
		t.Fatal(err)
	}
	s.files["/index.yaml"] = index
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.hits[r.URL.Path]++
		data, ok := s.files[r.URL.Path]
		s.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *chartServer) count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hits[path]
}

// TestRemoteCharts fetches a chart from a Helm repository into a cache
// directory; a later run takes it from there after checking its digest
// against the index, fetches it again when the cached file was altered,
// and refuses a download whose digest is not the index's.
func TestRemoteCharts(t *testing.T) {
	srv := newChartServer(t, false)
	cache := t.TempDir()
	const archive = "/charts/web-1.2.0.tgz"
	steps := []struct {
		name             string
		before           func(t *testing.T)
		indexes, fetches int // cumulative requests
	}{
		{name: "first run fetches", indexes: 1, fetches: 1},
		{name: "a later run takes the cached archive", indexes: 2, fetches: 1},
		{
			name: "an altered cached archive is fetched again", indexes: 3, fetches: 2,
			before: func(t *testing.T) {
				files, _ := filepath.Glob(filepath.Join(cache, "*.tgz"))
				if len(files) != 1 {
					t.Fatalf("cache holds %v, want one archive", files)
				}
				if err := os.WriteFile(files[0], []byte("tampered"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.before != nil {
				st.before(t)
			}
			ch, err := NewRemoteCharts(cache).Find(srv.URL, "web", "^1.0.0")
			if err != nil {
				t.Fatal(err)
			}
			if ch.Name != "web" || ch.Version != "1.2.0" || !ch.External {
				t.Errorf("got %s %s (external %v), want web 1.2.0 from outside the repository", ch.Name, ch.Version, ch.External)
			}
			if got, want := [2]int{srv.count("/index.yaml"), srv.count(archive)}, [2]int{st.indexes, st.fetches}; got != want {
				t.Errorf("requests (index, archive) %v, want %v", got, want)
			}
		})
	}
	t.Run("one index per run", func(t *testing.T) {
		r, before := NewRemoteCharts(""), srv.count("/index.yaml")
		for _, v := range []string{"1.0.0", "1.2.0"} {
			if _, err := r.Find(srv.URL, "web", v); err != nil {
				t.Fatal(err)
			}
		}
		if n := srv.count("/index.yaml") - before; n != 1 {
			t.Errorf("%d index requests, want 1", n)
		}
	})
	errs := []struct {
		name, url, chart, version, want string
	}{
		{name: "no such version", url: srv.URL, chart: "web", version: "2.x", want: `no version matching "2.x" (there are 1.0.0, 1.2.0)`},
		{name: "an unknown scheme", url: "s3://bucket/charts", chart: "web", want: "oci:// registries only"},
		{name: "a digest that is not the index's", url: newChartServer(t, true).URL, chart: "web", version: "1.2.0", want: "not the digest the index gives; refused"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewRemoteCharts(t.TempDir()).Find(tc.url, tc.chart, tc.version)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error with %q", err, tc.want)
			}
		})
	}
}
