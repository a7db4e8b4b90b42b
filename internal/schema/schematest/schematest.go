// Package schematest shares prepared schema validators between the runs
// of a test binary. Decoding the embedded schemas of a Kubernetes version
// and the GitOps CRDs, and compiling the schemas a check uses, was most
// of the CPU of a check of a small repository, and the tests check small
// repositories hundreds of times against the same few versions; a Memo
// prepares each once. Benchmarks must not use it: they measure what a
// real run pays.
package schematest

import (
	"os"
	"sync"

	"github.com/gitops-lint/gitops-lint/internal/schema"
)

// Memo is a schema loader (the shape of engine.SchemaLoader) that reuses
// the Validator prepared for the same options: a Validator is safe for
// concurrent use and a run never changes it. Runs with schema locations
// get a new one, because tests write the files those name. The zero
// value is ready to use.
type Memo struct {
	mu         sync.Mutex
	validators map[key]*entry
}

// key is what a Validator without locations depends on.
type key struct {
	version, cacheDir string
	allowNetwork      bool
}

type entry struct {
	once sync.Once
	v    *schema.Validator
	err  error
}

// Load prepares a Validator for o, or returns the one already prepared
// for the same options.
func (m *Memo) Load(o schema.Options) (*schema.Validator, error) {
	if len(o.Locations) > 0 {
		return schema.New(o)
	}
	e := m.entry(o)
	e.once.Do(func() { e.v, e.err = schema.New(o) })
	return e.v, e.err
}

// entry returns o's entry. Tests give each its own schema directory,
// removed when it ends: the entries of directories that are gone are
// dropped, so that a test binary keeps only the validators of the tests
// still running (each holds a decoded version of the schemas), and a
// Validator never writes a schema where its directory was. The default
// directory ("": the user cache directory, a temporary one the cmd
// tests' TestMain sets for the whole binary) stays.
func (m *Memo) entry(o schema.Options) *entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.validators == nil {
		m.validators = map[key]*entry{}
	}
	for k := range m.validators {
		if _, err := os.Stat(k.cacheDir); err != nil && k.cacheDir != "" {
			delete(m.validators, k)
		}
	}
	k := key{version: o.KubernetesVersion, cacheDir: o.CacheDir, allowNetwork: o.AllowNetwork}
	e, ok := m.validators[k]
	if !ok {
		e = &entry{}
		m.validators[k] = e
	}
	return e
}
