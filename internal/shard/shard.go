// Package shard cuts a run's deploy targets into N shards that CI jobs
// check one each (check --shard I/N). The cut is a pure function of the
// targets and their weights: every job computes the same shards without
// talking to the others, and the same repository gives the same shards
// run after run.
package shard

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Spec is one shard of N, 1-based: {Index: 2, Count: 4} is the second of
// four. The zero Spec is the whole run.
type Spec struct {
	Index, Count int
}

// Parse reads "I/N" with 1 <= I <= N.
func Parse(s string) (Spec, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || index < 1 || index > count {
		return Spec{}, fmt.Errorf("%q is not I/N with 1 <= I <= N (for example 2/4)", s)
	}
	return Spec{Index: index, Count: count}, nil
}

// Whole reports whether the spec is the whole run.
func (s Spec) Whole() bool { return s.Count <= 1 }

// First reports whether the shard is the first (or the whole run), the one
// that reports what belongs to no target.
func (s Spec) First() bool { return s.Whole() || s.Index == 1 }

// String is "I/N".
func (s Spec) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Select returns, in their order, the indexes of the items that fall in
// the shard. Items are keyed by name (target paths: unique) and weighted
// by the work they cost (the size of their read set). The heaviest item
// goes first to the lightest shard, ties broken by name and then by the
// lower shard, so shards carry nearly equal weight and the cut depends
// only on the names and weights, never on their order.
func Select(names []string, weights []int, s Spec) []int {
	if s.Whole() {
		out := make([]int, len(names))
		for i := range out {
			out[i] = i
		}
		return out
	}
	order := make([]int, len(names))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(weights[b], weights[a]), strings.Compare(names[a], names[b]))
	})
	load := make([]int, s.Count)
	var out []int
	for _, i := range order {
		lightest := 0
		for k := range load {
			if load[k] < load[lightest] {
				lightest = k
			}
		}
		load[lightest] += max(weights[i], 1)
		if lightest == s.Index-1 {
			out = append(out, i)
		}
	}
	slices.Sort(out)
	return out
}
