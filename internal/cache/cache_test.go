package cache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestGetPut(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string]string{"a.yaml": "h1", "b.env": "h2"}
	hash := func(f string) string { return hashes[f] }
	inputs := []Input{{File: "b.env", Hash: "h2"}, {File: "a.yaml", Hash: "h1"}, {File: "gone.yaml", Hash: ""}}
	if err := c.Put("k", "apps/x", inputs, map[string]int{"n": 3}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		key    string
		target string
		change func()
		hit    bool
	}{
		{name: "unchanged", key: "k", target: "apps/x", hit: true},
		{name: "other key", key: "k2", target: "apps/x"},
		{name: "other target", key: "k", target: "apps/y"},
		{name: "an input changed", key: "k", target: "apps/x", change: func() { hashes["b.env"] = "h3" }},
		{name: "a missing input appeared", key: "k", target: "apps/x", change: func() { hashes["b.env"] = "h2"; hashes["gone.yaml"] = "h4" }},
		{name: "back as recorded", key: "k", target: "apps/x", change: func() { delete(hashes, "gone.yaml") }, hit: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.change != nil {
				tc.change()
			}
			raw, hit := c.Get(tc.key, tc.target, hash)
			if hit != tc.hit {
				t.Fatalf("hit = %v, want %v", hit, tc.hit)
			}
			if hit {
				var got map[string]int
				if err := json.Unmarshal(raw, &got); err != nil || got["n"] != 3 {
					t.Errorf("result %s, %v", raw, err)
				}
			}
		})
	}
}

func TestCorruptEntryIsIgnored(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Put("k", "t", nil, 1); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"", "{", `{"version":1,"key":"k","target":"t"}`, `{"version":99,"key":"k","target":"t","result":1}`} {
		if err := os.WriteFile(c.path("k", "t"), []byte(bad), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, hit := c.Get("k", "t", func(string) string { return "" }); hit {
			t.Errorf("entry %q trusted", bad)
		}
	}
}

func TestNilCacheCachesNothing(t *testing.T) {
	var c *Cache
	if err := c.Put("k", "t", nil, 1); err != nil {
		t.Fatal(err)
	}
	if _, hit := c.Get("k", "t", nil); hit {
		t.Error("nil cache hit")
	}
}

func TestPruneRemovesLeastRecentlyUsed(t *testing.T) {
	c, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	for i, target := range []string{"a", "b", "c"} {
		if err := c.Put("k", target, nil, target); err != nil {
			t.Fatal(err)
		}
		at := old.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(c.path("k", target), at, at); err != nil {
			t.Fatal(err)
		}
	}
	info, err := os.Stat(c.path("k", "a"))
	if err != nil {
		t.Fatal(err)
	}
	c.MaxBytes = 2 * info.Size()
	if err := c.Prune(); err != nil {
		t.Fatal(err)
	}
	for target, want := range map[string]bool{"a": false, "b": true, "c": true} {
		if _, err := os.Stat(c.path("k", target)); (err == nil) != want {
			t.Errorf("%s kept = %v, want %v", target, err == nil, want)
		}
	}
}

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Open(dir)
			if err != nil {
				t.Error(err)
				return
			}
			for range 20 {
				if err := c.Put("k", "t", nil, i); err != nil {
					t.Error(err)
				}
				if raw, hit := c.Get("k", "t", func(string) string { return "" }); !hit || len(raw) == 0 {
					t.Error("a reader saw no entry or half an entry")
				}
			}
		}()
	}
	wg.Wait()
	left, _ := filepath.Glob(filepath.Join(dir, "*", ".tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
