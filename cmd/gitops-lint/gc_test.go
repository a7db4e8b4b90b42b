package main

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestCollectLessOnceLarge(t *testing.T) {
	tests := []struct {
		name        string
		allocated   uint64
		wantWatch   bool
		wantPercent int
	}{
		{name: "a small run collects as Go does by default", allocated: largeRun - 1, wantWatch: true, wantPercent: 100},
		{name: "a large run collects four times less often", allocated: largeRun, wantWatch: false, wantPercent: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := debug.SetGCPercent(100)
			defer debug.SetGCPercent(old)
			if got := collectLessOnceLarge(tt.allocated); got != tt.wantWatch {
				t.Errorf("keeps watching = %v, want %v", got, tt.wantWatch)
			}
			if got := debug.SetGCPercent(100); got != tt.wantPercent {
				t.Errorf("GOGC = %d, want %d", got, tt.wantPercent)
			}
		})
	}
}

// afterCollection hears of every collection until its function says
// stop, and of none after.
func TestAfterCollection(t *testing.T) {
	heard := make(chan uint64, 16)
	left := 3
	afterCollection(func(allocated uint64) bool {
		heard <- allocated
		left--
		return left > 0
	})
	for i := range 3 {
		runtime.GC()
		select {
		case allocated := <-heard:
			if allocated == 0 {
				t.Errorf("collection %d: nothing allocated", i+1)
			}
		case <-time.After(time.Minute):
			t.Fatalf("collection %d was not heard of", i+1)
		}
	}
	runtime.GC()
	runtime.GC()
	select {
	case <-heard:
		t.Error("heard of a collection after the function said stop")
	case <-time.After(200 * time.Millisecond):
	}
}
