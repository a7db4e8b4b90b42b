package cache

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"
)

// twoMachines are two local caches sharing one bucket, as two CI runners
// with --cache-url do.
func twoMachines(t *testing.T, b *blob.Bucket) (a, other *Cache) {
	t.Helper()
	open := func() *Cache {
		c, err := Open(t.TempDir(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		c.Remote = newRemote(context.Background(), b)
		return c
	}
	return open(), open()
}

// TestRemoteSharesEntries: an entry written on one machine is found on
// another through the bucket, checked as a local one is, and then kept
// in the other's local cache.
func TestRemoteSharesEntries(t *testing.T) {
	b := memblob.OpenBucket(nil)
	a, other := twoMachines(t, b)
	hash := func(string) string { return "h1" }
	if err := a.Put("k", "apps/x", []Input{{File: "a.yaml", Hash: "h1"}}, map[string]int{"n": 3}); err != nil {
		t.Fatal(err)
	}
	a.Remote.wg.Wait()
	raw, ok := other.Get("k", "apps/x", hash)
	if !ok || string(raw) != `{"n":3}` {
		t.Fatalf("other machine: %s, %v; want the entry from the bucket", raw, ok)
	}
	if _, err := os.Stat(other.path("k", "apps/x")); err != nil {
		t.Errorf("the fetched entry is not kept locally: %v", err)
	}
	if _, ok := other.Get("k", "apps/x", func(string) string { return "h2" }); ok {
		t.Error("an entry from the bucket whose input changed was trusted")
	}
}

// TestRemoteIgnoresCorruptAndForeignEntries plants objects in the bucket
// under the name of an entry: none is trusted, and none reaches the local
// cache.
func TestRemoteIgnoresCorruptAndForeignEntries(t *testing.T) {
	hash := func(string) string { return "h1" }
	good := Entry{Version: formatVersion, Key: "k", Target: "apps/x", Inputs: []Input{{File: "a.yaml", Hash: "h1"}}, Result: json.RawMessage(`{"n":3}`)}
	good.Sum = good.sum()
	encode := func(e Entry) []byte {
		data, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	with := func(change func(e *Entry)) []byte {
		e := good
		change(&e)
		return encode(e)
	}
	tests := []struct {
		name string
		data []byte
		hit  bool
	}{
		{name: "intact", data: encode(good), hit: true},
		{name: "truncated", data: encode(good)[:40]},
		{name: "not JSON", data: []byte("\x00\x01garbage")},
		{name: "result altered, sum kept", data: with(func(e *Entry) { e.Result = json.RawMessage(`{"n":0}`) })},
		{name: "another key", data: with(func(e *Entry) { e.Key = "k2"; e.Sum = e.sum() })},
		{name: "another target", data: with(func(e *Entry) { e.Target = "apps/y"; e.Sum = e.sum() })},
		{name: "another format", data: with(func(e *Entry) { e.Version = 1; e.Sum = e.sum() })},
		{name: "input outside the repository", data: with(func(e *Entry) { e.Inputs = []Input{{File: "../etc/passwd", Hash: "h1"}}; e.Sum = e.sum() })},
		{name: "too large", data: append(encode(good), make([]byte, maxEntryBytes)...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := memblob.OpenBucket(nil)
			if err := b.WriteAll(context.Background(), remoteName("k", "apps/x"), tc.data, nil); err != nil {
				t.Fatal(err)
			}
			c, _ := twoMachines(t, b)
			if _, ok := c.Get("k", "apps/x", hash); ok != tc.hit {
				t.Fatalf("hit = %v, want %v", ok, tc.hit)
			}
			_, err := os.Stat(c.path("k", "apps/x"))
			if kept := err == nil; kept != tc.hit {
				t.Errorf("kept locally = %v, want %v", kept, tc.hit)
			}
		})
	}
}

// TestRemoteFileBucket writes through a file:// bucket, as a shared
// directory mounted on runners is used: another machine finds the
// entries, and the bucket holds nothing but complete entries.
func TestRemoteFileBucket(t *testing.T) {
	dir := t.TempDir()
	url := "file://" + filepath.ToSlash(dir) + "?metadata=skip"
	open := func() *Cache {
		c, err := Open(t.TempDir(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if c.Remote, err = OpenRemote(context.Background(), url); err != nil {
			t.Fatal(err)
		}
		return c
	}
	a := open()
	for _, target := range []string{"apps/x", "apps/y"} {
		if err := a.Put("k", target, nil, map[string]string{"target": target}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Remote.Close(); err != nil {
		t.Fatal(err)
	}
	var objects []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			objects = append(objects, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{remoteName("k", "apps/x"), remoteName("k", "apps/y")}
	if !slices.Equal(slices.Sorted(slices.Values(objects)), slices.Sorted(slices.Values(want))) {
		t.Errorf("bucket holds %v, want %v", objects, want)
	}
	b := open()
	defer b.Remote.Close()
	if raw, ok := b.Get("k", "apps/y", func(string) string { return "" }); !ok || !strings.Contains(string(raw), "apps/y") {
		t.Errorf("another machine: %s, %v", raw, ok)
	}
}

// TestOpenRemoteRefusesOtherSchemes and never repeats credentials a URL
// carries in its error.
func TestOpenRemoteRefusesOtherSchemes(t *testing.T) {
	tests := []struct {
		name, url string
	}{
		{name: "http", url: "http://user:hunter2@example.com/cache"},
		{name: "no scheme", url: "bucket/path"},
		{name: "azblob credentials in the query", url: "ftp://acct/container?sig=hunter2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := OpenRemote(context.Background(), tc.url)
			if err == nil {
				t.Fatal("opened")
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error repeats a credential: %v", err)
			}
		})
	}
}
