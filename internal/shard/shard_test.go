package shard

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Spec
		wantErr bool
	}{
		{name: "first of four", in: "1/4", want: Spec{Index: 1, Count: 4}},
		{name: "whole", in: "1/1", want: Spec{Index: 1, Count: 1}},
		{name: "zero index", in: "0/4", wantErr: true},
		{name: "index beyond count", in: "5/4", wantErr: true},
		{name: "no slash", in: "2", wantErr: true},
		{name: "not numbers", in: "a/b", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestSelectPartitions: for every N the shards are disjoint, cover every
// item, weigh nearly the same, and do not depend on the items' order.
func TestSelectPartitions(t *testing.T) {
	var names []string
	var weights []int
	for i := range 200 {
		names = append(names, fmt.Sprintf("apps/app-%03d/overlays/prod", i))
		weights = append(weights, 1+(i*37)%23)
	}
	reversed := slices.Clone(names)
	slices.Reverse(reversed)
	reversedWeights := slices.Clone(weights)
	slices.Reverse(reversedWeights)
	for _, n := range []int{1, 2, 3, 7} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			seen := map[int]int{}
			var loads []int
			for i := 1; i <= n; i++ {
				got := Select(names, weights, Spec{Index: i, Count: n})
				load := 0
				for _, j := range got {
					seen[j]++
					load += weights[j]
				}
				loads = append(loads, load)
				var byName, again []string
				for _, j := range got {
					byName = append(byName, names[j])
				}
				for _, j := range Select(reversed, reversedWeights, Spec{Index: i, Count: n}) {
					again = append(again, reversed[j])
				}
				slices.Sort(again)
				if diff := cmp.Diff(byName, again); diff != "" {
					t.Errorf("shard %d/%d depends on the order of the items (-forward +reversed):\n%s", i, n, diff)
				}
			}
			if len(seen) != len(names) {
				t.Errorf("%d of %d items in a shard", len(seen), len(names))
			}
			for j, c := range seen {
				if c != 1 {
					t.Errorf("item %d in %d shards", j, c)
				}
			}
			if spread := slices.Max(loads) - slices.Min(loads); spread > slices.Max(weights) {
				t.Errorf("loads %v differ by %d, more than the heaviest item", loads, spread)
			}
		})
	}
}
