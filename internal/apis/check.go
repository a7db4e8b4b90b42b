package apis

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
)

// Status is what a target release does with an apiVersion/kind.
type Status int

const (
	// Unknown: the table does not know it: a custom resource, or a kind or
	// version that no release since the table's oldest served.
	Unknown Status = iota
	// Served, and neither deprecated nor removed by a later release.
	Served
	// Deprecated means served, but a later release removes it (and a
	// replacement is already served, or none exists), or the target's
	// OpenAPI document marks it deprecated.
	Deprecated
	// Removed: not served by the target, though an earlier release served it.
	Removed
	// NotYetServed: not served by the target; a later release adds it.
	NotYetServed
)

func (s Status) String() string {
	switch s {
	case Unknown:
		return "unknown"
	case Served:
		return "served"
	case Deprecated:
		return "deprecated"
	case Removed:
		return "removed"
	case NotYetServed:
		return "not-yet-served"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Verdict is what the table says about one apiVersion/kind in one target.
type Verdict struct {
	Status     Status
	APIVersion string
	Kind       string
	// Target is the minor checked against, e.g. "1.34".
	Target string
	// RemovedIn is, for Removed, the minor that stopped serving it; for
	// Deprecated, the first later minor that does not serve it ("" when
	// only the OpenAPI document's note makes it deprecated).
	RemovedIn string
	// AddedIn is, for NotYetServed, the first minor that serves it.
	AddedIn string
	// Replacement is the apiVersion to use instead, serving the same kind
	// in the target (and, for Deprecated, in RemovedIn too): in the same
	// group when there is one, else in another group (extensions/v1beta1
	// Ingress → networking.k8s.io/v1); the most stable version first. ""
	// when no other apiVersion serves the kind.
	Replacement string
	// Note is the deprecation note of the target's OpenAPI document.
	Note string
}

// Check says what the target does with apiVersion/kind.
func (ix *Index) Check(apiVersion, kind string, t Target) Verdict {
	v := Verdict{APIVersion: apiVersion, Kind: kind, Target: t.Minor}
	e := ix.apis[apiVersion+" "+kind]
	if e == nil || t.Release == "" {
		return v
	}
	p := t.pos
	servedAt := func(r int) func(*entry) bool { return func(c *entry) bool { return c.served[r] } }
	if !e.served[p] {
		v.Replacement = best(ix.candidates(e, servedAt(p), false))
		for r := p - 1; r >= 0; r-- {
			if e.served[r] {
				v.Status, v.RemovedIn = Removed, ix.minors[r+1]
				return v
			}
		}
		for r := p + 1; r < len(ix.minors); r++ {
			if e.served[r] {
				v.Status, v.AddedIn = NotYetServed, ix.minors[r]
				return v
			}
		}
		return v // unreachable: every entry is served by some release
	}

	v.Status, v.Note = Served, e.notes[p]
	removal := -1
	for r := p + 1; r < len(ix.minors); r++ {
		if !e.served[r] {
			removal = r
			break
		}
	}
	if removal >= 0 {
		// Warn when there is something to do now: migrate to a successor
		// that both the target and the removing release serve. An API
		// whose successor the target does not serve yet (batch/v1beta1
		// CronJob in 1.20) is left alone until it does, and one that
		// nothing replaces until its document says it is deprecated
		// (policy/v1beta1 PodSecurityPolicy from 1.21).
		successors := ix.candidates(e, servedAt(removal), true)
		var ready []*entry
		for _, c := range successors {
			if c.served[p] {
				ready = append(ready, c)
			}
		}
		if len(ready) > 0 || v.Note != "" {
			v.Status, v.RemovedIn = Deprecated, ix.minors[removal]
			v.Replacement = best(ready)
			if v.Replacement == "" {
				v.Replacement = best(successors)
			}
		}
		return v
	}
	if v.Note != "" {
		v.Status = Deprecated
		v.Replacement = best(ix.candidates(e, servedAt(p), true))
	}
	return v
}

// candidates returns the other apiVersions of e's kind that keep accepts,
// within e's own group when it has any there (events.k8s.io/v1 rather than
// core v1 Event for events.k8s.io/v1beta1); a kind that moved groups
// (extensions/v1beta1 Ingress) finds them elsewhere. With successors, they
// are first narrowed to versions at least as new as e's when there are any
// (autoscaling/v2 rather than v1 for v2beta1): what to migrate to, rather
// than what else serves the kind.
func (ix *Index) candidates(e *entry, keep func(*entry) bool, successors bool) []*entry {
	var pool []*entry
	for _, c := range ix.byKind[e.kind] {
		if c != e && keep(c) {
			pool = append(pool, c)
		}
	}
	narrow := func(ok func(*entry) bool) {
		var kept []*entry
		for _, c := range pool {
			if ok(c) {
				kept = append(kept, c)
			}
		}
		if len(kept) > 0 {
			pool = kept
		}
	}
	if successors {
		narrow(func(c *entry) bool { return successor(c.version, e.version) })
	}
	narrow(func(c *entry) bool { return c.group == e.group })
	return pool
}

// best returns the apiVersion of the most stable candidate (the group's
// name breaks ties, for a stable order), or "" when there is none.
func best(pool []*entry) string {
	var b *entry
	for _, c := range pool {
		if b == nil {
			b = c
			continue
		}
		if cmp := compareVersions(c.version, b.version); cmp > 0 || cmp == 0 && c.group < b.group {
			b = c
		}
	}
	if b == nil {
		return ""
	}
	return b.apiVersion()
}

var kubeVersion = regexp.MustCompile(`^v(\d+)(?:(alpha|beta)(\d+))?$`)

// compareVersions orders API versions as Kubernetes prefers them: GA over
// beta over alpha, then the higher major, then the higher pre-release
// number (v2 > v1 > v1beta2 > v1beta1 > v1alpha1).
func compareVersions(a, b string) int {
	ka, kb := versionKey(a), versionKey(b)
	for i := range ka {
		if ka[i] != kb[i] {
			if ka[i] > kb[i] {
				return 1
			}
			return -1
		}
	}
	switch {
	case a > b:
		return 1
	case a < b:
		return -1
	}
	return 0
}

// successor reports whether API version a is at least as new as b: a
// higher major, or the same major and at least as stable (v2 and v2beta2
// succeed v2beta1; v1 does not, though Kubernetes prefers it to v2beta1).
func successor(a, b string) bool {
	ka, kb := versionKey(a), versionKey(b)
	if ka[1] != kb[1] {
		return ka[1] > kb[1]
	}
	return compareVersions(a, b) >= 0
}

// versionKey is (stability, major, pre-release number); stability is 3 for
// GA, 2 for beta, 1 for alpha and 0 for anything else.
func versionKey(v string) [3]int {
	m := kubeVersion.FindStringSubmatch(v)
	if m == nil {
		return [3]int{}
	}
	major, _ := strconv.Atoi(m[1])
	switch m[2] {
	case "":
		return [3]int{3, major, 0}
	case "beta":
		n, _ := strconv.Atoi(m[3])
		return [3]int{2, major, n}
	default:
		n, _ := strconv.Atoi(m[3])
		return [3]int{1, major, n}
	}
}

// Message words a Removed, NotYetServed or Deprecated verdict for a
// finding; it is "" for the others.
func (v Verdict) Message() string {
	subject := v.APIVersion + " " + v.Kind
	switch v.Status {
	case Removed, NotYetServed:
		msg := fmt.Sprintf("%s is not served by Kubernetes %s: it was removed in %s", subject, v.Target, v.RemovedIn)
		if v.Status == NotYetServed {
			msg = fmt.Sprintf("%s is not served by Kubernetes %s: it was added in %s", subject, v.Target, v.AddedIn)
		}
		if v.Replacement != "" {
			return msg + "; use " + v.Replacement
		}
		return msg + fmt.Sprintf(", and no API of Kubernetes %s serves %s", v.Target, v.Kind)
	case Deprecated:
		if v.RemovedIn == "" {
			msg := fmt.Sprintf("%s is deprecated in Kubernetes %s: %q", subject, v.Target, v.Note)
			if v.Replacement != "" {
				msg += "; use " + v.Replacement
			}
			return msg
		}
		msg := fmt.Sprintf("%s is deprecated: Kubernetes %s removes it", subject, v.RemovedIn)
		if v.Replacement != "" {
			return msg + "; use " + v.Replacement
		}
		return msg + fmt.Sprintf(", and no API of Kubernetes %s serves %s", v.RemovedIn, v.Kind)
	}
	return ""
}

// Serving returns the apiVersions that serve kind in the target, sorted.
func (ix *Index) Serving(kind string, t Target) []string {
	var out []string
	for _, e := range ix.byKind[kind] {
		if t.Release != "" && e.served[t.pos] {
			out = append(out, e.apiVersion())
		}
	}
	slices.Sort(out)
	return out
}
