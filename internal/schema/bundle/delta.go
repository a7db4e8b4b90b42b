package bundle

import (
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
)

// Delta is a Kubernetes version's bundle written as its difference from
// another version's (the next newer minor): the definitions that the
// base lacks or defines differently, and the names of those it has and
// this version does not. Consecutive minors share nearly every
// definition, so every accepted minor can be embedded for little more
// than one bundle's size.
type Delta struct {
	// KubernetesVersion is the release the definitions come from.
	KubernetesVersion string `json:"kubernetesVersion"`
	// Base is the release whose bundle the delta applies to.
	Base string `json:"base"`
	// Kinds is the whole list of the version's kinds: it is small, and a
	// kind's definition name moves between minors.
	Kinds     []Kind   `json:"kinds"`
	Recursive []string `json:"recursive,omitempty"`
	// Definitions are those added or changed relative to Base.
	Definitions map[string]map[string]any `json:"definitions"`
	// Removed names the definitions of Base this version does not have.
	Removed []string `json:"removed,omitempty"`
}

// Diff returns b as a delta from base.
func Diff(base, b *Bundle) *Delta {
	d := &Delta{
		KubernetesVersion: b.KubernetesVersion,
		Base:              base.KubernetesVersion,
		Kinds:             b.Kinds,
		Recursive:         b.Recursive,
		Definitions:       map[string]map[string]any{},
	}
	for name, def := range b.Definitions {
		if old, ok := base.Definitions[name]; !ok || !reflect.DeepEqual(old, def) {
			d.Definitions[name] = def
		}
	}
	for name := range base.Definitions {
		if _, ok := b.Definitions[name]; !ok {
			d.Removed = append(d.Removed, name)
		}
	}
	slices.Sort(d.Removed)
	return d
}

// Apply rebuilds the version's bundle from its base's, which it does not
// modify.
func (d *Delta) Apply(base *Bundle) (*Bundle, error) {
	if base.KubernetesVersion != d.Base {
		return nil, fmt.Errorf("delta of %s applies to %s, not %s", d.KubernetesVersion, d.Base, base.KubernetesVersion)
	}
	defs := maps.Clone(base.Definitions)
	for _, name := range d.Removed {
		delete(defs, name)
	}
	maps.Copy(defs, d.Definitions)
	return &Bundle{KubernetesVersion: d.KubernetesVersion, Kinds: d.Kinds, Recursive: d.Recursive, Definitions: defs}, nil
}

// Encode writes the delta as EncodeGzipJSON does.
func (d *Delta) Encode(w io.Writer) error {
	if err := EncodeGzipJSON(w, d); err != nil {
		return fmt.Errorf("encode delta: %w", err)
	}
	return nil
}

// DecodeDelta reads a delta written by Encode.
func DecodeDelta(r io.Reader) (*Delta, error) {
	var d Delta
	if err := DecodeGzipJSON(r, &d); err != nil {
		return nil, fmt.Errorf("decode delta: %w", err)
	}
	return &d, nil
}
