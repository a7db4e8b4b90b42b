package synth

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"strings"
	"text/template"
)

// file is one generated file; data is final, so writing is a plain copy.
type file struct {
	path string
	data []byte
}

// app is everything the templates need to know about one application.
// Every field is derived from the index so that output is reproducible;
// the modulo patterns are chosen so that small repositories already mix
// all the variants.
type app struct {
	Name     string
	Image    string
	Port     int
	CPU      int // millicores requested by the main container
	MemoryMi int
	Proxy    bool // a second container in the pod
	HPA      bool
	PDB      bool
	Account  bool // its own ServiceAccount
	Ingress  bool
	Upstream string // another app it calls, to make the settings look real
}

func newApp(i, apps int) app {
	name := appName(i)
	ports := [...]int{8080, 8000, 3000, 9000}
	return app{
		Name:     name,
		Image:    "registry.example.com/shop/" + name,
		Port:     ports[i%len(ports)],
		CPU:      50 * (1 + i%4),
		MemoryMi: 64 * (1 + i%3),
		Proxy:    i%3 == 1,
		HPA:      i%2 == 0,
		PDB:      i%3 == 0,
		Account:  i%4 != 3,
		Ingress:  i%5 < 2,
		Upstream: appName((i + 1) % apps),
	}
}

// overlay is one app in one environment.
type overlay struct {
	App        app
	Env        string
	Replicas   int
	Tag        string
	LogLevel   string
	Feature    bool
	CacheTTL   int
	CPU        int
	MemoryMi   int
	Grace      int
	Components []string // paths relative to the overlay
}

func newOverlay(a app, i, e int, env string, comps []component) overlay {
	o := overlay{
		App:      a,
		Env:      env,
		Replicas: min(1+e, 3),
		Tag:      fmt.Sprintf("1.%d.%d", 4+i%7, e),
		LogLevel: "info",
		Feature:  (i+e)%2 == 0,
		CacheTTL: 30 * (1 + e),
		CPU:      a.CPU * (1 + e),
		MemoryMi: a.MemoryMi * (1 + e%2),
		Grace:    30 + 15*(e%3),
	}
	if e == 0 {
		o.LogLevel = "debug"
	}
	// Roughly half the overlays take each component, and which half
	// shifts with the component so that overlays differ in their mix.
	for k, c := range comps {
		if (i+e+k)%4 < 2 {
			o.Components = append(o.Components, "../../../../components/"+c.Name)
		}
	}
	return o
}

// Component kinds, cycled through when more components are asked for.
const (
	monitoring = iota // adds a metrics sidecar and scrape annotations
	metadata          // adds labels and annotations
	hardening         // tightens the pod security context with a JSON patch
	componentKinds
)

type component struct {
	Name string
	Kind int
	// Ordinal tells apart components of the same kind, so that several
	// of them applied to one overlay never clash.
	Ordinal int
	Suffix  string // "" for the first of a kind, "-<ordinal+1>" after
}

func newComponent(k int) component {
	names := [componentKinds]string{"monitoring", "metadata", "hardening"}
	c := component{Kind: k % componentKinds, Ordinal: k / componentKinds}
	if c.Ordinal > 0 {
		c.Suffix = fmt.Sprintf("-%d", c.Ordinal+1)
	}
	c.Name = names[c.Kind] + c.Suffix
	return c
}

// IsMonitoring reports whether the component adds a metrics sidecar;
// templates branch on these methods rather than on kind numbers.
func (c component) IsMonitoring() bool { return c.Kind == monitoring }

// IsMetadata reports whether the component only adds labels and annotations.
func (c component) IsMetadata() bool { return c.Kind == metadata }

// MetricsPort keeps sidecars of several monitoring components apart.
func (c component) MetricsPort() int { return 9102 + c.Ordinal }

// cluster is one Flux environment aggregating every app overlay.
type cluster struct {
	Env      string
	Overlays []string // paths relative to the cluster directory, sorted
}

type generator struct {
	opts  Options
	tmpl  *template.Template
	apps  []app
	comps []component
	out   []file
	err   error
}

func newGenerator(opts Options) *generator {
	g := &generator{opts: opts, tmpl: parseTemplates()}
	for i := range opts.Apps {
		g.apps = append(g.apps, newApp(i, opts.Apps))
	}
	for k := range opts.Components {
		g.comps = append(g.comps, newComponent(k))
	}
	return g
}

// files renders the whole repository, sorted by path.
func (g *generator) files() ([]file, error) {
	for _, c := range g.comps {
		dir := path.Join("components", c.Name)
		g.emit(path.Join(dir, "kustomization.yaml"), "component", c)
		if c.Kind == monitoring {
			g.emit(path.Join(dir, "sidecar.yaml"), "sidecar", c)
		}
	}
	for i, a := range g.apps {
		base := path.Join("apps", a.Name, "base")
		g.emit(path.Join(base, "kustomization.yaml"), "base", a)
		g.emit(path.Join(base, "deployment.yaml"), "deployment", a)
		g.emit(path.Join(base, "service.yaml"), "service", a)
		g.emit(path.Join(base, "configmap.yaml"), "configmap", a)
		if a.Account {
			g.emit(path.Join(base, "serviceaccount.yaml"), "serviceaccount", a)
		}
		if a.HPA {
			g.emit(path.Join(base, "hpa.yaml"), "hpa", a)
		}
		if a.PDB {
			g.emit(path.Join(base, "pdb.yaml"), "pdb", a)
		}
		if a.Ingress {
			g.emit(path.Join(base, "ingress.yaml"), "ingress", a)
		}
		for e, env := range g.opts.Envs {
			o := newOverlay(a, i, e, env, g.comps)
			dir := overlayDir(a.Name, env)
			g.emit(path.Join(dir, "kustomization.yaml"), "overlay", o)
			g.emit(path.Join(dir, "patch.yaml"), "patch", o)
			g.emit(path.Join(dir, ".env"), "env", o)
			if a.Ingress {
				g.emit(path.Join(dir, "ingress-host.yaml"), "ingress-host", o)
			}
		}
	}
	if g.opts.Layout == Flux {
		for _, env := range g.opts.Envs {
			c := cluster{Env: env}
			for _, a := range g.apps {
				c.Overlays = append(c.Overlays, "../../"+overlayDir(a.Name, env))
			}
			slices.Sort(c.Overlays)
			g.emit(path.Join(clusterDir(env), "kustomization.yaml"), "cluster", c)
		}
	}
	if g.err != nil {
		return nil, g.err
	}
	slices.SortFunc(g.out, func(a, b file) int { return strings.Compare(a.path, b.path) })
	return g.out, nil
}

// emit renders one file; the first error sticks so that files() reads as
// a plain list of what the repository contains.
func (g *generator) emit(p, name string, data any) {
	if g.err != nil {
		return
	}
	var buf bytes.Buffer
	if err := g.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		g.err = fmt.Errorf("render %s: %w", p, err)
		return
	}
	g.out = append(g.out, file{path: p, data: buf.Bytes()})
}
