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
