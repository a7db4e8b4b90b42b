package engine

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/gitops"
)

// The planted-defect test holds gitops-lint to its headline promise: a
// finding points at the line a person must edit. For key lines of the
// YAML sources that targets render (resources, bases, patches,
// components, kustomization files) it renames the key to a misspelling,
// an unknown field, and for integer values it writes a word instead; it
// checks the repository again and requires the new finding at exactly the
// planted file and line. A plant that no finding reports is skipped, with
// the reason that makes it undetectable (a free-form map, a custom
// resource whose schema keeps unknown fields); those reasons are counted
// and shown.

// plant is one defect to plant.
type plant struct {
	file      string
	line, col int
	// kind is "key" (a misspelt key) or "value" (a word for an integer).
	kind string
	// text is the key or value as written.
	text string
	// path is where the plant is in its document, for the skip reasons:
	// the document's kind and the keys leading to it.
	path []string
	// docKind and docGroup are the kind and API group of the document.
	docKind, docGroup string
	// source is the kind of file that holds it: resource, kustomization,
	// patch (strategic merge), JSON 6902 patch; "inline" prefixed when the
	// patch is written in the kustomization.
	source string
}

// plantTally counts one repository's plants.
type plantTally struct {
	planted, detected, located int
	skipped                    map[string]int
	misplaced                  []string
	// bySource counts detected and located plants per plant.source.
	bySource map[string][2]int
}

// sources formats bySource as "source located/detected" pairs.
func (t plantTally) sources() string {
	var out []string
	for _, s := range slices.Sorted(maps.Keys(t.bySource)) {
		c := t.bySource[s]
		out = append(out, fmt.Sprintf("%s %d/%d", s, c[1], c[0]))
	}
	return strings.Join(out, ", ")
}

// plantOptions bound the work: at most perKind plants of each kind per
// repository, picked with a fixed seed.
type plantOptions struct {
	perKind int
	// schemas is the schema cache directory the runs share.
	schemas string
}

func TestPlantedDefects(t *testing.T) {
	entries, err := os.ReadDir("../../testdata/repos")
	if err != nil {
		t.Fatal(err)
	}
	schemas := t.TempDir()
	perKind := 5
	if testing.Short() {
		perKind = 2
	}
	if n, err := strconv.Atoi(os.Getenv("GITOPS_LINT_PLANTS")); err == nil && n > 0 {
		perKind = n // every plant: GITOPS_LINT_PLANTS=100000
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			t.Parallel() // each plants in its own copy
			tally := plantRepo(t, filepath.Join("../../testdata/repos", e.Name()), plantOptions{perKind: perKind, schemas: schemas})
			t.Logf("%s: planted %d, detected %d, located %d (%s); skipped %v", e.Name(), tally.planted, tally.detected, tally.located, tally.sources(), tally.skipped)
			for _, m := range tally.misplaced {
				t.Error(m)
			}
			for reason := range tally.skipped {
				if strings.HasPrefix(reason, "other:") {
					t.Errorf("a plant no finding reports, for no known reason: %s", reason)
				}
			}
		})
	}
}

// TestPlantedDefectsCorpus is the long variant over ../shared/corpus
// (make corpus): at least 99 % of detected plants located, per entry.
// GITOPS_LINT_PLANTS sets the plants of each kind per entry (default 60).
func TestPlantedDefectsCorpus(t *testing.T) {
	const corpus = "../../../shared/corpus"
	entries, err := os.ReadDir(corpus)
	if err != nil || testing.Short() {
		t.Skip("no ../shared/corpus")
	}
	if os.Getenv("GITOPS_LINT_CORPUS") == "" {
		t.Skip("set GITOPS_LINT_CORPUS=1 (make corpus) to plant defects in the corpus")
	}
	schemas := t.TempDir()
	perKind := 60
	if n, err := strconv.Atoi(os.Getenv("GITOPS_LINT_PLANTS")); err == nil && n > 0 {
		perKind = n
	}
	var table []string
	for _, e := range entries {
		if !e.IsDir() || (os.Getenv("GITOPS_LINT_ENTRY") != "" && e.Name() != os.Getenv("GITOPS_LINT_ENTRY")) {
			continue
		}
		t.Run(e.Name(), func(t *testing.T) {
			tally := plantRepo(t, filepath.Join(corpus, e.Name()), plantOptions{perKind: perKind, schemas: schemas})
			pct := 100.0
			if tally.detected > 0 {
				pct = 100 * float64(tally.located) / float64(tally.detected)
			}
			row := fmt.Sprintf("| %s | %d | %d | %d | %.1f %% | %s | %v |", e.Name(), tally.planted, tally.detected, tally.located, pct, tally.sources(), tally.skipped)
			table = append(table, row)
			t.Log(row)
			for _, m := range tally.misplaced {
				t.Log(m)
			}
			if pct < 99 {
				t.Errorf("%.1f %% of detected plants located, want at least 99 %%", pct)
			}
		})
	}
	t.Log("\n| entry | planted | detected | located | located/detected | located/detected per source | skipped (undetectable) |\n|---|---|---|---|---|---|---|\n" + strings.Join(table, "\n"))
}

// plantRepo copies the repository, plants each picked defect in turn and
// checks the copy, restoring the file after each.
func plantRepo(t *testing.T, src string, opts plantOptions) plantTally {
	t.Helper()
	root := copyRepo(t, src)
	ctx := context.Background()
	cfg, err := config.Load(src, "")
	if err != nil {
		t.Fatal(err)
	}
	// The repository's own URLs: its Argo CD Applications render.
	gitopsOpts := gitops.Options{RepoURLs: cfg.GitOps.RepoURLs}
	run := func(changed string) ([]rules.Finding, error) {
		res, err := Run(ctx, Options{Root: root, SchemaCacheDir: opts.schemas, LoadSchemas: testSchemas.Load, Jobs: 1, Changed: []string{changed}, GitOps: gitopsOpts})
		if err != nil {
			return nil, err
		}
		return res.Findings, nil
	}
	rendered, err := Render(ctx, Options{Root: root, Jobs: 1, GitOps: gitopsOpts})
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, reads := range rendered.Reads {
		for _, f := range reads {
			read[f] = true
		}
	}
	tally := plantTally{skipped: map[string]int{}, bySource: map[string][2]int{}}
	patches := map[string]*repo.Patch{}
	for _, k := range rendered.Repo.Kustomizations {
		for i, p := range k.Patches {
			if p.Ref != nil && p.Ref.Kind == repo.RefFile {
				patches[p.Ref.Path] = &k.Patches[i]
			}
		}
	}
	var plants []plant
	for _, k := range rendered.Repo.Kustomizations {
		for _, p := range k.Patches {
			if p.Inline == "" || !read[p.InlineAt.File] {
				continue
			}
			// An inline patch's keys, at their lines in the kustomization.
			for _, pl := range plantsOf(p.InlineAt.File, []byte(p.Inline), false, &p) {
				pl.line, pl.col = pl.line+p.InlineAt.Line-1, pl.col+p.InlineAt.Col-1
				pl.source = "inline " + pl.source
				plants = append(plants, pl)
			}
		}
	}
	for _, f := range rendered.Repo.Files {
		if ext := path.Ext(f); ext != ".yaml" && ext != ".yml" || path.Base(f) == ".gitops-lint.yaml" {
			continue
		}
		if !read[f] {
			tally.skipped[unreadReason(rendered, f)]++
			continue
		}
		if inHelmChart(rendered.Repo.Files, f) && !slices.Contains(rendered.Repo.Files, path.Join(path.Dir(f), "Chart.yaml")) || path.Base(f) == "Chart.yaml" {
			// Templates are not YAML as written, and Chart.yaml is
			// metadata; the chart's own values.yaml is planted, its
			// values located where they are rendered.
			tally.skipped["a Helm chart's template or Chart.yaml (not rendered as written)"]++
			continue
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range plantsOf(f, data, rendered.Repo.Kustomizations[path.Dir(f)] != nil && isKustomizationFile(f), patches[f]) {
			if pl.kind == "key" && inHelmChart(rendered.Repo.Files, f) {
				// A misspelt values key leaves the template without a
				// value: what it then writes is reported where it writes.
				tally.skipped["a key of a chart's values.yaml (the template reads nothing)"]++
				continue
			}
			plants = append(plants, pl)
		}
	}
	plants = pick(plants, opts.perKind, src)
	baselines := map[string][]rules.Finding{}
	for _, p := range plants {
		if why := p.ineligible(); why != "" {
			tally.skipped[why]++
			continue
		}
		before, ok := baselines[p.file]
		if !ok {
			var err error
			if before, err = run(p.file); err != nil {
				t.Fatalf("check before planting in %s: %v", p.file, err)
			}
			baselines[p.file] = before
		}
		base := map[string]bool{}
		for _, f := range before {
			base[f.Key()] = true
		}
		abs := filepath.Join(root, filepath.FromSlash(p.file))
		orig, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		planted, ok := p.apply(orig)
		if !ok {
			tally.skipped["text does not match the node (quoting, multi-line)"]++
			continue
		}
		if err := os.WriteFile(abs, planted, 0o644); err != nil {
			t.Fatal(err)
		}
		fs, err := run(p.file)
		if err := os.WriteFile(abs, orig, 0o644); err != nil {
			t.Fatal(err)
		}
		if err != nil {
			t.Errorf("%s:%d: %s plant: the check failed: %v", p.file, p.line, p.kind, err)
			continue
		}
		tally.planted++
		var fresh []rules.Finding
		for _, f := range fs {
			if !base[f.Key()] {
				fresh = append(fresh, f)
			}
		}
		if len(fresh) == 0 {
			tally.skipped[p.undetectable(before)]++
			continue
		}
		tally.detected++
		c := tally.bySource[p.source]
		c[0]++
		if slices.ContainsFunc(fresh, func(f rules.Finding) bool { return f.Location.File == p.file && f.Location.Line == p.line }) {
			tally.located++
			c[1]++
			tally.bySource[p.source] = c
			continue
		}
		tally.bySource[p.source] = c
		var at []string
		for _, f := range fresh {
			at = append(at, fmt.Sprintf("%s %s %s", f.Location, f.RuleID, f.Message))
		}
		tally.misplaced = append(tally.misplaced, fmt.Sprintf("%s:%d:%d: %s plant %q (%s %s) reported elsewhere:\n\t%s",
			p.file, p.line, p.col, p.kind, p.text, p.docKind, strings.Join(p.path, "."), strings.Join(at, "\n\t")))
	}
	return tally
}

// inHelmChart reports whether f is in a directory, or below one, that
// holds a Chart.yaml.
func inHelmChart(files []string, f string) bool {
	for dir := path.Dir(f); ; dir = path.Dir(dir) {
		if slices.Contains(files, path.Join(dir, "Chart.yaml")) {
			return true
		}
		if dir == "." || dir == "/" {
			return false
		}
	}
}

// unreadReason says why no render read a file: it belongs only to targets
// that do not render offline (a remote base: kubeflow/manifests' example
// includes nearly everything and one remote base), or to none at all.
func unreadReason(rendered *Rendered, f string) string {
	for _, t := range rendered.Targets {
		if _, ok := rendered.Resources[t.Path]; ok {
			continue
		}
		if slices.Contains(rendered.Repo.Dependencies(t.Path), f) {
			return "file only targets that do not render read (remote base, render error)"
		}
	}
	return "file no target renders"
}

// pick takes at most n plants of each kind, shuffled with a seed drawn
// from the repository's name so that every run plants the same.
func pick(plants []plant, n int, name string) []plant {
	h := fnv.New64a()
	h.Write([]byte(filepath.Base(name)))
	r := rand.New(rand.NewPCG(h.Sum64(), 13))
	r.Shuffle(len(plants), func(i, j int) { plants[i], plants[j] = plants[j], plants[i] })
	var out []plant
	count := map[string]int{}
	for _, p := range plants {
		if count[p.kind] < n {
			count[p.kind]++
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b plant) int {
		if a.file != b.file {
			return strings.Compare(a.file, b.file)
		}
		return a.line - b.line
	})
	return out
}

func isKustomizationFile(f string) bool {
	switch path.Base(f) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// plantsOf lists the eligible plants of a file: every mapping key but
// those that say what an object is (apiVersion, kind, metadata and its
// name and namespace: misspelling one makes another object, or none, not
// an unknown field) and, in a strategic-merge patch, the merge keys of
// list items (misspelling one makes the patch add an item instead of
// changing one), and every integer value. In a JSON 6902 patch (patch is
// the kustomization entry that applies it) the plants are those of the
// values its add and replace operations write.
func plantsOf(file string, data []byte, kustomization bool, patch *repo.Patch) []plant {
	var out []plant
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			break
		}
		if len(doc.Content) != 1 {
			continue
		}
		root := doc.Content[0]
		switch {
		case root.Kind == yaml.SequenceNode && patch != nil && patch.Target != nil:
			for _, op := range root.Content {
				out = append(out, jsonPatchPlants(file, op, patch.Target)...)
			}
		case root.Kind == yaml.MappingNode:
			kind, group := docKind(root)
			if kustomization {
				kind, group = "Kustomization", ""
			}
			w := planter{file: file, kind: kind, group: group, kustomization: kustomization, patch: patch != nil, source: "resource"}
			switch {
			case kustomization:
				w.source = "kustomization"
			case patch != nil:
				w.source = "patch"
			}
			w.walk(root, nil)
			out = append(out, w.out...)
		}
	}
	return out
}

// jsonPatchPlants are the plants of one JSON 6902 operation: the keys and
// integers of the value an add or replace writes, at the paths they get
// in the patched object.
func jsonPatchPlants(file string, op *yaml.Node, target *repo.Selector) []plant {
	if op.Kind != yaml.MappingNode {
		return nil
	}
	var verb, at string
	var value, pathNode *yaml.Node
	for i := 0; i+1 < len(op.Content); i += 2 {
		switch op.Content[i].Value {
		case "op":
			verb = op.Content[i+1].Value
		case "path":
			at, pathNode = op.Content[i+1].Value, op.Content[i+1]
		case "value":
			value = op.Content[i+1]
		}
	}
	if verb != "add" && verb != "replace" || value == nil {
		return nil
	}
	var base []string
	for _, seg := range strings.Split(strings.TrimPrefix(at, "/"), "/") {
		if _, err := strconv.Atoi(seg); err == nil || seg == "-" {
			seg = "[]"
		}
		base = append(base, strings.NewReplacer("~1", "/", "~0", "~").Replace(seg))
	}
	w := planter{file: file, kind: target.Kind, group: target.Group, source: "JSON 6902 patch"}
	if last := path.Base(at); verb == "add" && pathNode.Style == 0 && base[len(base)-1] != "[]" && !identity(base, false) {
		// The field an add names in its path: misspelt there, the
		// operation adds an unknown field.
		w.out = append(w.out, plant{file: file, line: pathNode.Line, col: pathNode.Column + len(at) - len(last), kind: "key", text: last, path: base, docKind: target.Kind, docGroup: target.Group, source: "JSON 6902 patch path"})
	}
	w.walk(value, base)
	return w.out
}

// docKind returns the kind and API group a document declares.
func docKind(root *yaml.Node) (kind, group string) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		switch root.Content[i].Value {
		case "kind":
			kind = root.Content[i+1].Value
		case "apiVersion":
			if g, _, ok := strings.Cut(root.Content[i+1].Value, "/"); ok {
				group = g
			}
		}
	}
	return kind, group
}

// planter collects the plants of one document.
type planter struct {
	file, kind, group, source string
	kustomization, patch      bool
	out                       []plant
}

func (w *planter) walk(n *yaml.Node, p []string) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := append(slices.Clone(p), k.Value)
			selects := w.patch && len(p) > 0 && p[len(p)-1] == "[]" && slices.Contains(mergeKeys, k.Value)
			if k.Kind == yaml.ScalarNode && k.Value != "" && k.Value != "<<" && !identity(kp, w.kustomization) && !selects {
				w.out = append(w.out, plant{file: w.file, line: k.Line, col: k.Column, kind: "key", text: k.Value, path: kp, docKind: w.kind, docGroup: w.group, source: w.source})
			}
			w.walk(v, kp)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			w.walk(c, append(slices.Clone(p), "[]"))
		}
	case yaml.ScalarNode:
		if n.ShortTag() == "!!int" && n.Style == 0 && len(p) > 0 {
			w.out = append(w.out, plant{file: w.file, line: n.Line, col: n.Column, kind: "value", text: n.Value, path: p, docKind: w.kind, docGroup: w.group, source: w.source})
		}
	}
}

func identity(p []string, kustomization bool) bool {
	if kustomization {
		return false // kustomize decodes every key strictly
	}
	switch strings.Join(p, ".") {
	case "apiVersion", "kind", "metadata", "metadata.name", "metadata.namespace":
		return true
	}
	return false
}

// apply writes the plant into the file's text, in place so that no line
// moves: the key gets "Qzx" appended, the value becomes a word.
func (p plant) apply(data []byte) ([]byte, bool) {
	lines := bytes.SplitAfter(data, []byte("\n"))
	if p.line < 1 || p.line > len(lines) {
		return nil, false
	}
	line := lines[p.line-1]
	at := p.col - 1
	if at < 0 || at >= len(line) {
		return nil, false
	}
	end := at + len(p.text)
	if q := line[at]; q == '"' || q == '\'' {
		at++
		end = at + len(p.text)
	}
	if end > len(line) || string(line[at:end]) != p.text {
		return nil, false
	}
	var planted []byte
	switch p.kind {
	case "key":
		planted = slices.Concat(line[:end], []byte("Qzx"), line[end:])
	default:
		planted = slices.Concat(line[:at], []byte("qzx"), line[end:])
	}
	lines[p.line-1] = planted
	return bytes.Join(lines, nil), true
}

// freeForm are the fields whose keys are data, not schema: any key is
// valid under them.
var freeForm = []string{"labels", "annotations", "data", "stringData", "binaryData", "matchLabels", "nodeSelector", "limits", "requests", "selector", "parameters", "literals", "commonLabels", "commonAnnotations", "capacity", "hard", "values", "valuesContent", "substitute", "env", "properties"}

// listItems matches the list indexes of a finding's path.
var listItems = regexp.MustCompile(`\b\d+\b`)

// mergeKeys are those by which a strategic merge matches list items.
var mergeKeys = []string{"name", "containerPort", "mountPath", "devicePath", "ip", "topologyKey", "port"}

// ineligible says why a plant is not a defect of the field it renames,
// or "" when it is one. A property name in a CRD's schema is data: renaming
// it makes the custom resources that use the property wrong, and they are
// where the finding belongs.
func (p plant) ineligible() string {
	if p.docKind == "CustomResourceDefinition" && slices.Contains(p.path, "openAPIV3Schema") && slices.Contains(p.path[:len(p.path)-1], "properties") {
		return "a property name in a CRD schema (the custom resources become wrong)"
	}
	return ""
}

// undetectable says why a plant that no finding reports cannot be, given
// the findings of the check before planting.
func (p plant) undetectable(before []rules.Finding) string {
	for _, f := range before {
		if f.Location.File != p.file {
			continue
		}
		switch f.RuleID {
		case rules.RemovedAPI, rules.MissingSchema:
			return "object not validated (" + f.RuleID + ")"
		case rules.RenderError:
			return "target already fails to render"
		case rules.SchemaInvalid:
			if strings.HasPrefix(strings.Join(p.path, "/"), listItems.ReplaceAllString(strings.TrimPrefix(f.Path, "/"), "[]")) && strings.Contains(f.Message, "additional properties") {
				return "under a field that is itself unknown"
			}
		}
	}
	if len(p.path) > 0 && p.path[0] == "sops" {
		return "SOPS metadata of an encrypted file (never applied; SOPS checks it)"
	}
	for _, k := range p.path[:len(p.path)-1] {
		if slices.Contains(freeForm, k) {
			return "under a free-form map (" + k + ")"
		}
	}
	switch {
	case p.docKind == "":
		return "not a Kubernetes object (no kind)"
	case p.docKind == "Kustomization" && p.docGroup == "":
		return "kustomization entry kustomize accepts"
	case p.docGroup != "" && !strings.Contains(p.docGroup, "k8s.io") && !slices.Contains(builtinGroups, p.docGroup):
		return "custom resource (no schema, or one that keeps unknown fields)"
	case p.kind == "value":
		return "integer in a field that takes a string too (int-or-string)"
	}
	return "other: " + p.docKind + " " + strings.Join(p.path, ".")
}

var builtinGroups = []string{"apps", "batch", "autoscaling", "policy"}

// copyRepo copies a repository for planting; symbolic links stay links
// (the engine must keep refusing those that leave the repository).
func copyRepo(t *testing.T, src string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(src))
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
