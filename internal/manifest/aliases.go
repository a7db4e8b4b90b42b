package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// MaxAliasExpansion bounds how many nodes alias expansion may add to one
// YAML file. Parsing a file into nodes is linear in its size, but every
// decoder that builds values from them (ours, kustomize's kyaml, OPA's
// loader) copies an alias's target each time it is used, so nine lines of
// nested aliases ("billion laughs") expand to a billion nodes. Real
// manifests use a handful of small anchors; a file over this budget is
// refused before anything expands it.
const MaxAliasExpansion = 100_000

// MaxFileSize is the largest repository file gitops-lint reads at all
// (the credential scan stops earlier). Manifests, even bundles of CRDs,
// are a few MiB; a file past this is generated data, and decoding it
// costs seconds and gigabytes for nothing a person edits by hand. Every
// reader skips it: discovery lists it with one file-too-large finding
// and leaves it out of the files the run reads, and the render sandbox
// refuses it.
const MaxFileSize = 16 << 20

// ErrAliasExpansion is the cause of the SyntaxError for a file whose
// aliases expand beyond MaxAliasExpansion.
var ErrAliasExpansion = errors.New("alias expansion over budget")

// CheckAliases refuses YAML whose aliases would expand to more than
// MaxAliasExpansion nodes, with a *SyntaxError at the alias that crosses
// the budget. It is the one guard every reader of YAML calls before a
// decoder expands aliases; data that is not YAML, or fails to parse, is
// left to the caller's decoder to report.
func CheckAliases(file string, data []byte) error {
	// Every alias is written with '*' after an anchor written with '&':
	// most files have neither and cost one scan.
	if !bytes.Contains(data, []byte("&")) || !bytes.Contains(data, []byte("*")) {
		return nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var g AliasGuard
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) || err != nil {
			return nil
		}
		if err := g.Check(file, &n); err != nil {
			return err
		}
	}
}

// AliasGuard counts alias expansion over the documents of one file, for
// callers that already hold the decoded nodes. The zero value is ready.
type AliasGuard struct {
	size     map[*yaml.Node]int
	expanded int
}

// Check adds the expansion of the aliases written in n and returns a
// *SyntaxError at the first alias that takes the file over
// MaxAliasExpansion.
func (g *AliasGuard) Check(file string, n *yaml.Node) error {
	if g.size == nil {
		g.size = map[*yaml.Node]int{}
	}
	var walk func(*yaml.Node) error
	walk = func(n *yaml.Node) error {
		if n == nil {
			return nil
		}
		if n.Kind == yaml.AliasNode {
			// Each alias written in the file copies its target's whole
			// expanded tree once: the sum over written aliases is exactly
			// what a decoder adds.
			g.expanded += g.sizeOf(n.Alias)
			if g.expanded > MaxAliasExpansion {
				return &SyntaxError{
					Origin: Origin{File: file, Line: n.Line, Col: n.Column},
					Msg:    fmt.Sprintf("aliases expand to more than %d nodes (an alias bomb?); the file is not decoded", MaxAliasExpansion),
					Err:    ErrAliasExpansion,
				}
			}
			return nil
		}
		for _, c := range n.Content {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(n)
}

// sizeOf is the number of nodes n expands to, memoised so that it is
// linear in the number of nodes written; it saturates above the budget.
// An alias to one of its own ancestors expands without end: it counts as
// over the budget.
func (g *AliasGuard) sizeOf(n *yaml.Node) int {
	if n == nil {
		return 1
	}
	if s, ok := g.size[n]; ok {
		return s
	}
	const over = MaxAliasExpansion + 1
	g.size[n] = over // until it is known: a cycle back to n is infinite
	if n.Kind == yaml.AliasNode {
		s := g.sizeOf(n.Alias)
		g.size[n] = s
		return s
	}
	s := 1
	for _, c := range n.Content {
		if s += g.sizeOf(c); s > MaxAliasExpansion {
			s = over
			break
		}
	}
	g.size[n] = s
	return s
}
