package helm

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"helm.sh/helm/v4/pkg/getter"
	repo "helm.sh/helm/v4/pkg/repo/v1"

	"github.com/gitops-lint/gitops-lint/internal/memo"
)

// Charts finds the charts of releases that are not in the repository:
// first in the local chart directories (--chart-dir), then, when the run
// may use the network, in their Helm repositories. The zero value finds
// none.
type Charts struct {
	// Dirs are the --chart-dir directories.
	Dirs *ChartDirs
	// Remote fetches from Helm repositories; nil offline.
	Remote *RemoteCharts
}

// any reports whether c can find any chart.
func (c *Charts) any() bool { return c != nil && (c.Dirs.Len() > 0 || c.Remote != nil) }

// Find returns the chart name of the highest version the constraint
// allows: from a chart directory, else from the Helm repository at
// repoURL ("" when unknown). The error says why neither has it.
func (c *Charts) Find(repoURL, name, constraint string) (*Chart, error) {
	var errs []string
	if c.Dirs.Len() > 0 {
		// A chart directory has versions, not the digest of an OCI pin.
		version, _, _ := strings.Cut(constraint, "@")
		ch, err := c.Dirs.Find(name, version)
		if err == nil {
			return ch, nil
		}
		errs = append(errs, err.Error())
	}
	if c.Remote != nil {
		ch, err := c.Remote.Find(repoURL, name, constraint)
		if err == nil {
			return ch, nil
		}
		errs = append(errs, err.Error())
	}
	if len(errs) == 0 {
		return nil, errors.New("it is not fetched (--allow-remote fetches it, --chart-dir DIR reads it from a directory of charts)")
	}
	return nil, errors.New(strings.Join(errs, "; "))
}

// RemoteCharts fetches charts from Helm repositories over HTTP(S) with
// Helm's own repo and getter packages (never a plugin getter, never a
// program): the repository's index.yaml once per run, then the chart
// archive it names. Archives are kept in a cache directory and used again
// only when their sha256 is the digest the index gives now: a file
// changed on disk is fetched again, and a download whose digest differs
// from the index's is refused. Charts in OCI registries are pulled with
// Helm's registry client, anonymously (see findOCI). It is safe for
// concurrent use.
type RemoteCharts struct {
	// dir keeps archives between runs; "" keeps nothing.
	dir     string
	getters getter.Providers
	indexes memo.Table[string, indexResult]
	clients memo.Table[bool, ociResult] // by plain HTTP or not
	// ociDigests and ociArchives hold, per run, what a reference and
	// version resolved to and what a manifest digest pulled.
	ociDigests, ociArchives memo.Table[string, ociPull]
}

type indexResult struct {
	index *repo.IndexFile
	err   error
}

// fetchTimeout bounds each request: a repository that does not answer
// must not hold the run.
const fetchTimeout = 30 * time.Second

// NewRemoteCharts fetches into the cache directory dir ("" for none).
func NewRemoteCharts(dir string) *RemoteCharts {
	return &RemoteCharts{dir: dir, getters: getter.Getters(getter.WithTimeout(fetchTimeout))}
}

// Resolution is what a chart of a Helm or OCI repository resolved to in
// a run: a range such as ">=1.0.0 <2" may name a newer version on a later
// run, and a tag another digest. A result computed from the chart holds
// only while Resolve gives the same Resolved.
type Resolution struct {
	RepoURL    string `json:"repo"`
	Name       string `json:"name"`
	Constraint string `json:"constraint,omitempty"`
	// Resolved is the version and the digest the index gives for it, or
	// the OCI manifest digest.
	Resolved string `json:"resolved"`
}

// Resolve says what the chart name that constraint allows in the
// repository at repoURL is now (Resolution.Resolved), asking the index or
// the registry, not downloading the chart. Within a run the answer is the
// one Find used.
func (r *RemoteCharts) Resolve(repoURL, name, constraint string) (string, error) {
	repoURL, oci, err := remoteURL(repoURL)
	if err != nil {
		return "", err
	}
	if oci {
		_, digest, err := r.ociResolve(repoURL, name, constraint)
		return digest, err
	}
	cv, _, err := r.indexEntry(repoURL, name, constraint)
	if err != nil {
		return "", err
	}
	return cv.Version + "@" + cv.Digest, nil
}

// remoteURL is a repository URL as Find takes it: Argo CD names an OCI
// Helm repository without a scheme. oci says it is a registry's.
func remoteURL(repoURL string) (string, bool, error) {
	if repoURL != "" && !strings.Contains(repoURL, "://") {
		repoURL = "oci://" + repoURL
	}
	u, err := url.Parse(repoURL)
	if err == nil && u.Scheme == "oci" {
		return repoURL, true, nil
	}
	if repoURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", false, fmt.Errorf("--allow-remote fetches charts from http(s) Helm repositories and oci:// registries only, not %q", repoURL)
	}
	return repoURL, false, nil
}

// indexEntry is the index entry of the highest version of chart name the
// constraint allows in the Helm repository at repoURL, and its archive's
// URL.
func (r *RemoteCharts) indexEntry(repoURL, name, constraint string) (*repo.ChartVersion, string, error) {
	idx := r.indexes.Get(repoURL, func() indexResult { return r.fetchIndex(repoURL) })
	if idx.err != nil {
		return nil, "", idx.err
	}
	var versions []string
	for _, cv := range idx.index.Entries[name] {
		versions = append(versions, cv.Version)
	}
	i, err := bestVersion(constraint, versions)
	if err != nil {
		return nil, "", fmt.Errorf("%s: chart %s: %w", repoURL, name, err)
	}
	cv := idx.index.Entries[name][i]
	if len(cv.URLs) == 0 {
		return nil, "", fmt.Errorf("%s: chart %s %s has no URL in the index", repoURL, name, cv.Version)
	}
	chartURL, err := repo.ResolveReferenceURL(repoURL, cv.URLs[0])
	return cv, chartURL, err
}

// Find fetches the chart name of the highest version the constraint
// allows from the Helm repository at repoURL.
// The chart says what it resolved to (Chart.Remote).
func (r *RemoteCharts) Find(repoURL, name, constraint string) (*Chart, error) {
	ch, resolved, err := r.find(repoURL, name, constraint)
	if err != nil {
		return nil, err
	}
	ch.Remote = &Resolution{RepoURL: repoURL, Name: name, Constraint: constraint, Resolved: resolved}
	return ch, nil
}

// find is Find, and what the chart resolved to.
func (r *RemoteCharts) find(repoURL, name, constraint string) (*Chart, string, error) {
	repoURL, oci, err := remoteURL(repoURL)
	if err != nil {
		return nil, "", err
	}
	if oci {
		return r.findOCI(repoURL, name, constraint)
	}
	cv, chartURL, err := r.indexEntry(repoURL, name, constraint)
	if err != nil {
		return nil, "", err
	}
	data, err := r.archive(repoURL, chartURL, cv.Digest)
	if err != nil {
		return nil, "", err
	}
	ch, err := loadArchive(name+"-"+cv.Version+".tgz", data)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", chartURL, err)
	}
	if ch.Name != name || ch.Version != cv.Version {
		return nil, "", fmt.Errorf("%s holds chart %s %s, not %s %s as the index says", chartURL, ch.Name, ch.Version, name, cv.Version)
	}
	return ch, cv.Version + "@" + cv.Digest, nil
}

// fetchIndex downloads and parses a repository's index.yaml.
func (r *RemoteCharts) fetchIndex(repoURL string) indexResult {
	tmp, err := os.MkdirTemp("", "gitops-lint-index-")
	if err != nil {
		return indexResult{err: err}
	}
	defer os.RemoveAll(tmp)
	cr, err := repo.NewChartRepository(&repo.Entry{Name: "index", URL: repoURL}, r.getters)
	if err != nil {
		return indexResult{err: err}
	}
	cr.CachePath = tmp // the index is asked for again each run: it is what says which archive is current
	f, err := cr.DownloadIndexFile()
	if err != nil {
		return indexResult{err: fmt.Errorf("%s: %w", repoURL, err)}
	}
	idx, err := repo.LoadIndexFile(f)
	if err != nil {
		return indexResult{err: fmt.Errorf("%s: %w", repoURL, err)}
	}
	return indexResult{index: idx}
}

// archive returns the chart archive at chartURL: the cached copy when its
// digest is the index's, else a download, which must have that digest
// when the index gives one.
func (r *RemoteCharts) archive(repoURL, chartURL, digest string) ([]byte, error) {
	sum := sha256.Sum256([]byte(chartURL))
	cached := ""
	if r.dir != "" {
		cached = filepath.Join(r.dir, hex.EncodeToString(sum[:])+".tgz")
		if data, err := os.ReadFile(cached); err == nil && digest != "" && sha256Hex(data) == digest {
			return data, nil
		}
	}
	u, err := url.Parse(chartURL)
	if err != nil {
		return nil, err
	}
	g, err := r.getters.ByScheme(u.Scheme)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", chartURL, err)
	}
	buf, err := g.Get(chartURL, getter.WithURL(repoURL))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", chartURL, err)
	}
	data := buf.Bytes()
	if digest != "" && sha256Hex(data) != digest {
		return nil, fmt.Errorf("%s: its sha256 is not the digest the index gives; refused", chartURL)
	}
	if cached != "" && digest != "" {
		// Kept only when it can be verified next time.
		_ = writeAtomic(cached, data) // a cache that cannot be written only costs a download
	}
	return data, nil
}

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// writeAtomic writes a file through a temporary one beside it, so that a
// concurrent reader never sees half an archive.
func writeAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".fetch-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// loadArchive makes a chart of a packed chart that is not the
// repository's.
func loadArchive(name string, data []byte) (*Chart, error) {
	ch := &Chart{Dir: name, archive: bytes.Clone(data), External: true}
	c, err := ch.load()
	if err != nil {
		return nil, err
	}
	ch.Name, ch.Version, ch.schema = c.Metadata.Name, c.Metadata.Version, c
	return ch, nil
}
