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
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/format/gitignore"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
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
}

// Repo is the result of discovery.
type Repo struct {
	// Root is the absolute repository root with symlinks resolved.
	Root string
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
}

// Options tune discovery.
type Options struct {
	// AllowRemote lets targets with remote references be rendered.
	AllowRemote bool
}

// Discover walks root and builds the repository model. Problems in the
// repository's content become findings; only an unreadable root is an error.
func Discover(root string, opts Options) (*Repo, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	abs, err = filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, fmt.Errorf("repository root: %w", err)
	}
	if fi, err := os.Stat(abs); err != nil {
		return nil, err
	} else if !fi.IsDir() {
		return nil, fmt.Errorf("repository root %s is not a directory", root)
	}
	r := &Repo{Root: abs, Kustomizations: map[string]*Kustomization{}, Manifests: map[string][]*manifest.Document{}}
	w := &walker{repo: r}
	if err := w.walk(); err != nil {
		return nil, err
	}
	r.resolveRefs()
	r.findTargets(opts, w.charts)
	return r, nil
}

type walker struct {
	repo     *Repo
	patterns []gitignore.Pattern
	charts   []string // Helm chart directories: templates are not YAML
}

func (w *walker) walk() error {
	root := w.repo.Root
	if data, err := os.ReadFile(filepath.Join(root, ".git", "info", "exclude")); err == nil {
		w.patterns = append(w.patterns, parseIgnore(data, nil)...)
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		rel := relSlash(root, p)
		if err != nil {
			if p == root {
				return err
			}
			return nil // unreadable entries are skipped, like git does
		}
		parts := splitRel(rel)
		if d.IsDir() {
			if rel == "." {
				w.readIgnore(p, nil)
				return nil
			}
			if d.Name() == ".git" || gitignore.NewMatcher(w.patterns).Match(parts, true) {
				return filepath.SkipDir
			}
			w.readIgnore(p, parts)
			if _, err := os.Stat(filepath.Join(p, "Chart.yaml")); err == nil {
				w.charts = append(w.charts, rel)
			}
			return nil
		}
		if gitignore.NewMatcher(w.patterns).Match(parts, false) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			w.symlink(p, rel)
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if info, err := d.Info(); err == nil && w.tooLarge(rel, info.Size()) {
			return nil
		}
		w.repo.Files = append(w.repo.Files, rel)
		if slices.Contains(kustomizationFiles[:], d.Name()) {
			w.kustomization(path.Dir(rel), rel)
		}
		return nil
	})
}

func (w *walker) readIgnore(dir string, domain []string) {
	data, err := os.ReadFile(filepath.Join(dir, ".gitignore"))
	if err == nil {
		w.patterns = append(w.patterns, parseIgnore(data, domain)...)
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
func (w *walker) symlink(p, rel string) {
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return // dangling: git keeps it, kustomize will report it if used
	}
	if !within(w.repo.Root, resolved) {
		w.repo.Findings = append(w.repo.Findings, rules.Finding{
			RuleID:   rules.PathEscape,
			Severity: rules.Error,
			Message:  "symlink resolves outside the repository; it is not read",
			Location: manifest.Origin{File: rel, Line: 1}, // a link is one line: its target
		})
		return
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
		k.Err = fmt.Errorf("found multiple kustomization files (%s and %s)", path.Base(k.File), path.Base(file))
		return
	}
	k := &Kustomization{Dir: dir, File: file}
	w.repo.Kustomizations[dir] = k
	data, err := os.ReadFile(filepath.Join(w.repo.Root, filepath.FromSlash(file)))
	if err != nil {
		k.Err = err
		return
	}
	k.Err = parseKustomization(k, data)
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

func splitRel(rel string) []string {
	if rel == "." {
		return nil
	}
	return strings.Split(rel, "/")
}

// resolveRefs classifies every reference of every kustomization.
func (r *Repo) resolveRefs() {
	for _, k := range r.Kustomizations {
		for i := range k.Refs {
			r.resolve(k, &k.Refs[i])
		}
	}
}

func (r *Repo) resolve(k *Kustomization, ref *Ref) {
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
	resolved, err := filepath.EvalSymlinks(abs)
	if err != nil {
		if isRemote(v) {
			ref.Kind = RefRemote
		} else {
			ref.Kind, ref.Path = RefMissing, relSlash(r.Root, abs)
		}
		return
	}
	if !within(r.Root, resolved) {
		ref.Kind, ref.Reason = RefEscape, "symlink resolves outside the repository"
		return
	}
	ref.Path = relSlash(r.Root, abs)
	fi, err := os.Stat(resolved)
	switch {
	case err != nil:
		ref.Kind = RefMissing
	case !fi.IsDir():
		ref.Kind = RefFile
	default:
		if _, ok := r.Kustomizations[ref.Path]; ok {
			ref.Kind = RefDir
		} else {
			ref.Kind = RefPlainDir
		}
	}
}

// findTargets picks the targets and raises discovery findings.
func (r *Repo) findTargets(opts Options, charts []string) {
	included := map[string]bool{}
	covered := map[string]bool{}
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
			}
		}
	}
	cycles := r.findCycles()
	dirs := sortedKeys(r.Kustomizations)
	blockedBy := map[string]string{} // kustomization dir -> reason it cannot be rendered
	for _, dir := range dirs {
		k := r.Kustomizations[dir]
		if k.Err != nil {
			// Its references could not be vetted for escapes or remote
			// fetches, so kustomize must not see it.
			blockedBy[dir] = "cannot be parsed"
			pos := manifest.Origin{File: k.File, Line: 1}
			msg := k.Err.Error()
			if se, ok := manifest.AsSyntaxError(k.File, k.Err); ok {
				pos, msg = se.Origin, se.Msg
			}
			rule := rules.RenderError
			if errors.Is(k.Err, manifest.ErrAliasExpansion) {
				rule = rules.YAMLSyntax
			}
			r.Findings = append(r.Findings, rules.Finding{
				RuleID: rule, Severity: rules.Error, Location: pos,
				Message: "kustomization cannot be parsed: " + msg,
			})
		}
		if k.Err == nil {
			r.checkGenerators(k, blockedBy)
		}
		for _, ref := range k.Refs {
			switch ref.Kind {
			case RefEscape:
				blockedBy[dir] = "reads outside the repository"
				r.Findings = append(r.Findings, rules.Finding{
					RuleID: rules.PathEscape, Severity: rules.Error, Location: ref.Pos,
					Message: fmt.Sprintf("%s entry %q leaves the repository (%s); it is not read", ref.Field, ref.Value, ref.Reason),
				})
			case RefRemote:
				if opts.AllowRemote {
					continue
				}
				blockedBy[dir] = "needs the network"
				r.Findings = append(r.Findings, rules.Finding{
					RuleID: rules.RemoteResource, Severity: rules.Error, Location: ref.Pos,
					Message: fmt.Sprintf("%s entry %q is remote; the target was not rendered (use --allow-remote to fetch it)", ref.Field, ref.Value),
				})
			}
		}
	}
	for _, c := range cycles {
		for _, dir := range c.members {
			blockedBy[dir] = "is part of a kustomization cycle"
		}
		r.Findings = append(r.Findings, rules.Finding{
			RuleID: rules.KustomizationCycle, Severity: rules.Error, Location: c.ref.Pos,
			Message: fmt.Sprintf("%s entry %q closes a cycle: %s", c.ref.Field, c.ref.Value, strings.Join(c.path, " -> ")),
		})
	}

	findingTargets := map[int][]string{}
	counts := &includeCounts{r: r, memo: map[string]int{}}
	for _, dir := range dirs {
		k := r.Kustomizations[dir]
		if included[dir] || k.Component {
			continue
		}
		t := Target{Path: dir, Kind: Kustomize}
		closure := r.Closure(dir)
		for _, d := range closure {
			if d != dir {
				t.Includes = append(t.Includes, d)
			}
			if reason, ok := blockedBy[d]; ok && t.Blocked == "" {
				t.Blocked = d + " " + reason
			}
		}
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
	r.plainTargets(covered, charts)
	slices.SortFunc(r.Targets, func(a, b Target) int { return strings.Compare(a.Path, b.Path) })
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
	for _, f := range r.Files {
		// A file beside a kustomization that it does not list (a disabled
		// patch, a sample) is not deployed: Argo CD and Flux build that
		// directory through kustomize. Only kustomization-free directories
		// hold plain targets.
		if _, inKustomization := r.Kustomizations[path.Dir(f)]; covered[f] || inKustomization || !isManifestName(f) || inAny(f, charts) {
			continue
		}
		data, err := os.ReadFile(filepath.Join(r.Root, filepath.FromSlash(f)))
		if err != nil {
			continue
		}
		docs, err := manifest.DecodeFile(f, data)
		if err != nil {
			var se *manifest.SyntaxError
			if errors.As(err, &se) && !strings.HasSuffix(f, ".json") {
				r.Findings = append(r.Findings, rules.Finding{
					RuleID: rules.YAMLSyntax, Severity: rules.Error, Location: se.Origin, Message: se.Msg,
				})
			}
			continue
		}
		if !slices.ContainsFunc(docs, func(d *manifest.Document) bool { return d.Object != nil && manifest.IsKubernetesObject(d.Object) }) {
			continue
		}
		r.Manifests[f] = docs
		byDir[path.Dir(f)] = append(byDir[path.Dir(f)], f)
	}
	for _, dir := range sortedKeys(byDir) {
		r.Targets = append(r.Targets, Target{Path: dir, Kind: Plain, Files: byDir[dir]})
	}
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

// SensitiveValues returns the values that the generators of the given
// kustomizations feed into ConfigMaps and Secrets: literal values and the
// values of their env files. kustomize quotes such inputs in its error
// messages, so every message built from one must be redacted with them.
// Only env files that resolved inside the repository are read.
func (r *Repo) SensitiveValues(dirs []string) []string {
	var vals []string
	for _, dir := range dirs {
		k, ok := r.Kustomizations[dir]
		if !ok {
			continue
		}
		for _, g := range k.Generators {
			vals = append(vals, g.Literals...)
			for _, env := range g.Envs {
				p := path.Join(dir, env)
				if !slices.ContainsFunc(k.Refs, func(ref Ref) bool { return ref.Kind == RefFile && ref.Path == p }) {
					continue
				}
				abs := filepath.Join(r.Root, filepath.FromSlash(p))
				if fi, err := os.Stat(abs); err != nil || fi.Size() > MaxGeneratorFileSize {
					continue // not rendered (see checkGenerators): nothing to quote
				}
				data, err := os.ReadFile(abs)
				if err != nil {
					continue
				}
				for _, e := range ParseEnv(data) {
					v := e.Key // a bare key's value comes from kustomize's environment
					if e.HasValue {
						v = e.Value
					}
					vals = append(vals, strings.TrimSpace(v))
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
		for _, ref := range k.Refs {
			switch ref.Kind {
			case RefFile, RefMissing:
				files = append(files, ref.Path)
			}
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}
