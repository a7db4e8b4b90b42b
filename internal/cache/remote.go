package cache

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"sync"
	"time"

	"gocloud.dev/blob"
	// The drivers --cache-url accepts. Each registers its scheme with
	// gocloud's URL mux; OpenRemote accepts only these schemes. gcsblob
	// and azureblob are left out: they grow the binary by 50 MB (62 %),
	// against 11 MB for s3blob; Google Cloud Storage is reached through
	// its S3-compatible endpoint (README, "Shared cache").
	_ "gocloud.dev/blob/fileblob"
	_ "gocloud.dev/blob/memblob"
	_ "gocloud.dev/blob/s3blob"
)

// Schemes are the bucket URL schemes --cache-url accepts.
func Schemes() []string { return []string{"file", "mem", "s3"} }

// remoteTimeout bounds one read or write of the bucket: a slow bucket
// makes a run slower, never stuck.
const remoteTimeout = 30 * time.Second

// remoteWriters bounds the uploads in flight: they wait on the network,
// not the CPU.
const remoteWriters = 16

// Remote is a bucket of entries that machines share (--cache-url): the
// local cache is asked first, the bucket second, and an entry fetched
// from it is checked as a local one is and then kept locally. An entry is
// one object written in one call, which the bucket makes visible only
// once complete, so a reader never sees half an entry.
type Remote struct {
	bucket *blob.Bucket
	// ctx is the run's: a cancelled run stops talking to the bucket.
	ctx context.Context
	// uploads run beside the run; Close waits for them.
	uploads chan struct{}
	wg      sync.WaitGroup
}

// OpenRemote opens the bucket that rawURL names, one of Schemes.
func OpenRemote(ctx context.Context, rawURL string) (*Remote, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("cache URL: %w", err)
	}
	if !slices.Contains(Schemes(), u.Scheme) {
		return nil, fmt.Errorf("cache URL %q: scheme %q is not one of %v", redactURL(u), u.Scheme, Schemes())
	}
	b, err := blob.OpenBucket(ctx, rawURL)
	if err != nil {
		// The driver's error may repeat the URL, which can carry
		// credentials (an azblob SAS token): name the URL without them.
		return nil, fmt.Errorf("cache URL %q: cannot open the bucket", redactURL(u))
	}
	return newRemote(ctx, b), nil
}

func newRemote(ctx context.Context, b *blob.Bucket) *Remote {
	return &Remote{bucket: b, ctx: ctx, uploads: make(chan struct{}, remoteWriters)}
}

// redactURL is the URL without its user information and query, which may
// hold credentials.
func redactURL(u *url.URL) string {
	c := *u
	c.User, c.RawQuery, c.ForceQuery = nil, "", false
	return c.String()
}

// Close waits for the uploads and closes the bucket.
func (r *Remote) Close() error {
	if r == nil {
		return nil
	}
	r.wg.Wait()
	return r.bucket.Close()
}

// read fetches the object name, nil when it is absent, too large or the
// bucket fails: a remote entry is only ever a shortcut.
func (r *Remote) read(name string) []byte {
	ctx, cancel := context.WithTimeout(r.ctx, remoteTimeout)
	defer cancel()
	rd, err := r.bucket.NewReader(ctx, name, nil)
	if err != nil {
		return nil
	}
	defer rd.Close()
	data, err := io.ReadAll(io.LimitReader(rd, maxEntryBytes+1))
	if err != nil || len(data) > maxEntryBytes {
		return nil
	}
	return data
}

// write uploads data as the object name in the background; Close waits.
func (r *Remote) write(name string, data []byte) {
	r.wg.Add(1)
	r.uploads <- struct{}{}
	go func() {
		defer func() { <-r.uploads; r.wg.Done() }()
		ctx, cancel := context.WithTimeout(r.ctx, remoteTimeout)
		defer cancel()
		// An upload that fails is lost: the next run renders the target.
		_ = r.bucket.WriteAll(ctx, name, data, &blob.WriterOptions{ContentType: "application/json"})
	}()
}
