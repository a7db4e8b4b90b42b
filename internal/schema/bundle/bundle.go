// Package bundle is the compact, embeddable form of one Kubernetes version's
// OpenAPI definitions: each converted definition is stored once, and the
// standalone schema kubeconform wants for a kind is assembled on demand.
// Storing hundreds of standalone files instead would repeat ObjectMeta,
// PodSpec and friends in every one of them and multiply the binary's size.
package bundle

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
)

// Kind is one apiVersion/kind the version serves, with the definition that
// describes it.
type Kind struct {
	Group      string `json:"group"`
	Version    string `json:"version"`
	Kind       string `json:"kind"`
	Definition string `json:"definition"`
}

// APIVersion returns the apiVersion written in manifests: "v1" for the core
// group, "group/version" otherwise.
func (k Kind) APIVersion() string {
	if k.Group == "" {
		return k.Version
	}
	return k.Group + "/" + k.Version
}

// Bundle holds the converted definitions of one Kubernetes version. Its
// values are never modified after Decode or Convert, so one Bundle may be
// read by many goroutines.
type Bundle struct {
	// KubernetesVersion is the release the definitions come from, without "v".
	KubernetesVersion string `json:"kubernetesVersion"`
	// Kinds lists every served apiVersion/kind, sorted by group, version, kind.
	Kinds []Kind `json:"kinds"`
	// Recursive names the definitions that reach themselves through $refs;
	// they are referenced, not inlined, in standalone schemas.
	Recursive []string `json:"recursive,omitempty"`
	// Definitions maps a definition name to its converted JSON schema, in
	// which $ref holds the bare name of another definition.
	Definitions map[string]map[string]any `json:"definitions"`
}

// Encode writes the bundle as gzip-compressed JSON. The output depends only
// on the bundle (sorted keys, no gzip name or timestamp), so regenerating an
// unchanged version yields identical bytes.
func (b *Bundle) Encode(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(b); err != nil {
		return fmt.Errorf("encode bundle: %w", err)
	}
	return zw.Close()
}

// Decode reads a bundle written by Encode.
func Decode(r io.Reader) (*Bundle, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("decompress bundle: %w", err)
	}
	defer zr.Close()
	dec := json.NewDecoder(zr)
	// Numbers stay json.Number so that minimum/maximum and the like are
	// written back exactly as the OpenAPI document spelled them.
	dec.UseNumber()
	var b Bundle
	if err := dec.Decode(&b); err != nil {
		return nil, fmt.Errorf("decode bundle: %w", err)
	}
	return &b, nil
}
