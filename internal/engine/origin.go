package engine

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
)

// sourceCache decodes each source file once, however many targets render
// it, so positions are looked up without re-reading bases per overlay.
type sourceCache struct {
	root  string
	mu    sync.Mutex
	files map[string]*sourceFile
}

type sourceFile struct {
	once sync.Once
	docs []*manifest.Document
	node *yaml.Node // for kustomization files: the root mapping
}

func newSourceCache(root string) *sourceCache {
	return &sourceCache{root: root, files: map[string]*sourceFile{}}
}

func (c *sourceCache) get(file string) *sourceFile {
	c.mu.Lock()
	sf, ok := c.files[file]
	if !ok {
		sf = &sourceFile{}
		c.files[file] = sf
	}
	c.mu.Unlock()
	sf.once.Do(func() {
		// Only files inside the repository: the renderer's sandbox already
		// guarantees it, this keeps the cache honest on its own.
		if file == "" || path.IsAbs(file) || strings.HasPrefix(path.Clean(file), "..") {
			return
		}
		data, err := os.ReadFile(filepath.Join(c.root, filepath.FromSlash(file)))
		if err != nil {
			return
		}
		sf.docs, _ = manifest.DecodeFile(file, data)
		if len(sf.docs) > 0 {
			sf.node = sf.docs[0].Node
		}
	})
	return sf
}

// resources turns rendered objects into resources that know the document
// (and so the lines) they came from.
func (c *checker) resources(t repo.Target, out *render.Output) []manifest.Resource {
	k := c.repo.Kustomizations[t.Path]
	res := make([]manifest.Resource, 0, len(out.Objects))
	for _, o := range out.Objects {
		r := manifest.Resource{ID: manifest.IDOf(o.Object), Object: o.Object, Target: t.Path}
		r.SourceID = r.ID
		r.Origin = manifest.Origin{File: k.File, Line: 1}
		switch {
		case o.Generator != "":
			r.Origin = c.generatorOrigin(o.Source, o.Generator, r.ID.Name)
		case o.Source != "":
			if d := matchDoc(c.sources.get(o.Source).docs, r.ID); d != nil {
				r.Doc = d
				r.SourceID = d.ID()
				r.Origin = manifest.Origin{File: d.File, Line: d.Line, Col: 1}
			} else {
				r.Origin = manifest.Origin{File: o.Source, Line: 1}
			}
		}
		res = append(res, r)
	}
	return res
}

// matchDoc finds the source document of a rendered object: same kind and
// the same name, or a name that transformers (prefix, suffix, hash) grew
// from it; failing that the only document of that kind.
func matchDoc(docs []*manifest.Document, id manifest.ResID) *manifest.Document {
	var byKind []*manifest.Document
	var grown *manifest.Document
	for _, d := range docs {
		if d.Object == nil {
			continue
		}
		did := d.ID()
		if did.Kind != id.Kind {
			continue
		}
		if did.Name == id.Name {
			return d
		}
		if did.Name != "" && grown == nil && strings.Contains(id.Name, did.Name) {
			grown = d
		}
		byKind = append(byKind, d)
	}
	if grown != nil {
		return grown
	}
	if len(byKind) == 1 {
		return byKind[0]
	}
	return nil
}

// generatorOrigin points a generated object at its generator entry in the
// kustomization file.
func (c *checker) generatorOrigin(file, generator, name string) manifest.Origin {
	loc := manifest.Origin{File: file, Line: 1}
	sf := c.sources.get(file)
	if sf.node == nil {
		return loc
	}
	field := map[string]string{"ConfigMapGenerator": "configMapGenerator", "SecretGenerator": "secretGenerator"}[generator]
	for i := 0; i+1 < len(sf.node.Content); i += 2 {
		if sf.node.Content[i].Value != field || sf.node.Content[i+1].Kind != yaml.SequenceNode {
			continue
		}
		// The longest generator name contained in the rendered name wins:
		// "app" and "app-config" both occur in "dev-app-config-5c7g8".
		var best *yaml.Node
		bestLen := 0
		for _, item := range sf.node.Content[i+1].Content {
			if item.Kind != yaml.MappingNode {
				continue
			}
			for j := 0; j+1 < len(item.Content); j += 2 {
				if v := item.Content[j+1].Value; item.Content[j].Value == "name" && strings.Contains(name, v) && len(v) > bestLen {
					best, bestLen = item, len(v)
				}
			}
		}
		if best != nil {
			return manifest.Origin{File: file, Line: best.Line, Col: best.Column}
		}
		return manifest.Origin{File: file, Line: sf.node.Content[i].Line, Col: sf.node.Content[i].Column}
	}
	return loc
}
