package rego

import (
	"context"
	"errors"
	"runtime"
	"runtime/metrics"
	"time"
)

// DefaultMemoryBudget is the default of Options.MemoryBudget. The whole
// library allocates kilobytes on a target; this much heap is only reached
// by a policy that builds something enormous (numbers.range over
// billions, a comprehension over its own output). With the collector's
// headroom, a run stopped by it stays under half a gigabyte.
const DefaultMemoryBudget = 128 << 20

// errMemoryBudget is the cause of an evaluation stopped by its memory
// budget.
var errMemoryBudget = errors.New("policy memory budget exceeded")

// heapSample is how often a running evaluation's heap is looked at: a
// policy that allocates as fast as Go can reaches a few hundred megabytes
// in this time, well under what the budget guards against.
const heapSample = 5 * time.Millisecond

// heapMetric is the bytes of heap objects, reachable or not yet swept:
// it moves as an evaluation allocates, where the live heap waits for a
// collection.
const heapMetric = "/memory/classes/heap/objects:bytes"

// withMemoryBudget returns a context cancelled with errMemoryBudget when
// the Go heap grows by more than budget bytes of live memory while it is
// in use. OPA has no allocation limit of its own, but its evaluator and
// builtins stop at the next step once their context is done. The heap is
// the process's: other work running meanwhile counts too, which the
// budget's size makes harmless for the milliseconds a target's policies
// take.
func withMemoryBudget(ctx context.Context, budget uint64) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	if budget == 0 {
		return ctx, func() { cancel(nil) }
	}
	done := make(chan struct{})
	sample := []metrics.Sample{{Name: heapMetric}}
	metrics.Read(sample)
	limit := sample[0].Value.Uint64() + budget
	go func() {
		t := time.NewTicker(heapSample)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				metrics.Read(sample)
				if sample[0].Value.Uint64() <= limit {
					continue
				}
				// Garbage counts until it is swept, and other work
				// of the run makes plenty: only live memory over
				// the budget stops the evaluation.
				runtime.GC()
				metrics.Read(sample)
				if sample[0].Value.Uint64() > limit {
					cancel(errMemoryBudget)
					return
				}
			}
		}
	}()
	return ctx, func() {
		close(done)
		cancel(nil)
	}
}
