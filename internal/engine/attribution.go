package engine

import (
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// sourceCache decodes each source file once, however many targets render
// it, so positions are looked up without re-reading bases per overlay.
type sourceCache struct {
	fs    *rootfs.FS
	files memo.Table[string, *sourceFile]
}

type sourceFile struct {
	docs []*manifest.Document
	err  error
}

func newSourceCache(fsys *rootfs.FS) *sourceCache {
	return &sourceCache{fs: fsys}
}

// read reads a repository file. Only files inside the repository: the
// renderer's sandbox already guarantees it for what kustomize names, this
// keeps every other reader honest on its own.
func (c *sourceCache) read(file string) ([]byte, error) {
	if file == "" || path.IsAbs(file) {
		return nil, fmt.Errorf("%s is outside the repository", file)
	}
	return c.fs.ReadFile(file)
}

func (c *sourceCache) get(file string) *sourceFile {
	return c.files.Get(file, func() *sourceFile {
		// Only files inside the repository: the renderer's sandbox already
		// guarantees it, this keeps the cache honest on its own.
		data, err := c.read(file)
		if err != nil {
			return &sourceFile{err: err}
		}
		docs, err := manifest.DecodeFile(file, data)
		return &sourceFile{docs: docs, err: err}
	})
}

// forget lets go of what was decoded to locate findings in the
// kustomization in dir: the documents of the files it names and its
// patches. Whoever asks for them later decodes them again.
func (c *checker) forget(dir string) {
	k := c.repo.Kustomizations[dir]
	if k == nil {
		return
	}
	c.edits.Forget(dir)
	for _, ref := range k.Refs {
		if ref.Kind == repo.RefFile {
			c.sources.files.Forget(ref.Path)
		}
	}
}

// resources turns the rendered objects of a unit into resources that know
// the source they came from (origin.Attributor); an object no document or
// generator wrote, that a Helm chart the render inflated did, points at
// the chart's template.
func (c *checker) resources(t repo.Target, unit string, out *render.Output) []manifest.Resource {
	objs := make([]map[string]any, len(out.Objects))
	for i, o := range out.Objects {
		objs[i] = o.Object
	}
	res, unattributed := c.attr.Resources(t.Path, unit, objs)
	for _, i := range unattributed {
		if o := out.Objects[i]; o.Template != "" {
			c.helmOrigin(&res[i], o)
		}
	}
	return res
}

// newAttributor is the run's origin.Attributor, over its decoded sources.
func (c *checker) newAttributor() *origin.Attributor {
	return origin.NewAttributor(c.repo, func(file string) []*manifest.Document { return c.sources.get(file).docs }, c.edits, c.originSources)
}

// originSources renders a unit once more with kustomize's origin
// annotations, which name the file each object comes from. That doubles
// the render's cost, so it is done only for a unit where the kustomization
// graph leaves an object's source ambiguous, and once per unit.
func (c *checker) originSources(unit string) map[manifest.ResID]string {
	return c.origins.Get(unit, func() map[manifest.ResID]string {
		lr := types.LoadRestrictionsRootOnly
		for k := range c.units {
			if k.dir == unit && k.lr > lr {
				lr = k.lr
			}
		}
		out, err := render.New(render.Options{Root: c.repo.Root, LoadRestrictions: lr, Origins: true, Charts: c.charts}).Render(unit)
		if err != nil {
			return nil
		}
		m := make(map[manifest.ResID]string, len(out.Objects))
		for _, o := range out.Objects {
			m[manifest.IDOf(o.Object)] = o.Source
		}
		return m
	})
}

// plainObjects reports whether kustomize would take the file's documents
// as they are: every document decodes to an object with apiVersion and kind
// and none is a List, which kustomize expands into its items.
func (sf *sourceFile) plainObjects() bool {
	if sf.err != nil {
		return false
	}
	for _, d := range sf.docs {
		if d.Object == nil {
			continue
		}
		if !manifest.IsKubernetesObject(d.Object) || strings.HasSuffix(d.ID().Kind, "List") {
			return false
		}
	}
	return true
}
