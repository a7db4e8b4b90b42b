// Package diff renders the targets that a change affects on both of its
// sides, a git ref and the working tree, and compares what they render
// resource by resource and field by field: what a reviewer of a pull
// request that edits a base, a patch or an image tag needs to see, and
// what reading the changed files alone does not show.
//
// Nothing it returns holds a secret value: the data of Secrets is
// compared but never kept, and every other value is screened before it
// is kept (see redactor).
package diff

import (
	"cmp"
	"context"
	"errors"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/kustomize/api/types"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/engine"
	"github.com/gitops-lint/gitops-lint/internal/gitx"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/render"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
)

// Options configure a diff.
type Options struct {
	// Dir is the directory to compare: a git working tree or a directory
	// inside one. Targets are discovered under it on both sides.
	Dir string
	// Base is the git ref to compare with.
	Base string
	// Jobs bounds how many targets are rendered at once (default GOMAXPROCS).
	Jobs int
	// AllowRemote permits remote kustomize resources, as check's flag.
	AllowRemote bool
	// LoadRestrictions are kustomize's for targets the configuration file
	// gives none (default rootOnly).
	LoadRestrictions types.LoadRestrictions
	// Scope is the working tree's configuration, resolved; its target
	// selection and per-target settings apply to both sides, so that a
	// target is compared with itself. Nil means no file.
	Scope *config.Scope
	// GitOps names this repository's URLs, so that the Argo CD
	// Applications whose source is one of its charts render on each side.
	GitOps gitops.Options
	// ChartDirs are directories of Helm charts (engine.Options.ChartDirs),
	// the same on both sides.
	ChartDirs []string
}

// Change says how something differs between the base and the working tree.
type Change int

// Changes.
const (
	// Changed: on both sides, different.
	Changed Change = iota
	// Added: only in the working tree.
	Added
	// Removed: only at the base.
	Removed
	// Reordered: the same items of a list, in another order (fields only).
	Reordered
)

// Symbol is the mark of the change in text output: ~, + or -.
func (c Change) Symbol() string {
	switch c {
	case Added:
		return "+"
	case Removed:
		return "-"
	}
	return "~"
}

// Result is a diff of every affected target.
type Result struct {
	// Base is the ref as it was given.
	Base string
	// Files are the files under Dir that differ between Base and the
	// working tree, sorted.
	Files []string
	// Targets are the affected targets that render differently or fail
	// to render, sorted by path.
	Targets []Target
	// Unchanged counts the affected targets (they read a changed file)
	// that render the same on both sides.
	Unchanged int
	// Images are, for every image whose reference changes in a target, a
	// row per affected target that runs it (changed or not): the promotion
	// view. Sorted by image, then environment in promotion order (dev
	// before staging before prod), then target.
	Images []ImageChange
}

// Target is the diff of one target.
type Target struct {
	// Path is the repository-relative directory, slash-separated.
	Path string
	// Environment is the target's environment: the configuration file's,
	// else derived from its path as policies see it ("prod" for
	// overlays/prod).
	Environment string
	// Change is Added for a target only the working tree has, Removed
	// for one only the base has, else Changed.
	Change Change
	// BaseError and HeadError say why the target does not render at the
	// base or in the working tree; then its resources are not compared.
	BaseError, HeadError string
	// Resources are those added, removed or changed, sorted by kind,
	// namespace and name.
	Resources []Resource
}

// Count returns how many of the target's resources have change c.
func (t *Target) Count(c Change) int {
	n := 0
	for _, r := range t.Resources {
		if r.Change == c {
			n++
		}
	}
	return n
}

// Resource is one rendered resource that differs. Resources are matched
// by API group, kind, namespace and name, so that a new apiVersion of the
// same object is a change of its apiVersion field rather than a removal
// and an addition; a ConfigMap or Secret whose generated name changes
// with its content (the hash suffix kustomize appends) is matched with
// its previous self.
type Resource struct {
	// ID is the resource in the working tree, or at the base when removed.
	ID     manifest.ResID
	Change Change
	// Fields are the changes of a changed resource, in document order.
	Fields []Field
}

// Field is one changed field of a resource.
type Field struct {
	// Path names the field: dot-separated keys, list items by their merge
	// key ("containers[name=web]") or else by index ("args[2]"), and keys
	// that are not plain words quoted ("labels[\"app.kubernetes.io/name\"]").
	Path   string
	Change Change
	// Old and New are the values, as short YAML flow text, screened for
	// secrets and cut to a few dozen characters; empty when the side has
	// none, and always empty when Secret is set.
	Old, New string
	// Secret is set for a value of a Secret's data or stringData: only
	// that it changed is told.
	Secret bool
	// Lines are, for a text of several lines on both sides, the lines
	// that differ, each starting with "-" or "+", instead of Old and New.
	Lines []string
	toks  []string
}

// ImageChange is a container image whose reference differs in a target.
type ImageChange struct {
	// Image is the image's name, without tag or digest.
	Image       string
	Environment string
	Target      string
	// Old and New are the tag, @digest or tag@digest at the base and in
	// the working tree; "" when the target does not run the image on that
	// side. When the image's name changed too, Old is the whole previous
	// reference.
	Old, New string
}

// Run compares the targets that the files changed since opts.Base affect.
// A missing ref is a *gitx.MissingRefError. Problems of the repository
// (a target that does not render) are part of the result, not errors.
func Run(ctx context.Context, opts Options) (*Result, error) {
	g, err := gitx.Open(ctx, opts.Dir)
	if err != nil {
		return nil, err
	}
	files, err := g.ChangedInWorkTree(ctx, opts.Base)
	if err != nil {
		return nil, err
	}
	res := &Result{Base: opts.Base, Files: files}
	if len(files) == 0 {
		return res, nil
	}
	// The base is exported from git objects into a directory of its own,
	// never checked out: the working tree stays as it is.
	tmp, err := os.MkdirTemp("", "gitops-lint-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	if err := g.ExportCommit(ctx, opts.Base, tmp); err != nil {
		return nil, err
	}
	head, err := newSide(opts.Dir, opts)
	if err != nil {
		return nil, err
	}
	base, err := newSide(tmp, opts)
	if err != nil {
		return nil, err
	}

	affected := affectedTargets(files, base, head)
	outs, err := renderAll(ctx, opts.Jobs, affected, base, head)
	if err != nil {
		return nil, err
	}
	red, err := newRedactor(ctx, opts, base, head, outs)
	if err != nil {
		return nil, err
	}
	compare(res, affected, outs, base, head, red)
	return res, nil
}

// newRedactor knows every secret value of both sides: the values gitleaks
// flags, those of the rendered Secrets and of the secretGenerators'
// inputs. The regexes the configuration file allows are not secrets to
// this repository's owners either.
func newRedactor(ctx context.Context, opts Options, base, head *side, outs [][2]output) (*redactor, error) {
	var allow []string
	if opts.Scope != nil {
		allow = opts.Scope.Secrets.Regexes
	}
	values := &redact.Set{}
	scanner, err := secrets.New(head.repo, secrets.Options{AllowRegexes: allow, Found: values})
	if err != nil {
		return nil, err
	}
	for _, o := range outs {
		for _, objs := range [][]map[string]any{o[0].objects, o[1].objects} {
			for _, obj := range objs {
				values.Add(manifest.SecretValues(obj)...)
				values.AddPublic(redact.Names(obj)...)
			}
		}
	}
	for _, s := range []*side{base, head} {
		values.Add(s.repo.SensitiveValues(slices.Collect(maps.Keys(s.repo.Kustomizations)))...)
	}
	return &redactor{ctx: ctx, scanner: scanner, values: values}, nil
}

// compare fills res with the changes of the affected targets, and the
// images they run for the promotion view.
func compare(res *Result, affected []string, outs [][2]output, base, head *side, red *redactor) {
	values := red.values
	// What each affected target runs now, for the promotion view.
	running := map[string]map[containerKey]string{}
	for i, p := range affected {
		t := Target{Path: p, Environment: head.environment(p)}
		b, h := outs[i][0], outs[i][1]
		switch {
		case !base.has(p):
			t.Change = Added
		case !head.has(p):
			t.Change, t.Environment = Removed, base.environment(p)
		}
		t.BaseError, t.HeadError = values.Text(b.err), values.Text(h.err)
		if b.err == "" && h.err == "" {
			t.Resources = compareTargets(b.objects, h.objects, red)
			res.Images = append(res.Images, imageChanges(&t, b.objects, h.objects)...)
		}
		if h.err == "" && head.has(p) {
			running[p] = imageRefs(h.objects)
		}
		if len(t.Resources) == 0 && t.BaseError == "" && t.HeadError == "" {
			res.Unchanged++
			continue
		}
		res.Targets = append(res.Targets, t)
	}
	res.Images = append(res.Images, unchangedImages(res.Images, running, head)...)
	sortImages(res.Images)
	res.Images = slices.Compact(res.Images)
}

// sortImages sorts by image, then environments in promotion order, as
// the images view does.
func sortImages(cs []ImageChange) {
	slices.SortFunc(cs, func(a, b ImageChange) int {
		return cmp.Or(strings.Compare(a.Image, b.Image), gitops.EnvironmentOrder(a.Environment, b.Environment),
			cmpStrings(a.Target, b.Target, a.Old, b.Old, a.New, b.New))
	})
}

// cmpStrings compares pairs of strings in turn: a0 with b0, then a1 with b1...
func cmpStrings(pairs ...string) int {
	for i := 0; i+1 < len(pairs); i += 2 {
		if c := strings.Compare(pairs[i], pairs[i+1]); c != 0 {
			return c
		}
	}
	return 0
}

// side is one of the two trees, opened as every command opens a
// repository: its targets are those the configuration file keeps.
type side struct {
	repo *repo.Repo
	w    *engine.Workspace
}

func newSide(dir string, opts Options) (*side, error) {
	w, err := engine.Open(engine.Options{Root: dir, AllowRemote: opts.AllowRemote, LoadRestrictions: opts.LoadRestrictions, Scope: opts.Scope, GitOps: opts.GitOps, ChartDirs: opts.ChartDirs})
	if err != nil {
		return nil, err
	}
	return &side{repo: w.Repo, w: w}, nil
}

func (s *side) has(path string) bool {
	if engine.IsRelease(path) {
		return slices.Contains(s.releases(path), path)
	}
	_, _, ok := s.w.Target(path)
	return ok
}

// releases are the paths of the Helm release targets of the target at
// path (or of the release target's target); none when it does not render.
func (s *side) releases(path string) []string {
	target, _, _ := strings.Cut(path, engine.ReleaseSeparator)
	if _, _, ok := s.w.Target(target); !ok {
		return nil
	}
	rels, _ := s.w.Releases(target) // a failed render is the target's to show
	out := make([]string, len(rels))
	for i, r := range rels {
		out[i] = r.Path
	}
	return out
}

func (s *side) environment(path string) string {
	path, _, _ = strings.Cut(path, engine.ReleaseSeparator) // a release's is its target's
	if _, st, _ := s.w.Target(path); st.Environment != "" {
		return st.Environment
	}
	return rego.Environment(path)
}

// dependencies are the files whose change may change what the target
// renders: those its kustomizations name, or a plain target's manifests,
// and the chart and values files of its Helm releases.
func (s *side) dependencies(path string) []string {
	return s.w.Dependencies(path)
}

// paths are the paths of the side's targets.
func (s *side) paths() []string {
	out := make([]string, len(s.w.Targets))
	for i, t := range s.w.Targets {
		out[i] = t.Path
	}
	return out
}

// affectedTargets are the targets that only one side has, and those that
// depend, on either side, on a changed file; sorted.
func affectedTargets(changed []string, base, head *side) []string {
	paths := append(head.paths(), base.paths()...)
	slices.Sort(paths)
	paths = slices.Compact(paths)
	var out []string
	for _, p := range paths {
		reads := func(s *side) bool {
			return slices.ContainsFunc(s.dependencies(p), func(f string) bool {
				_, found := slices.BinarySearch(changed, f)
				return found
			})
		}
		if !base.has(p) || !head.has(p) || reads(base) || reads(head) {
			out = append(out, p)
		}
	}
	// The Helm releases of an affected target are targets of their own:
	// a values change shows in the objects its chart installs.
	var releases []string
	for _, p := range out {
		releases = append(releases, base.releases(p)...)
		releases = append(releases, head.releases(p)...)
	}
	out = append(out, releases...)
	slices.Sort(out)
	return slices.Compact(out)
}

// output is a target rendered on one side: its objects, or why it did
// not render. Both are empty when the side does not have the target.
type output struct {
	objects []map[string]any
	err     string
}

// renderAll renders every affected target on each side that has it, in
// parallel; index 0 is the base, 1 the working tree.
func renderAll(ctx context.Context, jobs int, paths []string, base, head *side) ([][2]output, error) {
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	outs := make([][2]output, len(paths))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, p := range paths {
		for k, s := range [2]*side{base, head} {
			if !s.has(p) {
				continue
			}
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				outs[i][k] = s.render(p)
				return nil
			})
		}
	}
	return outs, g.Wait()
}

func (s *side) render(path string) output {
	objs, err := s.w.Objects(path)
	if err == nil {
		return output{objects: objs}
	}
	var rerr *render.Error
	if !errors.As(err, &rerr) {
		// Not a render: a target that is not rendered says why in its own words.
		return output{err: err.Error()}
	}
	// kustomize quotes generator inputs in its messages; the caller
	// screens it again with every value of the diff.
	vals := &redact.Set{}
	vals.Add(s.repo.SensitiveValues(s.repo.Closure(path))...)
	// kustomize also quotes node contents, a Secret's value among them.
	vals.Add(secrets.SourceValues(s.repo.Root, s.repo.Dependencies(path))...)
	return output{err: vals.Text(err.Error())}
}

// String describes a change in words, for messages.
func (c Change) String() string {
	switch c {
	case Added:
		return "added"
	case Removed:
		return "removed"
	case Reordered:
		return "reordered"
	}
	return "changed"
}
