// Package repo walks a repository, finds its kustomizations and plain
// manifests, builds the reference graph between them and decides which
// directories are deploy targets.
package repo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"
	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// TargetKind says how a target is built.
type TargetKind int

// Target kinds.
const (
	// Kustomize targets are kustomization roots that nothing else includes.
	Kustomize TargetKind = iota
	// Plain targets are directories of manifests that no kustomization includes.
	Plain
)

// String returns the name used in output.
func (k TargetKind) String() string {
	if k == Plain {
		return "plain"
	}
	return "kustomize"
}

// MarshalText renders the kind as its name in JSON.
func (k TargetKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Target is one unit that is rendered and checked on its own.
type Target struct {
	// Path is the repository-relative directory, slash-separated.
	Path string     `json:"path"`
	Kind TargetKind `json:"kind"`
	// Includes are the kustomization directories it pulls in, transitively
	// (bases and components), sorted.
	Includes []string `json:"includes,omitempty"`
	// Files are the manifest files of a plain target, sorted.
	Files []string `json:"files,omitempty"`
	// Blocked is set when the target must not be rendered (it needs the
	// network, reads outside the repository, or has a cycle); the findings
	// that say why are in Repo.Findings.
	Blocked string `json:"blocked,omitempty"`
	// Partial is set when the target is rendered without the remote
	// entries of a kustomization that only lists resources (offline, the
	// union of the other entries is what kustomize would build for them);
	// it names that kustomization. The remote-resource findings name the
	// entries.
	Partial string `json:"partial,omitempty"`
}

// Repo is the result of discovery.
type Repo struct {
	// Root is the absolute repository root with symlinks resolved.
	Root string
	// FS reads the repository's files, confined to Root: every reader of
	// the run shares it, so each file's hash is that of what was read.
	FS *rootfs.FS
	// Kustomizations by repository-relative directory.
	Kustomizations map[string]*Kustomization
	// Files are all files that were walked (not ignored), repository-relative, sorted.
	Files []string
	// Targets sorted by path.
	Targets []Target
	// Findings raised by discovery itself: escapes, remote references,
	// cycles and unreadable plain manifests.
	Findings []rules.Finding
	// Manifests are the decoded documents of plain targets' files, by file.
	Manifests map[string][]*manifest.Document

	// walked are the repository-relative paths the walk saw.
	walked map[string]walked
}

// Options tune discovery.
type Options struct {
	// AllowRemote lets targets with remote references be rendered.
	AllowRemote bool
}

// Discover walks root and builds the repository model. Problems in the
// repository's content become findings; only an unreadable root is an error.
func Discover(root string, opts Options) (*Repo, error) {
	fsys, err := rootfs.New(root)
	if err != nil {
		return nil, err
	}
	r := &Repo{Root: fsys.Root(), FS: fsys, Kustomizations: map[string]*Kustomization{}, Manifests: map[string][]*manifest.Document{}, walked: map[string]walked{}}
	w := &walker{repo: r, multiple: map[string]error{}}
	if err := w.walk(); err != nil {
		return nil, err
	}
	w.parseKustomizations()
	r.resolveRefs()
	r.findTargets(opts, w.charts)
	return r, nil
}

type walker struct {
	repo     *Repo
	patterns []gitignore.Pattern
	charts   []string // Helm chart directories: templates are not YAML
	// found are the kustomizations the walk found, parsed after it;
	// multiple holds, by directory, the error for one with several
	// kustomization files, which replaces that of its first file.
	found    []*Kustomization
	multiple map[string]error
}

// walked is what the walk saw of a path without following a symlink: a
// regular file or a directory. A reference to such a path needs no look
// at the disk to be classified.
type walked uint8

const (
	walkedFile walked = iota + 1
	walkedDir
)

func (w *walker) walk() error {
	// .git is not walked: a link here is reported now or never.
	if data, err := w.read(".git/info/exclude"); err == nil {
		w.patterns = append(w.patterns, parseIgnore(data, nil)...)
	}
	return w.dir(w.repo.Root, nil)
}

// dir walks one directory, in name order as git lists it. Its own
// entries say whether it has a .gitignore (read before any entry is
// matched) and a Chart.yaml, so that no directory costs a probe for
// either.
func (w *walker) dir(abs string, parts []string) error {
	entries, err := os.ReadDir(abs)
	if err != nil {
		if parts == nil {
			return err // the root itself
		}
		return nil // unreadable directories are skipped, like git does
	}
	rel := path.Join(parts...)
	for _, e := range entries {
		switch e.Name() {
		case ".gitignore":
			w.readIgnore(abs, parts)
		case "Chart.yaml":
			if parts != nil && (e.Type()&fs.ModeSymlink == 0 || w.confined(path.Join(rel, e.Name()))) {
				w.charts = append(w.charts, rel)
			}
		}
	}
	for _, e := range entries {
		child := append(parts[:len(parts):len(parts)], e.Name())
		if e.IsDir() {
			if e.Name() == ".git" || gitignore.NewMatcher(w.patterns).Match(child, true) {
				continue
			}
			w.repo.walked[path.Join(child...)] = walkedDir
			_ = w.dir(filepath.Join(abs, e.Name()), child) // only the root's error is returned
			continue
		}
		w.entry(e, path.Join(child...), child)
	}
	return nil
}

// confined reports whether a symlink resolves inside the repository.
func (w *walker) confined(rel string) bool {
	_, err := w.repo.FS.Stat(rel)
	return err == nil
}

// entry takes one walked entry that is not a directory: a regular file
// or a symlink to one joins Files, a kustomization file is parsed.
func (w *walker) entry(d fs.DirEntry, rel string, parts []string) {
	if gitignore.NewMatcher(w.patterns).Match(parts, false) {
		return
	}
	if d.Type()&fs.ModeSymlink != 0 {
		w.symlink(rel)
		return
	}
	if !d.Type().IsRegular() {
		return
	}
	if info, err := d.Info(); err == nil && w.tooLarge(rel, info.Size()) {
		return
	}
	w.repo.Files = append(w.repo.Files, rel)
	w.repo.walked[rel] = walkedFile
	if slices.Contains(kustomizationFiles[:], d.Name()) {
		w.kustomization(path.Dir(rel), rel)
	}
}

// readIgnore reads a directory's .gitignore. One that cannot be read
// confined (a symlink out of the repository, a device) is left out; the
// walk reports the link when it reaches it.
func (w *walker) readIgnore(dir string, domain []string) {
	data, err := w.repo.FS.ReadFile(path.Join(path.Join(domain...), ".gitignore"))
	if err == nil {
		w.patterns = append(w.patterns, parseIgnore(data, domain)...)
	}
}

// read reads a repository file that the walk does not visit, reporting a
// symlink that leaves the repository as path-escape at the link.
func (w *walker) read(rel string) ([]byte, error) {
	data, err := w.repo.FS.ReadFile(rel)
	if errors.Is(err, rootfs.ErrOutside) {
		w.repo.Findings = append(w.repo.Findings, escapeFinding(rel))
	}
	return data, err
}

// escapeFinding is the finding for a symlink that resolves outside the
// repository: reported at the link, which is what a person edits.
func escapeFinding(rel string) rules.Finding {
	return rules.Finding{
		RuleID:   rules.PathEscape,
		Severity: rules.Error,
		Message:  "symlink resolves outside the repository; it is not read",
		Location: manifest.Origin{File: rel, Line: 1}, // a link is one line: its target
	}
}

func parseIgnore(data []byte, domain []string) []gitignore.Pattern {
	var ps []gitignore.Pattern
	s := bufio.NewScanner(bytes.NewReader(data))
	for s.Scan() {
		line := strings.TrimRight(s.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		ps = append(ps, gitignore.ParsePattern(line, slices.Clone(domain)))
	}
	return ps
}

// symlink checks where a link points. One that resolves outside the
// repository is a finding and is never read; one inside is treated like
// the file it points to.
func (w *walker) symlink(rel string) {
	resolved, err := w.repo.FS.Resolve(rel)
	if errors.Is(err, rootfs.ErrOutside) {
		w.repo.Findings = append(w.repo.Findings, escapeFinding(rel))
		return
	}
	if err != nil {
		return // dangling: git keeps it, kustomize will report it if used
	}
	if fi, err := os.Stat(resolved); err == nil && fi.Mode().IsRegular() && !w.tooLarge(rel, fi.Size()) {
		w.repo.Files = append(w.repo.Files, rel)
		if slices.Contains(kustomizationFiles[:], path.Base(rel)) {
			w.kustomization(path.Dir(rel), rel)
		}
	}
}

// tooLarge reports a file over manifest.MaxFileSize, once: it is left
// out of Files, so that no reader of the run opens it.
func (w *walker) tooLarge(rel string, size int64) bool {
	if size <= manifest.MaxFileSize {
		return false
	}
	w.repo.Findings = append(w.repo.Findings, rules.Finding{
		RuleID: rules.FileTooLarge, Severity: rules.Info, Location: manifest.Origin{File: rel, Line: 1},
		Message: fmt.Sprintf("file is %.1f MiB, over the %d MiB gitops-lint reads; it was not read", float64(size)/(1<<20), manifest.MaxFileSize>>20),
	})
	return true
}

func (w *walker) kustomization(dir, file string) {
	if k, ok := w.repo.Kustomizations[dir]; ok {
		// kustomize refuses a directory with several kustomization files.
		w.multiple[dir] = fmt.Errorf("found multiple kustomization files (%s and %s)", path.Base(k.File), path.Base(file))
		return
	}
	k := &Kustomization{Dir: dir, File: file}
	w.repo.Kustomizations[dir] = k
	w.found = append(w.found, k)
}

// parseKustomizations reads and parses the kustomizations found, on every
// core: in a repository of thousands of overlays this is most of
// discovery, and a pre-commit check waits for it.
func (w *walker) parseKustomizations() {
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, k := range w.found {
		g.Go(func() error {
			data, err := w.repo.FS.ReadFile(k.File)
			if err == nil {
				err = parseKustomization(k, data)
			}
			k.Err = err
			return nil
		})
	}
	_ = g.Wait() // an error is the kustomization's, kept on it
	for dir, err := range w.multiple {
		w.repo.Kustomizations[dir].Err = err
	}
}

// within reports whether p (absolute, clean) is root or below it.
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

func relSlash(root, p string) string {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(rel)
}

// resolveRefs classifies every reference of every kustomization.
func (r *Repo) resolveRefs() {
	// Hundreds of overlays name the same base and components: each path
	// is looked at on disk once.
	seen := map[string]Ref{}
	for _, k := range r.Kustomizations {
		for i := range k.Refs {
			r.resolve(k, &k.Refs[i], seen)
		}
	}
}

func (r *Repo) resolve(k *Kustomization, ref *Ref, seen map[string]Ref) {
	v := ref.Value
	if filepath.IsAbs(v) || strings.HasPrefix(v, "/") {
		ref.Kind, ref.Reason = RefEscape, "absolute path"
		return
	}
	abs := filepath.Join(r.Root, filepath.FromSlash(k.Dir), filepath.FromSlash(v))
	if !within(r.Root, abs) {
		if isRemote(v) {
			ref.Kind = RefRemote
			return
		}
		ref.Kind, ref.Reason = RefEscape, "climbs above the repository root"
		return
	}
	key := abs
	if isRemote(v) {
		key += "\x00remote"
	}
	got, ok := seen[key]
	if !ok {
		got = r.resolvePath(abs, isRemote(v))
		seen[key] = got
	}
	ref.Kind, ref.Path, ref.Reason = got.Kind, got.Path, got.Reason
}

// resolvePath classifies what a reference inside the repository names on
// disk; remote says the value as written could also be a remote URL.
func (r *Repo) resolvePath(abs string, remote bool) Ref {
	if rel := relSlash(r.Root, abs); r.walked[rel] != 0 {
		return r.classify(rel, r.walked[rel] == walkedDir)
	}
	resolved, err := r.FS.Resolve(abs)
	if errors.Is(err, rootfs.ErrOutside) {
		return Ref{Kind: RefEscape, Reason: "symlink resolves outside the repository"}
	}
	if err != nil {
		if remote {
			return Ref{Kind: RefRemote}
		}
		return Ref{Kind: RefMissing, Path: relSlash(r.Root, abs)}
	}
	fi, err := os.Stat(resolved)
	if err != nil {
		return Ref{Kind: RefMissing, Path: relSlash(r.Root, abs)}
	}
	return r.classify(relSlash(r.Root, abs), fi.IsDir())
}

// classify names what an existing path inside the repository is to a
// kustomization: a file, or a directory with or without a kustomization.
func (r *Repo) classify(rel string, dir bool) Ref {
	out := Ref{Path: rel, Kind: RefFile}
	if dir {
		out.Kind = RefPlainDir
		if _, ok := r.Kustomizations[rel]; ok {
			out.Kind = RefDir
		}
	}
	return out
}

// findTargets picks the targets and raises discovery findings.
func (r *Repo) findTargets(opts Options, charts []string) {
	included, covered := r.inclusions()
	dirs := sortedKeys(r.Kustomizations)
	v := vetting{blockedBy: map[string]string{}, partial: map[string]bool{}}
	cycles := r.findCycles()
	for _, dir := range dirs {
		r.vet(dir, opts, &v)
	}
	for _, c := range cycles {
		for _, dir := range c.members {
			v.blockedBy[dir] = "is part of a kustomization cycle"
		}
		r.Findings = append(r.Findings, rules.Finding{
			RuleID: rules.KustomizationCycle, Severity: rules.Error, Location: c.ref.Pos,
			Message: fmt.Sprintf("%s entry %q closes a cycle: %s", c.ref.Field, c.ref.Value, strings.Join(c.path, " -> ")),
		})
	}
	r.kustomizeTargets(dirs, included, &v)
	r.plainTargets(covered, charts)
	slices.SortFunc(r.Targets, func(a, b Target) int { return strings.Compare(a.Path, b.Path) })
}

// inclusions returns the kustomization directories that another
// kustomization includes (never targets of their own), and the files and
// patch directories that kustomizations cover (never plain targets).
func (r *Repo) inclusions() (included, covered map[string]bool) {
	included, covered = map[string]bool{}, map[string]bool{}
	for _, k := range r.Kustomizations {
		covered[k.File] = true
		for _, ref := range k.Refs {
			switch ref.Kind {
			case RefDir:
				if ref.Includes() {
					included[ref.Path] = true
				}
			case RefFile:
				covered[ref.Path] = true
				if strings.HasPrefix(ref.Field, "patch") {
					// A directory of patch fragments is never a target
					// of its own, whichever of them are listed.
					covered[path.Dir(ref.Path)+"/"] = true
				}
			}
		}
	}
	return included, covered
}

// vetting is what discovery found that keeps kustomizations from being
// rendered whole.
type vetting struct {
	// blockedBy says why a kustomization, by directory, cannot be rendered.
	blockedBy map[string]string
	// partial are kustomizations that only list resources, some remote:
	// offline, they render as their other entries.
	partial map[string]bool
}

// vet raises the findings of the kustomization at dir that keep it from
// being rendered (it cannot be parsed, it reads outside the repository,
// it needs the network) and records them in v.
func (r *Repo) vet(dir string, opts Options, v *vetting) {
	k := r.Kustomizations[dir]
	if k.Err != nil {
		// Its references could not be vetted for escapes or remote
		// fetches, so kustomize must not see it.
		v.blockedBy[dir] = "cannot be parsed"
		r.Findings = append(r.Findings, parseFinding(k))
	} else {
		r.checkGenerators(k, v.blockedBy)
	}
	for _, ref := range k.Refs {
		switch {
		case ref.Kind == RefEscape:
			v.blockedBy[dir] = "reads outside the repository"
			r.Findings = append(r.Findings, rules.Finding{
				RuleID: rules.PathEscape, Severity: rules.Error, Location: ref.Pos,
				Message: fmt.Sprintf("%s entry %q leaves the repository (%s); it is not read", ref.Field, ref.Value, ref.Reason),
			})
		case ref.Kind != RefRemote || opts.AllowRemote:
		case k.Aggregator && ref.Field == "resources":
			v.partial[dir] = true
			r.Findings = append(r.Findings, rules.Finding{
				RuleID: rules.RemoteResource, Severity: rules.Error, Location: ref.Pos,
				Message: fmt.Sprintf("%s entry %q is remote and was not fetched; the other entries were rendered without it (use --allow-remote to fetch it)", ref.Field, ref.Value),
			})
		default:
			v.blockedBy[dir] = "needs the network"
			r.Findings = append(r.Findings, rules.Finding{
				RuleID: rules.RemoteResource, Severity: rules.Error, Location: ref.Pos,
				Message: fmt.Sprintf("%s entry %q is remote; the target was not rendered (use --allow-remote to fetch it)", ref.Field, ref.Value),
			})
		}
	}
}

// parseFinding is the finding of a kustomization that cannot be parsed:
// at the syntax error when there is one, else at its first line.
func parseFinding(k *Kustomization) rules.Finding {
	pos := manifest.Origin{File: k.File, Line: 1}
	msg := k.Err.Error()
	if se, ok := manifest.AsSyntaxError(k.File, k.Err); ok {
		pos, msg = se.Origin, se.Msg
	}
	rule := rules.RenderError
	if errors.Is(k.Err, manifest.ErrAliasExpansion) {
		rule = rules.YAMLSyntax
	}
	return rules.Finding{
		RuleID: rule, Severity: rules.Error, Location: pos,
		Message: "kustomization cannot be parsed: " + msg,
	}
}

// kustomizeTargets adds a target for every kustomization that no other
// includes and is no component, and names, on each discovery finding,
// the targets whose kustomizations it is in.
func (r *Repo) kustomizeTargets(dirs []string, included map[string]bool, v *vetting) {
	findingTargets := map[int][]string{}
	counts := &includeCounts{r: r, memo: map[string]int{}}
	for _, dir := range dirs {
		if included[dir] || r.Kustomizations[dir].Component {
			continue
		}
		closure := r.Closure(dir)
		t := r.kustomizeTarget(dir, closure, v)
		r.checkIncludes(&t, closure, counts)
		for i, f := range r.Findings {
			if slices.ContainsFunc(closure, func(d string) bool { return r.Kustomizations[d].File == f.Location.File }) {
				findingTargets[i] = append(findingTargets[i], dir)
			}
		}
		r.Targets = append(r.Targets, t)
	}
	for i, ts := range findingTargets {
		r.Findings[i].Targets = ts
	}
}

// kustomizeTarget is the target of the kustomization at dir, whose
// closure is given: what it includes, and whether and why it is not
// rendered, or rendered without its remote entries.
func (r *Repo) kustomizeTarget(dir string, closure []string, v *vetting) Target {
	t := Target{Path: dir, Kind: Kustomize}
	for _, d := range closure {
		if d != dir {
			t.Includes = append(t.Includes, d)
		}
		if reason, ok := v.blockedBy[d]; ok && t.Blocked == "" {
			t.Blocked = d + " " + reason
		}
		if v.partial[d] && t.Partial == "" {
			t.Partial = d
		}
	}
	if t.Partial != "" && !r.aggregatesDown(dir, t.Partial) {
		// Something between the target and the remote entry
		// transforms resources: only the whole build is right.
		if t.Blocked == "" {
			t.Blocked = t.Partial + " needs the network"
		}
		t.Partial = ""
	}
	if t.Blocked != "" {
		t.Partial = ""
	}
	return t
}

// aggregatesDown reports whether every kustomization of dir's closure
// that leads to one with remote entries (to, dir and to included) only
// lists resources, so that the target's output is the union of its parts
// and a left-out remote entry removes only its own resources. It follows
// the same resources entries as the engine's plan.
func (r *Repo) aggregatesDown(dir, to string) bool {
	seen := map[string]bool{}
	var walk func(string) bool // reports whether to is reached through aggregators only
	walk = func(d string) bool {
		if seen[d] {
			return false
		}
		seen[d] = true
		k := r.Kustomizations[d]
		if k == nil || !k.Aggregator {
			return false
		}
		if d == to {
			return true
		}
		for _, ref := range k.Refs {
			if ref.Kind == RefDir && walk(ref.Path) {
				return true
			}
		}
		return false
	}
	if !walk(dir) {
		return false
	}
	// Every path to a partial kustomization must aggregate: a
	// transforming kustomization on any of them is rendered whole.
	for _, d := range r.Closure(dir) {
		if k := r.Kustomizations[d]; k != nil && !k.Aggregator && !k.Component && slices.Contains(r.Closure(d), to) {
			return false
		}
	}
	return true
}

// Closure lists the kustomization directories reachable from dir through
// resources, bases and components, dir included, sorted. Cycles are cut.
func (r *Repo) Closure(dir string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(d string) {
		if seen[d] {
			return
		}
		seen[d] = true
		if k, ok := r.Kustomizations[d]; ok {
			for _, ref := range k.Refs {
				if ref.Kind == RefDir && ref.Includes() {
					visit(ref.Path)
				}
			}
		}
	}
	visit(dir)
	return sortedKeys(seen)
}

type cycle struct {
	ref     Ref      // the reference that closes it
	path    []string // the directories along it
	members []string
}

// findCycles reports each back edge of a depth-first search over the
// include graph once, in a deterministic order.
func (r *Repo) findCycles() []cycle {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var stack []string
	var out []cycle
	var visit func(string)
	visit = func(d string) {
		color[d] = grey
		stack = append(stack, d)
		for _, ref := range r.Kustomizations[d].Refs {
			if ref.Kind != RefDir || !ref.Includes() {
				continue
			}
			switch color[ref.Path] {
			case white:
				visit(ref.Path)
			case grey:
				i := slices.Index(stack, ref.Path)
				members := slices.Clone(stack[i:])
				out = append(out, cycle{ref: ref, path: append(slices.Clone(members), ref.Path), members: members})
			}
		}
		stack = stack[:len(stack)-1]
		color[d] = black
	}
	for _, d := range sortedKeys(r.Kustomizations) {
		if color[d] == white {
			visit(d)
		}
	}
	return out
}

// plainTargets groups manifest files that no kustomization covers by
// directory. Files that hold no Kubernetes object (CI configs, Helm values)
// are not targets; malformed YAML is reported because nothing else would.
func (r *Repo) plainTargets(covered map[string]bool, charts []string) {
	byDir := map[string][]string{}
	templates := map[string][]string{} // directory -> template files, for one finding each
	for _, f := range r.Files {
		// A file beside a kustomization that it does not list (a disabled
		// patch, a sample) is not deployed: Argo CD and Flux build that
		// directory through kustomize. Only kustomization-free directories
		// hold plain targets, and none in hidden directories (.archive).
		if _, inKustomization := r.Kustomizations[path.Dir(f)]; covered[f] || covered[path.Dir(f)+"/"] || inKustomization || r.patchDir(path.Dir(f)) || !isManifestName(f) || inAny(f, charts) || hidden(path.Dir(f)) {
			continue
		}
		data, err := r.FS.ReadFile(f)
		if err != nil {
			continue
		}
		docs, err := manifest.DecodeFile(f, data)
		if isTemplate(data, err) {
			templates[path.Dir(f)] = append(templates[path.Dir(f)], f)
			continue
		}
		if err != nil {
			var se *manifest.SyntaxError
			if errors.As(err, &se) && (!strings.HasSuffix(f, ".json") || meantAsObject(data)) {
				r.Findings = append(r.Findings, rules.Finding{
					RuleID: rules.YAMLSyntax, Severity: rules.Error, Location: se.Origin, Message: se.Msg,
				})
			}
			continue
		}
		if !slices.ContainsFunc(docs, func(d *manifest.Document) bool { return d.Object != nil && isClusterObject(d.Object) }) {
			continue
		}
		r.Manifests[f] = docs
		byDir[path.Dir(f)] = append(byDir[path.Dir(f)], f)
	}
	for _, dir := range sortedKeys(byDir) {
		r.Targets = append(r.Targets, Target{Path: dir, Kind: Plain, Files: byDir[dir]})
	}
	for _, dir := range sortedKeys(templates) {
		fs := templates[dir]
		names := make([]string, len(fs))
		for i, f := range fs {
			names[i] = path.Base(f)
		}
		r.Findings = append(r.Findings, rules.Finding{
			RuleID: rules.TemplateSkipped, Severity: rules.Info, Location: manifest.Origin{File: fs[0], Line: 1},
			Message: fmt.Sprintf("%d file(s) here look like templates, not Kubernetes manifests, and were not checked: %s", len(fs), strings.Join(names, ", ")),
		})
	}
}

// patchDir reports a directory named patches (or patch) beside a
// kustomization: kubebuilder and kustomize layouts keep patch fragments
// there, listed or commented out, and they are no objects of their own.
func (r *Repo) patchDir(dir string) bool {
	switch path.Base(dir) {
	case "patches", "patch":
		_, ok := r.Kustomizations[path.Dir(dir)]
		return ok
	}
	return false
}

// templateMarkers are what Helm, Ansible and Jinja templates have and
// manifests do not: Helm's built-in objects and Jinja statements.
// Alerting rules and Alertmanager templates carry {{ $labels.x }} and
// {{ range .Alerts }} inside strings and stay manifests; an unquoted
// Ansible {{ var }} breaks the YAML, which isTemplate catches.
var templateMarkers = regexp.MustCompile(`\{\{-?\s*(\.Values|\.Release|\.Chart|\.Capabilities|include\s|toYaml\s|template\s)|\{%-?\s`)

// isTemplate reports a file that is a template rather than a manifest:
// it has a template's markers, or it fails to parse and has {{ or {%.
func isTemplate(data []byte, decodeErr error) bool {
	if templateMarkers.Match(data) {
		return true
	}
	return decodeErr != nil && (bytes.Contains(data, []byte("{{")) || bytes.Contains(data, []byte("{%")))
}

// hidden reports a directory path with a component that starts with a dot
// (.archive, .github): not deployed, so never a target.
func hidden(dir string) bool {
	for _, part := range strings.Split(dir, "/") {
		if len(part) > 1 && strings.HasPrefix(part, ".") {
			return true
		}
	}
	return false
}

// localConfigGroups are API groups of configuration files that local
// tools read (cluster creation, builds, node and control-plane
// components); such a file has apiVersion and kind but is never applied.
var localConfigGroups = map[string]bool{
	"kind.x-k8s.io": true, "k3d.io": true, "ctlptl.dev": true, "kubeadm.k8s.io": true,
	"talos.dev": true, "config.kubernetes.io": true, "kustomize.config.k8s.io": true,
}

// noDotGroups are the built-in API groups whose names have no dot.
var noDotGroups = map[string]bool{"apps": true, "batch": true, "policy": true, "autoscaling": true, "extensions": true}

// isClusterObject reports an object a cluster could take: string
// apiVersion and kind, and not a local tool's configuration (kind or k3d
// clusters, kubeconfig, skaffold, talos, kubelet configuration).
func isClusterObject(obj map[string]any) bool {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	if apiVersion == "" || kind == "" {
		return false
	}
	group, version, grouped := strings.Cut(apiVersion, "/")
	switch {
	case !grouped:
		// The core group is only ever v1; a kubeconfig is v1 Config.
		return group == "v1" && kind != "Config"
	case localConfigGroups[group], strings.HasSuffix(group, ".config.k8s.io"):
		return false
	case !strings.Contains(group, ".") && !noDotGroups[group]:
		return false // skaffold/v4beta6 and the like
	}
	return version != ""
}

// meantAsObject tells a .json file meant as a Kubernetes object (a
// truncated manifest is a finding) from the many other JSON files of a
// repository (dashboards, tool settings, JSON with comments), whose syntax
// is not ours to judge.
func meantAsObject(data []byte) bool {
	return bytes.Contains(data, []byte(`"apiVersion"`)) && bytes.Contains(data, []byte(`"kind"`))
}

func isManifestName(f string) bool {
	switch strings.ToLower(path.Ext(f)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

func inAny(f string, dirs []string) bool {
	return slices.ContainsFunc(dirs, func(d string) bool { return d == "." || strings.HasPrefix(f, d+"/") })
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortRefs(refs []Ref) {
	slices.SortStableFunc(refs, func(a, b Ref) int {
		if a.Pos.Line != b.Pos.Line {
			return a.Pos.Line - b.Pos.Line
		}
		return a.Pos.Col - b.Pos.Col
	})
}

// SensitiveValues returns the values that the secretGenerators of the
// given kustomizations feed into Secrets: literal values, the values of
// their env files and the content of their files. kustomize quotes such
// inputs in its error messages, so every message built from one must be
// screened with them (internal/redact). configMapGenerator inputs are not
// secrets (a credential in one is the secret scan's to find), and a bare
// key of an env file has no value in the repository. Only files that
// resolved inside the repository are read, through the confined FS.
func (r *Repo) SensitiveValues(dirs []string) []string {
	var vals []string
	for _, dir := range dirs {
		k, ok := r.Kustomizations[dir]
		if !ok {
			continue
		}
		for _, g := range k.Generators {
			if g.Kind != "Secret" {
				continue
			}
			vals = append(vals, g.Literals...)
			for _, in := range g.Inputs {
				if in.Field != "envs" && in.Field != "files" {
					continue
				}
				p := path.Join(dir, in.Path)
				if !slices.ContainsFunc(k.Refs, func(ref Ref) bool { return ref.Kind == RefFile && ref.Path == p }) {
					continue
				}
				data, err := r.FS.ReadFile(p)
				if err != nil {
					continue
				}
				if in.Field == "files" {
					vals = append(vals, string(data))
					continue
				}
				for _, e := range ParseEnv(data) {
					if e.HasValue {
						vals = append(vals, strings.TrimSpace(e.Value))
					}
				}
			}
		}
	}
	return vals
}

// Dependencies lists the repository files that building the kustomization
// in dir reads, as far as its kustomization files say: every kustomization
// file in its closure and every file they name (resources, patches,
// generator inputs, replacements, configurations, ...), including named
// files that do not exist, so that creating or deleting one counts as a
// change. Sorted.
func (r *Repo) Dependencies(dir string) []string {
	var files []string
	for _, d := range r.Closure(dir) {
		k, ok := r.Kustomizations[d]
		if !ok {
			continue
		}
		files = append(files, k.File)
		home := path.Join(d, "charts")
		for _, ref := range k.Refs {
			switch ref.Kind {
			case RefFile, RefMissing:
				files = append(files, ref.Path)
			}
			if ref.Field == "helmGlobals" && ref.Path != "" {
				home = ref.Path
			}
		}
		if k.HelmCharts {
			// Every chart file may change the render.
			for _, f := range r.Files {
				if strings.HasPrefix(f, home+"/") {
					files = append(files, f)
				}
			}
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}
