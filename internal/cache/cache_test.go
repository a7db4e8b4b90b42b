package cache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

func TestGetPut(t *testing.T) {
	c, err := Open(t.TempDir(), t.TempDir())
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
	c, err := Open(t.TempDir(), t.TempDir())
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
	c, err := Open(t.TempDir(), t.TempDir())
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
	dir, root := t.TempDir(), t.TempDir()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := Open(dir, root)
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
	left, _ := filepath.Glob(filepath.Join(dir, OwnedDir, "*", ".tmp-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestPruneDeletesOnlyItsOwnFiles plants foreign files where a careless
// pruner would find them: beside the owned directory (--cache-dir .), in
// it, in a shard, and behind symlinks. A cache of one byte must remove
// every entry and nothing else.
func TestPruneDeletesOnlyItsOwnFiles(t *testing.T) {
	dir, root, outside := t.TempDir(), t.TempDir(), t.TempDir()
	c, err := Open(dir, root)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Put("k", "t", nil, "result"); err != nil {
		t.Fatal(err)
	}
	entry := c.path("k", "t")
	old := time.Now().Add(-48 * time.Hour)
	foreign := []string{
		"manifest.yaml",                      // the user's directory itself
		"apps/base/deployment.yaml",          // and below it
		filepath.Join(OwnedDir, "notes.txt"), // a stranger in the owned directory
		filepath.Join(OwnedDir, "zz", "0123456789abcdef0123456789abcdef.json"), // not a shard name
		filepath.Join(OwnedDir, filepath.Base(filepath.Dir(entry)), "keep.json"),
	}
	for _, f := range foreign {
		p := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("foreign data that must survive"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
	victim := filepath.Join(outside, "victim.json")
	if err := os.WriteFile(victim, []byte("outside"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Symlinks named like entries, to a file and to a directory outside.
	shard := filepath.Join(c.dir, "ab")
	if err := os.MkdirAll(shard, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(shard, "ab0123456789abcdef0123456789abcd.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(c.dir, "cd")); err != nil {
		t.Fatal(err)
	}
	c.MaxBytes = 1
	if err := c.Prune(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(entry); err == nil {
		t.Error("the cache's own entry was not pruned")
	}
	for _, f := range append(foreign, filepath.Join(OwnedDir, markerFile)) {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("pruning removed a file the cache did not write: %s", f)
		}
	}
	if data, err := os.ReadFile(victim); err != nil || string(data) != "outside" {
		t.Errorf("pruning followed a symlink: %q, %v", data, err)
	}
}

func TestCheckDir(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	if err := os.MkdirAll(filepath.Join(root, "apps"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(root, filepath.Join(base, "link")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		dir  string
		ok   bool
	}{
		{name: "the repository", dir: root},
		{name: "the repository through a symlink", dir: filepath.Join(base, "link")},
		{name: "a parent of the repository", dir: base},
		{name: "the filesystem root", dir: "/"},
		{name: "inside the repository, new", dir: filepath.Join(root, ".cache", "gl"), ok: true},
		{name: "a sibling, new", dir: filepath.Join(base, "cache"), ok: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckDir(tc.dir, root)
			if (err == nil) != tc.ok {
				t.Errorf("CheckDir(%s) = %v, want ok %v", tc.dir, err, tc.ok)
			}
			if _, oerr := Open(tc.dir, root); (oerr == nil) != tc.ok {
				t.Errorf("Open(%s) = %v, want ok %v", tc.dir, oerr, tc.ok)
			}
		})
	}
}

func TestOpenRefusesDirectoriesItDidNotMake(t *testing.T) {
	tests := []struct {
		name  string
		plant func(t *testing.T, owned string)
	}{
		{name: "no marker", plant: func(t *testing.T, owned string) {
			if err := os.Mkdir(owned, 0o700); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a foreign marker", plant: func(t *testing.T, owned string) {
			if err := os.Mkdir(owned, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(owned, markerFile), []byte("Signature: 8a477f597d28d172789f06886806bc55\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a symlink to a marked directory", plant: func(t *testing.T, owned string) {
			other := t.TempDir()
			if _, err := Open(other, t.TempDir()); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(other, OwnedDir), owned); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.plant(t, filepath.Join(dir, OwnedDir))
			if _, err := Open(dir, t.TempDir()); err == nil {
				t.Error("Open used a directory the cache did not make")
			}
		})
	}
}

// TestGetRefusesHostileEntries: an entry is read as bounded, regular
// data, and its recorded inputs are never looked up outside the repository.
func TestGetRefusesHostileEntries(t *testing.T) {
	tests := []struct {
		name  string
		plant func(t *testing.T, p string)
	}{
		{name: "symlink to /dev/zero", plant: func(t *testing.T, p string) {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "a FIFO", plant: func(t *testing.T, p string) {
			if err := mkfifo(p); err != nil {
				t.Skip(err)
			}
		}},
		{name: "too large", plant: func(t *testing.T, p string) {
			f, err := os.Create(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(maxEntryBytes + 1); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "an input outside the repository", plant: func(t *testing.T, p string) {
			e := `{"version":1,"key":"k","target":"t","inputs":[{"file":"../../etc/passwd","hash":""}],"result":1}`
			if err := os.WriteFile(p, []byte(e), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "an absolute input", plant: func(t *testing.T, p string) {
			e := `{"version":1,"key":"k","target":"t","inputs":[{"file":"/etc/passwd","hash":""}],"result":1}`
			if err := os.WriteFile(p, []byte(e), 0o600); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Open(t.TempDir(), t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			p := c.path("k", "t")
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				t.Fatal(err)
			}
			tc.plant(t, p)
			var asked []string
			if _, hit := c.Get("k", "t", func(f string) string { asked = append(asked, f); return "" }); hit {
				t.Error("hostile entry trusted")
			}
			if len(asked) != 0 {
				t.Errorf("inputs looked up: %v", asked)
			}
		})
	}
}

func TestPutRefusesUnstableOrForeignInputs(t *testing.T) {
	c, err := Open(t.TempDir(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Put("k", "t", []Input{{File: "../x", Hash: "h"}}, 1); err == nil {
		t.Error("Put accepted an input outside the repository")
	}
	if err := c.Put("k", "t", []Input{{File: "a.yaml", Hash: rootfs.Unstable}}, 1); err != nil {
		t.Fatal(err)
	}
	if _, hit := c.Get("k", "t", func(string) string { return rootfs.Unstable }); hit {
		t.Error("an input that changed while it was read was cached")
	}
}
