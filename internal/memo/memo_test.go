package memo

import (
	"sync"
	"sync/atomic"
	"testing"
)

func TestGetComputesOncePerKey(t *testing.T) {
	var tbl Table[string, int]
	var calls atomic.Int32
	var wg sync.WaitGroup
	got := make([]int, 50)
	for i := range got {
		wg.Go(func() {
			key := []string{"a", "b"}[i%2]
			got[i] = tbl.Get(key, func() int { calls.Add(1); return len(key) + i%2 })
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 2 {
		t.Errorf("compute ran %d times, want 2 (once per key)", n)
	}
	for i, v := range got {
		if want := 1 + i%2; v != want {
			t.Errorf("got[%d] = %d, want %d", i, v, want)
		}
	}
}

func TestForgetComputesAgain(t *testing.T) {
	var tbl Table[string, int]
	calls := 0
	compute := func() int { calls++; return calls }
	tests := []struct {
		name   string
		forget bool
		want   int
	}{
		{name: "first Get computes", want: 1},
		{name: "second Get remembers", want: 1},
		{name: "Get after Forget computes again", forget: true, want: 2},
		{name: "and remembers that", want: 2},
	}
	for _, tt := range tests {
		if tt.forget {
			tbl.Forget("a")
			if tbl.Has("a") {
				t.Errorf("%s: Has after Forget", tt.name)
			}
		}
		if got := tbl.Get("a", compute); got != tt.want {
			t.Errorf("%s: Get = %d, want %d", tt.name, got, tt.want)
		}
		if !tbl.Has("a") {
			t.Errorf("%s: Has after Get = false", tt.name)
		}
	}
	tbl.Forget("never asked") // forgetting an unknown key is no error
}
