package engine

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/cache"
	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/helm"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/schema/crd"
	"github.com/gitops-lint/gitops-lint/internal/suppress"
)

// cachedTarget is what the result cache keeps of a checked target: its
// findings and facts about it, never its resources.
type cachedTarget struct {
	Findings   []rules.Finding      `json:"findings,omitempty"`
	Missing    []rules.Finding      `json:"missing,omitempty"`
	Directives []suppress.Directive `json:"directives,omitempty"`
	Resources  int                  `json:"resources"`
	// NotRendered says the target did not render (its findings say why).
	NotRendered bool `json:"notRendered,omitempty"`
	// Partly says it rendered without a kustomization whose charts were
	// not fetched.
	Partly bool `json:"partly,omitempty"`
	// CRDs is the hash of the run's CRD schemas the target was validated
	// against: a CRD changed anywhere makes the entry stale.
	CRDs string `json:"crds"`
	// FileCRDs is the hash of the CRDs in files and named by options,
	// which change without any target's inputs changing.
	FileCRDs string `json:"fileCRDs"`
	// GitOps are the repository-level checks' findings in this target.
	GitOps []rules.Finding `json:"gitops,omitempty"`
	// FluxSource is the run's Flux source, for a run in which no target
	// renders: when none changed, neither did it.
	FluxSource gitops.FluxSource `json:"fluxSource,omitzero"`
	// Shared says the target renders what other targets' checks read (a
	// CRD, a Flux or Argo CD object): it is rendered again whenever any
	// target is, for the repository-level checks and the CRD schemas.
	Shared bool `json:"shared,omitempty"`
	// Charts are what the charts its render fetched (--allow-remote)
	// resolved to: a version range or a tag may name another chart on a
	// later run, and the entry holds only while each resolves the same.
	Charts []helm.Resolution `json:"charts,omitempty"`
}

// resultCache is the result cache of one run.
type resultCache struct {
	c      *cache.Cache
	key    string
	hasher *rootfs.FS
	// repoKey keys the entry of the repository-level checks (see
	// cache.RepositoryKey).
	repoKey string
	// remote resolves the charts entries fetched again; nil offline.
	remote *helm.RemoteCharts
}

// repositoryEntry is the name of the repository-level checks' entry; no
// target has it, since target paths are repository paths.
const repositoryEntry = "\x00repository"

// newResultCache keys the run's entries by everything a target's result
// depends on besides the files it reads: the build, the options, the
// configuration, user policies and data, CRD files named on the command
// line and the settings files of the secret checks. The repository's file
// list is not part of it: a target's entry lists the files it read, and
// what the repository-level checks read of the file list keys their own
// entry (cache.RepositoryKey), so an unrelated new file misses nothing.
func newResultCache(ctx context.Context, opts Options, rp *repo.Repo, cfg *config.Scope, targets []repo.Target) (*resultCache, error) {
	if opts.CacheDir == "" {
		return nil, nil
	}
	c, err := cache.Open(opts.CacheDir, rp.Root)
	if err != nil {
		return nil, nil // an unusable cache only makes the run slower
	}
	if opts.CacheURL != "" {
		// A bucket the user named and the run cannot open is a
		// configuration error, not a slower run.
		if c.Remote, err = cache.OpenRemote(ctx, opts.CacheURL); err != nil {
			return nil, err
		}
	}
	// The repository's FS hashes what the run read, when it read it: an
	// edit after a render read a file makes the entry stale, not wrong.
	hasher := rp.FS
	parts := []string{cache.BuildIdentity()}
	p := opts.Policy
	optsJSON, err := json.Marshal(struct {
		KubernetesVersion          string
		SchemaLocations            []string
		AllowRemote                bool
		LoadRestrictions           any
		Policies, Data, Namespaces []string
		AllNamespaces, Builtin     bool
		RegoVersion                any
		Rules                      rules.Settings
		CRDPaths, RepoCRDPaths     []string
		GitOps                     any
		Config                     *config.Scope
		Checks                     []string
	}{
		opts.KubernetesVersion, opts.SchemaLocations, opts.AllowRemote, opts.LoadRestrictions,
		p.Policies, p.Data, p.Namespaces, p.AllNamespaces, p.Builtin != nil, p.RegoVersion,
		opts.Rules, opts.CRDPaths, opts.RepoCRDPaths, opts.GitOps, cfg, checkNames(opts.Checks),
	})
	if err != nil {
		return nil, nil // options it cannot identify: no cache
	}
	parts = append(parts, string(optsJSON))
	for _, p := range slices.Concat(opts.Policy.Policies, opts.Policy.Data, opts.CRDPaths) {
		parts = append(parts, cache.HashTree(rp.Root, p))
	}
	for _, d := range opts.ChartDirs {
		// What the charts of a --chart-dir hold, not where it is: an
		// entry stays valid for the same charts in another checkout.
		parts = append(parts, "chart-dir", cache.HashDir(d))
	}
	for _, f := range rp.Files {
		if repo.IsSettingsFile(f) {
			parts = append(parts, f, hasher.Hash(f))
		}
	}
	key := cache.Key(parts...)
	return &resultCache{c: c, key: key, hasher: hasher, repoKey: cache.RepositoryKey(key, rp.Files, targets)}, nil
}

// checkNames names the checks a run was given; nil for the built-in ones,
// which the build's identity stands for.
func checkNames(checks []*Check) []string {
	var out []string
	for _, ch := range checks {
		out = append(out, ch.Name)
	}
	return out
}

// close waits for the entries still being uploaded to a bucket.
func (rc *resultCache) close() {
	if rc != nil {
		_ = rc.c.Remote.Close()
	}
}

// getAll looks every target up, several at once: a lookup in a bucket
// waits on the network.
func (rc *resultCache) getAll(targets []repo.Target, plans []plan) []*cachedTarget {
	hits := make([]*cachedTarget, len(targets))
	if rc == nil {
		return hits
	}
	limit := 1
	if rc.c.Remote != nil {
		limit = remoteLookups
	}
	var g errgroup.Group
	g.SetLimit(limit)
	for i, t := range targets {
		g.Go(func() error {
			hits[i] = rc.get(t, plans[i])
			return nil
		})
	}
	_ = g.Wait()
	return hits
}

// remoteLookups bounds the lookups in flight when a bucket may answer.
const remoteLookups = 16

// repositoryHit reports whether the repository-level checks read the same
// as when their findings were cached.
func (rc *resultCache) repositoryHit() bool {
	if rc == nil {
		return true
	}
	_, ok := rc.c.Get(rc.repoKey, repositoryEntry, rc.hasher.Hash)
	return ok
}

// putRepository records that the repository-level checks ran on what
// repoKey stands for: the findings are in the entries of the targets
// they show up in.
func (rc *resultCache) putRepository() {
	if rc == nil {
		return
	}
	_ = rc.c.Put(rc.repoKey, repositoryEntry, nil, struct{}{})
}

// get returns the target's cached result when every file it read is
// unchanged.
func (rc *resultCache) get(t repo.Target, p plan) *cachedTarget {
	if rc == nil {
		return nil
	}
	raw, ok := rc.c.Get(rc.key, cache.TargetKey(t, p.units, p.files, p.settings), rc.hasher.Hash)
	if !ok {
		return nil
	}
	var ct cachedTarget
	if json.Unmarshal(raw, &ct) != nil || !rc.sameCharts(ct.Charts) {
		return nil
	}
	return &ct
}

// sameCharts reports whether the charts an entry's render fetched still
// resolve to the same version and digest: the index or registry is asked
// (once per run), the charts are not downloaded.
func (rc *resultCache) sameCharts(charts []helm.Resolution) bool {
	for _, ch := range charts {
		if rc.remote == nil {
			return false // fetched then, not now: the run differs
		}
		now, err := rc.remote.Resolve(ch.RepoURL, ch.Name, ch.Constraint)
		if err != nil {
			now = "" // as when the entry was made, if its chart was not found either
		}
		if now != ch.Resolved {
			return false
		}
	}
	return true
}

// fetchedCharts are what the charts a target's render fetched resolved
// to: its releases', and its units' helmCharts', those asked for in vain
// included. Sorted.
func (c *checker) fetchedCharts(t repo.Target, p plan) []helm.Resolution {
	out := slices.Clone(c.helmReads.charts(t.Path))
	for _, d := range p.units {
		u := c.units[unitKey{dir: d, lr: p.settings.LoadRestrictions}]
		if u == nil {
			continue
		}
		switch re, _ := errors.AsType[*render.Error](u.err); {
		case u.out != nil:
			out = append(out, u.out.Charts...)
		case re != nil && c.charts.Remote != nil:
			for _, ce := range re.Charts {
				if rc, ok := errors.AsType[*helm.RemoteChart](ce.Err); ok {
					out = append(out, helm.Resolution{RepoURL: rc.RepoURL, Name: rc.Name, Constraint: rc.Version})
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b helm.Resolution) int {
		return strings.Compare(a.RepoURL+"\x00"+a.Name+"\x00"+a.Constraint, b.RepoURL+"\x00"+b.Name+"\x00"+b.Constraint)
	})
	return slices.Compact(out)
}

// put stores a checked target with the files its build read.
func (rc *resultCache) put(t repo.Target, p plan, reads []string, ct cachedTarget) {
	if rc == nil {
		return
	}
	inputs := make([]cache.Input, len(reads))
	for i, f := range reads {
		inputs[i] = cache.Input{File: f, Hash: rc.hasher.Hash(f)}
	}
	_ = rc.c.Put(rc.key, cache.TargetKey(t, p.units, p.files, p.settings), inputs, ct) // a failed write only costs the next run time
}

// reads lists what building a target read: the files its units' renders
// read, as the renderer recorded them, and its manifest files.
func (c *checker) reads(t repo.Target, p plan) []string {
	reads := slices.Concat(t.Files, p.files)
	if s := c.subst[t.Path]; s != nil {
		reads = append(reads, s.Files...) // what Flux substitutes into it
	}
	reads = append(reads, c.helmReads.get(t.Path)...) // charts its HelmReleases render
	for _, d := range p.units {
		if u := c.units[unitKey{dir: d, lr: p.settings.LoadRestrictions}]; u != nil && u.out != nil {
			reads = append(reads, u.out.Reads...)
		}
		if k := c.repo.Kustomizations[d]; k != nil {
			// A failed render records no reads: its kustomization files
			// are what a fix will touch.
			reads = append(reads, c.repo.Dependencies(d)...)
		}
	}
	slices.Sort(reads)
	return slices.Compact(reads)
}

// shared reports whether a target's resources are read by other targets'
// checks: CRDs, and the objects of the repository-level checks.
func shared(res []manifest.Resource) bool {
	return slices.ContainsFunc(res, func(r manifest.Resource) bool { return sharedObject(r.ID, r.Object) })
}

func sharedObject(id manifest.ResID, obj map[string]any) bool {
	g := id.Group()
	return crd.IsCRD(obj) || strings.HasSuffix(g, ".toolkit.fluxcd.io") || g == "argoproj.io"
}

// retained is what the repository-level checks read of a target's
// rendered resources (Check.keeps), in order.
func (c *checker) retained(t repo.Target, environment string, res []manifest.Resource) []manifest.Resource {
	checks := c.checks[RepositoryScope]
	if slices.ContainsFunc(checks, func(ch *Check) bool { return ch.keeps == nil }) {
		return res
	}
	production := c.gitopsOpts.Production(t.Path, environment)
	out := []manifest.Resource{}
	for i := range res {
		if slices.ContainsFunc(checks, func(ch *Check) bool { return ch.keeps(c, production, &res[i]) }) {
			out = append(out, res[i])
		}
	}
	return out
}

// mayDeployFlux reports whether rendered units or manifest documents
// hold a Flux Kustomization, or a Helm release whose chart could render
// one: the GitOps checks then read every rendered resource.
func (c *checker) mayDeployFlux(units []unitKey, docs [][]*manifest.Document) bool {
	for _, k := range units {
		if u := c.units[k]; u.out != nil && slices.ContainsFunc(u.out.Objects, func(o render.Object) bool { return deploysFlux(o.Object) }) {
			return true
		}
	}
	for _, ds := range docs {
		if slices.ContainsFunc(ds, func(d *manifest.Document) bool { return d.Object != nil && deploysFlux(d.Object) }) {
			return true
		}
	}
	return false
}

// deploysFlux reports a Flux Kustomization, or a release object whose
// chart is rendered (isReleaseKind).
func deploysFlux(obj map[string]any) bool {
	id := manifest.IDOf(obj)
	return (id.Kind == "Kustomization" && id.Group() == "kustomize.toolkit.fluxcd.io") || isReleaseKind(obj)
}

// crdInputs is what the checks read of the CRDs: the converted schemas
// and, for the API server's checks, the schemas as written, which JSON
// encoding of a crd.Kind leaves out.
func crdInputs(kinds []crd.Kind) any {
	openAPI := make([]map[string]any, len(kinds))
	for i, k := range kinds {
		openAPI[i] = k.OpenAPI
	}
	return []any{kinds, openAPI}
}

// unitsOf lists the units of the targets that need them, each once.
func (c *checker) unitsOf(plans []plan, need func(i int) bool) []unitKey {
	var keys []unitKey
	seen := map[unitKey]bool{}
	for i, p := range plans {
		if !need(i) {
			continue
		}
		for _, d := range p.units {
			k := unitKey{dir: d, lr: p.settings.LoadRestrictions}
			if u := c.units[k]; !seen[k] && u.out == nil && u.err == nil {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	return keys
}

// rendered keeps the units that were rendered.
func (c *checker) rendered(keys []unitKey) []unitKey {
	return slices.DeleteFunc(slices.Clone(keys), func(k unitKey) bool {
		u := c.units[k]
		return u.out == nil && u.err == nil
	})
}

// anyShared reports whether a rendered unit holds what other targets'
// checks read.
func (c *checker) anyShared(keys []unitKey) bool {
	for _, k := range keys {
		u := c.units[k]
		if u.out == nil {
			continue
		}
		for _, o := range u.out.Objects {
			if sharedObject(manifest.IDOf(o.Object), o.Object) {
				return true
			}
		}
	}
	return false
}

// ownFindings are the findings shown in the target alone.
func ownFindings(fs []rules.Finding, target string) []rules.Finding {
	var out []rules.Finding
	for _, f := range fs {
		if slices.Equal(f.Targets, []string{target}) {
			out = append(out, f)
		}
	}
	return out
}

// filesEntry is the name of the entry that keeps the findings of the
// file-scope checks; no target has it, since target paths are repository
// paths.
const filesEntry = "\x00files"

// cachedFile is what the result cache keeps of one file's file-scope
// checks: the content they saw, by hash, and their findings.
type cachedFile struct {
	Hash     string          `json:"hash"`
	Findings []rules.Finding `json:"findings,omitempty"`
}

// fileCache answers the file-scope checks (the credential scan of every
// file, most of a warm run's work otherwise) for files whose content is
// unchanged. It is one entry, not one per file: a run reads it once, and a
// bucket serves it in one request. A file whose scan taught the run's
// redaction a value is never kept (Pass.KeepOutOfCache), so replaying the
// others leaves the redaction knowing all it would have learned.
type fileCache struct {
	rc   *resultCache
	old  map[string]cachedFile
	mu   sync.Mutex
	next map[string]cachedFile
	// changed says next differs from old for a file of this run.
	changed bool
}

// files loads the file-scope entry. Its key is the run's: the options,
// the configuration and the settings of the secret checks (.gitleaks.toml
// among them) decide what the checks find in a file.
func (rc *resultCache) files() *fileCache {
	if rc == nil {
		return nil
	}
	fc := &fileCache{rc: rc, next: map[string]cachedFile{}}
	if raw, ok := rc.c.Get(rc.key, filesEntry, rc.hasher.Hash); ok {
		_ = json.Unmarshal(raw, &fc.old) // a foreign entry only makes the run slower
	}
	maps.Copy(fc.next, fc.old)
	return fc
}

// get returns the cached findings of a file whose content is what they
// were found in.
func (fc *fileCache) get(file string) ([]rules.Finding, bool) {
	if fc == nil {
		return nil, false
	}
	e, ok := fc.old[file]
	if !ok {
		return nil, false
	}
	h := fc.rc.hasher.Hash(file)
	return e.Findings, h != "" && h != rootfs.Unstable && h == e.Hash
}

// set records what the file-scope checks found in a file this run; keep
// false drops the file's entry.
func (fc *fileCache) set(file string, fs []rules.Finding, keep bool) {
	if fc == nil {
		return
	}
	h := fc.rc.hasher.Hash(file)
	keep = keep && h != "" && h != rootfs.Unstable
	fc.mu.Lock()
	defer fc.mu.Unlock()
	_, had := fc.next[file]
	if keep {
		fc.next[file] = cachedFile{Hash: h, Findings: slices.Clone(fs)}
	} else {
		delete(fc.next, file)
	}
	fc.changed = fc.changed || keep || had
}

// put stores the entry when this run changed it, without the files the
// repository no longer has, and with every finding screened by hide
// (which knows every value the run learned).
func (fc *fileCache) put(files []string, hide func([]rules.Finding)) {
	if fc == nil {
		return
	}
	present := make(map[string]bool, len(files))
	for _, f := range files {
		present[f] = true
	}
	for f := range fc.next {
		if !present[f] {
			delete(fc.next, f)
			fc.changed = true
		}
	}
	if !fc.changed {
		return
	}
	for _, e := range fc.next {
		hide(e.Findings)
	}
	_ = fc.rc.c.Put(fc.rc.key, filesEntry, nil, fc.next) // a failed write only costs the next run time
}
