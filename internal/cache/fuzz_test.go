package cache

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzEntry writes arbitrary bytes where a cache entry is and reads it
// back: the decoder must never panic, and it may only return a result
// that is JSON, for the key and target asked, whose inputs all still hash
// as recorded.
func FuzzEntry(f *testing.F) {
	dir := f.TempDir()
	c, err := Open(dir, f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	if err := c.Put("key", "apps/web", []Input{{File: "apps/web/kustomization.yaml", Hash: "h1"}}, map[string]any{"findings": []any{}}); err != nil {
		f.Fatal(err)
	}
	var entry string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			entry = p
		}
		return nil
	})
	if entry == "" {
		f.Fatal("Put wrote no entry")
	}
	good, err := os.ReadFile(entry)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add([]byte(`{"version":1,"key":"key","target":"apps/web","inputs":[{"file":"../../etc/passwd","hash":""}],"result":{}}`))
	f.Add([]byte(`{"version":1,"key":"key","target":"apps/web","inputs":null,"result":null}`))
	hashes := map[string]string{"apps/web/kustomization.yaml": "h1"}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(entry, data, 0o600); err != nil {
			t.Fatal(err)
		}
		res, ok := c.Get("key", "apps/web", func(file string) string { return hashes[file] })
		if !ok {
			return
		}
		if !json.Valid(res) {
			t.Fatalf("a result that is not JSON: %q", res)
		}
		var e Entry
		if json.Unmarshal(data, &e) != nil || e.Key != "key" || e.Target != "apps/web" {
			t.Fatalf("an entry for another key or target was accepted: %q", data)
		}
	})
}
