// Package memo computes a value once per key, however many goroutines ask
// for it at the same time: each source file decoded once, each schema
// compiled once, each policy query prepared once.
package memo

import "sync"

// Table maps keys to values computed on first request. The zero value is
// ready to use; a Table must not be copied after first use.
type Table[K comparable, V any] struct {
	m sync.Map // K -> *entry[V]
}

type entry[V any] struct {
	once sync.Once
	v    V
}

// Get returns the value of k, calling compute to produce it if no call has
// yet. Concurrent callers for the same key wait for the one computation;
// compute runs in the goroutine of the first caller.
func (t *Table[K, V]) Get(k K, compute func() V) V {
	e, ok := t.m.Load(k)
	if !ok {
		e, _ = t.m.LoadOrStore(k, &entry[V]{})
	}
	en := e.(*entry[V])
	en.once.Do(func() { en.v = compute() })
	return en.v
}

// Forget drops the value of k, so that the next Get computes it again: a
// run lets go of what it decoded for the targets it has finished. A Get
// of k running at the same time returns either value.
func (t *Table[K, V]) Forget(k K) {
	t.m.Delete(k)
}

// Has reports whether the value of k is remembered: asked for and not
// forgotten since.
func (t *Table[K, V]) Has(k K) bool {
	_, ok := t.m.Load(k)
	return ok
}
