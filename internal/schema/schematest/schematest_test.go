package schematest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/schema"
)

func TestMemo(t *testing.T) {
	// The default directory is the user cache directory's: this test's.
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	var m Memo
	dir, other := t.TempDir(), t.TempDir()
	load := func(o schema.Options) *schema.Validator {
		t.Helper()
		v, err := m.Load(o)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	first := load(schema.Options{CacheDir: dir})
	tests := []struct {
		name string
		opts schema.Options
		same bool
	}{
		{name: "same options", opts: schema.Options{CacheDir: dir}, same: true},
		{name: "the default directory", opts: schema.Options{}},
		{name: "another directory", opts: schema.Options{CacheDir: other}},
		{name: "another version", opts: schema.Options{CacheDir: dir, KubernetesVersion: "1.34"}},
		{name: "schema locations, whose files tests write", opts: schema.Options{CacheDir: dir, Locations: []string{filepath.Join(dir, "{{ .ResourceKind }}.json")}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := load(tt.opts); (got == first) != tt.same {
				t.Errorf("same Validator = %t, want %t", got == first, tt.same)
			}
		})
	}

	// A directory that is gone (its test ended) takes its Validator with
	// it: one made again there is a new one.
	gone := filepath.Join(t.TempDir(), "gone")
	if err := os.Mkdir(gone, 0o755); err != nil {
		t.Fatal(err)
	}
	before := load(schema.Options{CacheDir: gone})
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}
	load(schema.Options{CacheDir: dir})
	if _, kept := m.validators[key{cacheDir: gone}]; kept {
		t.Error("the Validator of a removed directory is kept")
	}
	if after := load(schema.Options{CacheDir: gone}); after == before {
		t.Error("a removed directory's Validator was reused")
	}
	// The default directory's stays.
	if def := load(schema.Options{}); load(schema.Options{CacheDir: dir}) == nil || load(schema.Options{}) != def {
		t.Error("the default directory's Validator was not reused")
	}
}
