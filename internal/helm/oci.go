package helm

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v4/pkg/registry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// ociResult is a registry client built once per run and transport kind.
type ociResult struct {
	client *registry.Client
	err    error
}

// ociPull is a manifest digest a reference and version resolved to, or
// the chart archive of a manifest digest, once per run.
type ociPull struct {
	digest string
	data   []byte
	err    error
}

// findOCI pulls the chart name from the OCI registry repository repoURL
// (oci://host/path, the chart's repository without its name) with Helm's
// registry client. version is a digest (sha256:...), an exact tag, or a
// semver range resolved against the repository's tags; in "tag@digest"
// the digest decides. The archive is
// cached under its manifest digest beside that manifest, and used again
// only when the manifest still has that digest and names the archive's
// digest as its chart layer.
func (r *RemoteCharts) findOCI(repoURL, name, version string) (*Chart, string, error) {
	c, digest, err := r.ociResolve(repoURL, name, version)
	if err != nil {
		return nil, "", err
	}
	ref := ociRef(repoURL, name)
	pulled := r.ociArchives.Get(ref+"@"+digest, func() ociPull {
		data, err := r.ociArchive(c, ref, digest)
		return ociPull{data: data, err: err}
	})
	if pulled.err != nil {
		return nil, "", fmt.Errorf("oci://%s@%s: %w", ref, digest, pulled.err)
	}
	ch, err := loadArchive(name+".tgz", pulled.data)
	if err != nil {
		return nil, "", fmt.Errorf("oci://%s@%s: %w", ref, digest, err)
	}
	if ch.Name != name {
		return nil, "", fmt.Errorf("oci://%s@%s holds chart %s, not %s", ref, digest, ch.Name, name)
	}
	return ch, digest, nil
}

// ociRef is the reference of chart name in the registry repository
// repoURL, without the scheme.
func ociRef(repoURL, name string) string {
	return strings.TrimSuffix(strings.TrimPrefix(repoURL, "oci://"), "/") + "/" + name
}

// ociResolve resolves version of the chart name in the registry
// repository repoURL to a manifest digest, with the client that asked.
func (r *RemoteCharts) ociResolve(repoURL, name, version string) (*registry.Client, string, error) {
	ref := ociRef(repoURL, name)
	host, _, _ := strings.Cut(ref, "/")
	c, err := r.ociClient(host)
	if err != nil {
		return nil, "", err
	}
	// Releases of one chart share the tag lookup and the pull.
	res := r.ociDigests.Get(ref+"\x00"+version, func() ociPull { return ociDigest(c, ref, version) })
	return c, res.digest, res.err
}

// ociDigest resolves version (a digest, a tag or a semver range) to the
// manifest digest of ref it names.
func ociDigest(c *registry.Client, ref, version string) ociPull {
	if _, digest, ok := strings.Cut(version, "@"); ok {
		version = digest // the pin wins over the tag or range
	}
	if strings.HasPrefix(version, "sha256:") {
		return ociPull{digest: version}
	}
	tag, err := ociTag(c, ref, version)
	if err != nil {
		return ociPull{err: fmt.Errorf("oci://%s: %w", ref, err)}
	}
	desc, err := c.Resolve(ref + ":" + strings.ReplaceAll(tag, "+", "_"))
	if err != nil {
		return ociPull{err: fmt.Errorf("oci://%s:%s: %w", ref, tag, err)}
	}
	return ociPull{digest: desc.Digest.String()}
}

// ociTag is the tag version names: itself when it is not a range, else
// the highest tag of the repository the range allows.
func ociTag(c *registry.Client, ref, version string) (string, error) {
	if version != "" {
		if _, err := semver.StrictNewVersion(version); err == nil {
			return version, nil
		}
		if _, err := semver.NewConstraint(version); err != nil {
			return version, nil // a tag such as "latest"
		}
	}
	tags, err := c.Tags(ref)
	if err != nil {
		return "", err
	}
	i, err := bestVersion(version, tags)
	if err != nil {
		return "", err
	}
	return tags[i], nil
}

// ociClient is an anonymous registry client. Its authorizer is our own, so
// that a pull never asks a credentials store or helper program; plain
// HTTP is used only for a registry on the loopback interface.
func (r *RemoteCharts) ociClient(host string) (*registry.Client, error) {
	plain := isLoopback(host)
	res := r.clients.Get(plain, func() ociResult {
		hc := &http.Client{Timeout: fetchTimeout}
		opts := []registry.ClientOption{
			registry.ClientOptHTTPClient(hc),
			// No Credential: anonymous. Helm's constructor still opens its
			// credentials stores, but only Login and Logout consult them.
			registry.ClientOptAuthorizer(auth.Client{Client: hc}),
		}
		if plain {
			opts = append(opts, registry.ClientOptPlainHTTP())
		}
		c, err := registry.NewClient(opts...)
		return ociResult{client: c, err: err}
	})
	return res.client, res.err
}

// isLoopback reports whether a registry host[:port] is this machine.
func isLoopback(host string) bool {
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ociArchive returns the chart layer of the manifest with the given
// digest: from the cache when its manifest and archive still verify, else
// pulled (the registry client checks every blob against its digest).
func (r *RemoteCharts) ociArchive(c *registry.Client, ref, digest string) ([]byte, error) {
	algo, hexDigest, ok := strings.Cut(digest, ":")
	if !ok || algo != "sha256" || len(hexDigest) != 64 {
		return nil, fmt.Errorf("digest %q is not a sha256 digest", digest)
	}
	base := ""
	if r.dir != "" {
		base = filepath.Join(r.dir, "oci", hexDigest)
		if data, ok := cachedOCI(base, hexDigest); ok {
			return data, nil
		}
	}
	res, err := c.Pull(ref + "@" + digest)
	if err != nil {
		return nil, err
	}
	if res.Manifest.Digest != digest || sha256Hex(res.Manifest.Data) != hexDigest {
		return nil, errors.New("the registry sent another manifest than the one asked for; refused")
	}
	if base != "" {
		// The manifest first: an archive without it is never trusted.
		if writeAtomic(base+".json", res.Manifest.Data) == nil {
			_ = writeAtomic(base+".tgz", res.Chart.Data) // a cache that cannot be written only costs a pull
		}
	}
	return res.Chart.Data, nil
}

// cachedOCI reads a cached archive when the cached manifest has the
// digest it is filed under and names the archive's sha256 as its chart
// layer.
func cachedOCI(base, hexDigest string) ([]byte, bool) {
	m, err := os.ReadFile(base + ".json")
	if err != nil || sha256Hex(m) != hexDigest {
		return nil, false
	}
	var manifest struct {
		Layers []struct {
			MediaType string `json:"mediaType"`
			Digest    string `json:"digest"`
		} `json:"layers"`
	}
	if json.Unmarshal(m, &manifest) != nil {
		return nil, false
	}
	data, err := os.ReadFile(base + ".tgz")
	if err != nil {
		return nil, false
	}
	for _, l := range manifest.Layers {
		if (l.MediaType == registry.ChartLayerMediaType || l.MediaType == registry.LegacyChartLayerMediaType) && l.Digest == "sha256:"+sha256Hex(data) {
			return data, true
		}
	}
	return nil, false
}
