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
	if err := EncodeGzipJSON(w, b); err != nil {
		return fmt.Errorf("encode bundle: %w", err)
	}
	return nil
}

// Decode reads a bundle written by Encode.
func Decode(r io.Reader) (*Bundle, error) {
	var b Bundle
	if err := DecodeGzipJSON(r, &b); err != nil {
		return nil, fmt.Errorf("decode bundle: %w", err)
	}
	return &b, nil
}

// EncodeGzipJSON writes v as gzip-compressed JSON whose bytes depend only
// on v: map keys are sorted, the gzip header has no name or timestamp.
// Every embedded bundle is written this way so that regenerating an
// unchanged one yields identical bytes.
func EncodeGzipJSON(w io.Writer, v any) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(zw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return zw.Close()
}

// DecodeGzipJSON reads what EncodeGzipJSON wrote. Numbers stay json.Number
// so that minimum, maximum and the like are written back exactly as the
// source document spelled them.
func DecodeGzipJSON(r io.Reader, v any) error {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("decompress: %w", err)
	}
	defer zr.Close()
	dec := json.NewDecoder(zr)
	dec.UseNumber()
	return dec.Decode(v)
}
