// Package schema validates rendered resources against the Kubernetes JSON
// schemas embedded in the binary, through kubeconform used as a library.
//
// The schemas of each supported Kubernetes release are embedded as one
// compact bundle (see the bundle package); the standalone schema of a kind is
// written to an on-disk cache the first time that kind is validated, because
// kubeconform only reads schemas from location templates.
package schema

//go:generate go run ./gen -bundles bundle -apis ../apis/served.json

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/apis/table"
	"github.com/gitops-lint/gitops-lint/internal/schema/bundle"
)

// bundles holds bundle/v<version>.json.gz for every embedded release. It
// lives in this package, not in package bundle, so that the generator (which
// imports package bundle) builds before any bundle exists.
//
//go:embed bundle/*.json.gz
var bundles embed.FS

// Versions returns the embedded Kubernetes versions, oldest first, e.g.
// ["1.35.4", "1.36.3", "1.37.2"].
func Versions() []string {
	files, err := bundles.ReadDir("bundle")
	if err != nil {
		panic(err) // the embed pattern guarantees the directory
	}
	var vs []string
	for _, f := range files {
		name, ok := strings.CutSuffix(f.Name(), ".json.gz")
		name = strings.TrimSuffix(name, ".delta")
		if ok {
			vs = append(vs, strings.TrimPrefix(name, "v"))
		}
	}
	sort.Slice(vs, func(i, j int) bool { return lessVersion(vs[i], vs[j]) })
	return vs
}

// ResolveVersion maps a requested Kubernetes version to an embedded one:
// "" is the newest; "1.36" and "v1.36" are the embedded 1.36 release;
// "1.36.3" is itself. Any other patch of an embedded minor ("1.36.1") also
// maps to that minor's embedded release, since patch releases do not change
// the API. Anything else is an error that lists the choices.
func ResolveVersion(requested string) (string, error) {
	vs := Versions()
	if requested == "" {
		return vs[len(vs)-1], nil
	}
	if minor, want, ok := table.ParseVersion(requested); ok {
		for i := len(vs) - 1; i >= 0; i-- {
			if vs[i] == want {
				return vs[i], nil
			}
		}
		for i := len(vs) - 1; i >= 0; i-- {
			if minorOf(vs[i]) == minor {
				return vs[i], nil
			}
		}
	}
	return "", fmt.Errorf("kubernetes version %q is not embedded; choose one of %s (or a minor such as %s)",
		requested, strings.Join(vs, ", "), minorOf(vs[len(vs)-1]))
}

// NearestVersion returns the embedded version whose schemas validate
// resources meant for release (e.g. "1.20.15"): the embedded release of the
// same minor, else the oldest embedded release newer than it, else the
// newest. Schemas of a neighbouring minor are close enough for the fields
// that most manifests use; whether the release serves an apiVersion at all
// is package apis' business.
func NearestVersion(release string) string {
	vs := Versions()
	minor := minorOf(strings.TrimPrefix(release, "v"))
	for _, v := range vs {
		if minorOf(v) == minor {
			return v
		}
	}
	for _, v := range vs {
		if lessVersion(minor, minorOf(v)) {
			return v
		}
	}
	return vs[len(vs)-1]
}

func minorOf(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// lessVersion orders dotted numeric versions numerically.
func lessVersion(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, errX := strconv.Atoi(pa[i])
		y, errY := strconv.Atoi(pb[i])
		if errX != nil || errY != nil {
			if pa[i] != pb[i] {
				return pa[i] < pb[i]
			}
			continue
		}
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// loadBundle reads the embedded bundle of a resolved version: a full
// bundle, or a delta applied to its base's bundle, loaded in turn. The
// returned bytes are those of every file read, which identify the schemas.
func loadBundle(version string) (*bundle.Bundle, []byte, error) {
	if data, err := bundles.ReadFile(path.Join("bundle", "v"+version+".json.gz")); err == nil {
		b, err := bundle.Decode(bytes.NewReader(data))
		return b, data, err
	}
	data, err := bundles.ReadFile(path.Join("bundle", "v"+version+".delta.json.gz"))
	if err != nil {
		return nil, nil, err
	}
	d, err := bundle.DecodeDelta(bytes.NewReader(data))
	if err != nil {
		return nil, nil, err
	}
	if d.Base == version {
		return nil, nil, fmt.Errorf("delta of %s applies to itself", version)
	}
	base, baseData, err := loadBundle(d.Base)
	if err != nil {
		return nil, nil, fmt.Errorf("base %s: %w", d.Base, err)
	}
	b, err := d.Apply(base)
	return b, append(data, baseData...), err
}
