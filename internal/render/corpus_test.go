package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// corpusDir holds real public GitOps repositories (see
// ../shared/corpus/SOURCES.md); the test skips when it is absent.
const corpusDir = "../../../shared/corpus"

// kustomizeBinary finds the peer to compare with: on PATH, or installed by
// `make corpus` into .bin.
func kustomizeBinary() string {
	if p, err := exec.LookPath("kustomize"); err == nil {
		return p
	}
	if p, err := filepath.Abs("../../.bin/kustomize"); err == nil {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// normalise hashes the objects of a YAML stream as canonical JSON, in
// order, so formatting differences do not count but content and order do.
func normalise(data []byte) (string, int, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	h := sha256.New()
	n := 0
	for {
		var obj any
		err := dec.Decode(&obj)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", 0, err
		}
		if obj == nil {
			continue
		}
		b, err := json.Marshal(obj)
		if err != nil {
			return "", 0, err
		}
		h.Write(b)
		n++
	}
	return string(h.Sum(nil)), n, nil
}

// TestCorpusMatchesKustomize renders every deploy target of the corpus in
// process and compares it with `kustomize build` of the same directory.
func TestCorpusMatchesKustomize(t *testing.T) {
	if os.Getenv("GITOPS_LINT_CORPUS") == "" {
		t.Skip("corpus comparison is slow: make corpus runs it (GITOPS_LINT_CORPUS=1)")
	}
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	bin := kustomizeBinary()
	if bin == "" {
		t.Skip("kustomize not installed (make corpus installs it)")
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			rp, err := repo.Discover(filepath.Join(corpusDir, e.Name()), repo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			r := New(Options{Root: rp.Root, Origins: true, YAML: true})
			type outcome struct{ same, bothFail, blocked, onlyPeerFails, onlyWeFail, differ int }
			var (
				mu  sync.Mutex
				got outcome
			)
			var g errgroup.Group
			g.SetLimit(2)
			for _, tg := range rp.Targets {
				if tg.Kind != repo.Kustomize {
					continue
				}
				g.Go(func() error {
					if tg.Blocked != "" {
						mu.Lock()
						got.blocked++
						mu.Unlock()
						return nil
					}
					ours, ourErr := r.Render(tg.Path)
					var stdout, stderr bytes.Buffer
					cmd := exec.Command(bin, "build", filepath.Join(rp.Root, tg.Path))
					cmd.Stdout, cmd.Stderr = &stdout, &stderr
					peerErr := cmd.Run()
					mu.Lock()
					defer mu.Unlock()
					switch {
					case ourErr != nil && peerErr != nil:
						got.bothFail++
					case ourErr != nil:
						got.onlyWeFail++
						t.Errorf("%s: we fail, kustomize builds it: %v", tg.Path, ourErr)
					case peerErr != nil:
						got.onlyPeerFails++
						t.Errorf("%s: kustomize fails, we build it: %s", tg.Path, strings.TrimSpace(stderr.String()))
					default:
						a, na, err1 := normalise(ours.YAML)
						b, nb, err2 := normalise(stdout.Bytes())
						if err1 != nil || err2 != nil || a != b {
							got.differ++
							t.Errorf("%s: output differs (%d vs %d objects) %v %v", tg.Path, na, nb, err1, err2)
						} else {
							got.same++
						}
					}
					return nil
				})
			}
			_ = g.Wait()
			keys := []string{}
			t.Logf("%s: same %d, both fail %d, blocked (remote/escape/cycle) %d, only kustomize fails %d, only we fail %d, differ %d",
				e.Name(), got.same, got.bothFail, got.blocked, got.onlyPeerFails, got.onlyWeFail, got.differ)
			sort.Strings(keys)
		})
	}
}
