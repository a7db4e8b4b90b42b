package repo

import (
	"errors"
	"fmt"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// Bounds on what one target may ask kustomize to do. kustomize's cost
// grows faster than its input in places (a generator's keys, a
// kustomization included along many paths), and a hostile repository
// must not turn one target into a run that never ends: a target over a
// bound is not rendered, with a finding at the entry that crosses it.
const (
	// MaxGeneratorEntries bounds the keys one generator makes (literals
	// plus env file lines). A ConfigMap holds at most 1 MiB; ten thousand
	// keys is far beyond any real one.
	MaxGeneratorEntries = 10_000
	// MaxGeneratorFileSize bounds each env or files input of a generator:
	// Kubernetes refuses a ConfigMap or Secret over 1 MiB anyway.
	MaxGeneratorFileSize = 1 << 20
	// repeatedIncludes bounds how often a target's build may include
	// kustomizations beyond the distinct ones, per distinct one: a
	// diamond (each level including the two below) doubles the work at
	// every level, and kustomize builds every path anew.
	repeatedIncludes = 4
	// includeSlack lets small repositories share bases freely.
	includeSlack = 1000
)

// checkGenerators blocks the kustomizations whose generators exceed the
// bounds above, before kustomize reads their inputs.
func (r *Repo) checkGenerators(k *Kustomization, blockedBy map[string]string) {
	for _, g := range k.Generators {
		entries := 0
		for _, in := range g.Inputs {
			switch in.Field {
			case "literals":
				entries++
			case "envs", "files":
				ref, ok := k.RefAt(in.Pos)
				if !ok || ref.Kind != RefFile {
					continue // missing or escaping: reported elsewhere
				}
				size, data, ok := r.generatorInput(ref.Path)
				if !ok {
					continue
				}
				if size > MaxGeneratorFileSize {
					blockedBy[k.Dir] = "has a generator input over the size limit"
					r.Findings = append(r.Findings, rules.Finding{
						RuleID: rules.RenderError, Severity: rules.Error, Location: in.Pos,
						Message: fmt.Sprintf("%s entry %q is %.1f MiB; a generator input may be at most %d MiB (a ConfigMap or Secret cannot be larger); the target was not rendered",
							in.Field, in.Path, float64(size)/(1<<20), MaxGeneratorFileSize>>20),
					})
					return
				}
				if in.Field == "envs" {
					entries += len(ParseEnv(data))
				}
			}
			if entries > MaxGeneratorEntries {
				blockedBy[k.Dir] = "has a generator over the size limit"
				r.Findings = append(r.Findings, rules.Finding{
					RuleID: rules.RenderError, Severity: rules.Error, Location: in.Pos,
					Message: fmt.Sprintf("%s %q makes more than %d keys by this entry; the target was not rendered", g.Kind+"Generator", g.Name, MaxGeneratorEntries),
				})
				return
			}
		}
	}
}

// includeCounts counts, for every kustomization, how many kustomization
// builds it takes with every include path built anew, as kustomize does;
// saturating, memoised, and linear in the include graph.
type includeCounts struct {
	r    *Repo
	memo map[string]int
}

const countCap = 1 << 40

func (c *includeCounts) of(dir string) int {
	if n, ok := c.memo[dir]; ok {
		return n
	}
	c.memo[dir] = 0 // a cycle back here adds nothing (cycles are blocked)
	n := 1
	if k, ok := c.r.Kustomizations[dir]; ok {
		for _, ref := range k.Refs {
			if ref.Kind == RefDir && ref.Includes() {
				n = min(n+c.of(ref.Path), countCap)
			}
		}
	}
	c.memo[dir] = n
	return n
}

// repeatedInclude returns the first include entry, depth first, that
// reaches a kustomization the target already includes: where a person
// looks to see why the build repeats itself.
func (r *Repo) repeatedInclude(dir string) (Ref, bool) {
	seen := map[string]bool{dir: true}
	var visit func(string) (Ref, bool)
	visit = func(d string) (Ref, bool) {
		for _, ref := range r.Kustomizations[d].Refs {
			if ref.Kind != RefDir || !ref.Includes() {
				continue
			}
			if seen[ref.Path] {
				return ref, true
			}
			seen[ref.Path] = true
			if found, ok := visit(ref.Path); ok {
				return found, true
			}
		}
		return Ref{}, false
	}
	return visit(dir)
}

// checkIncludes blocks a target whose build would include kustomizations
// far more often than it has distinct ones.
func (r *Repo) checkIncludes(t *Target, closure []string, counts *includeCounts) {
	n, distinct := counts.of(t.Path), len(closure)
	if n <= repeatedIncludes*distinct+includeSlack {
		return
	}
	at := manifest.Origin{File: r.Kustomizations[t.Path].File, Line: 1}
	if ref, ok := r.repeatedInclude(t.Path); ok {
		at = ref.Pos
	}
	if t.Blocked == "" {
		t.Blocked = t.Path + " includes kustomizations along too many paths"
	}
	msg := fmt.Sprintf("building %s would build its %d kustomizations %s times, each path anew (kustomizations that include the same ones, like a diamond); the target was not rendered", t.Path, distinct, countString(n))
	r.Findings = append(r.Findings, rules.Finding{RuleID: rules.RenderError, Severity: rules.Error, Location: at, Message: msg, Targets: []string{t.Path}})
}

func countString(n int) string {
	if n >= countCap {
		return fmt.Sprintf("more than %d", countCap)
	}
	return fmt.Sprint(n)
}

// generatorInput reads a generator's input file through the repository's
// FS, which keeps it for the render and the run's other readers, and says
// how large it is; a file too large to read is only measured.
func (r *Repo) generatorInput(file string) (size int64, data []byte, ok bool) {
	data, err := r.FS.ReadFile(file)
	if err == nil {
		return int64(len(data)), data, true
	}
	if !errors.Is(err, rootfs.ErrTooLarge) {
		return 0, nil, false
	}
	fi, err := r.FS.Stat(file)
	if err != nil {
		return 0, nil, false
	}
	return fi.Size(), nil, true
}
