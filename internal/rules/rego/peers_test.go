package rego_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
	"github.com/gitops-lint/gitops-lint/policies"
)

// corpusDir is the shared corpus of public repositories and peer test
// vectors, which lives beside the project and is never copied into it.
var corpusDir = filepath.Join("..", "..", "..", "..", "shared", "corpus")

// explained are fixtures on which a built-in rule deliberately disagrees
// with the peer; each says why. Keys are "peer:check/file[#object]".
var explained = map[string]string{
	"polaris:hpaMinAvailability/success.minReplicaAbsent.yaml":                                                   "minReplicas defaults to 1, so this HPA may scale to one pod; Polaris checks only an explicit value",
	"kube-linter:pdb-max-unavailable/pdb-max-unavailable.yaml#PodDisruptionBudget/bar/baz":                       "maxUnavailable: 1 allows evictions; kube-linter does not flag it either (its test asserts only foo), the fixture just lacks the dont-fire name",
	"kube-linter:pdb-min-available/pdb-min-available.yaml#PodDisruptionBudget/bar/baz":                           "the Deployment has no pod template, so the PDB selects no pods; kube-linter compares selector text",
	"kube-linter:dangling-horizontalpodautoscaler/dangling-hpa.yml#HorizontalPodAutoscaler/RELEASE-NAME-mychart": "it targets Deployment dont-fire, which exists; the fixture names the HPA, not the target, so the dont-fire convention does not reach it (kube-linter's own test expects one finding, hpa1)",
	"kube-linter:run-as-non-root/run-as-non-root.yml#Deployment/group-zero":                                      "runAsUser 1001 with runAsGroup 0 is not root; the Pod Security Standards do not restrict group 0",
}

// checkAliases map kube-linter fixture files to the check they test where
// the names differ.
var checkAliases = map[string]string{"dangling-hpa": "dangling-horizontalpodautoscaler"}

// verdict is one fixture (or one object of a fixture) compared.
type verdict struct {
	peer, check, rule, fixture string
	want, got                  bool
	// all are every rule that fired on the fixture.
	all []string
}

// TestPeerFixtures runs the built-in rules over the Polaris and
// kube-linter check fixtures, for every rule whose METADATA names an
// overlapping peer check (custom.peers). Polaris: failure* files must
// yield a finding of the rule and success* files must not. kube-linter:
// objects named dont-fire* must not, others of the rule's kinds must.
// A peer check that several rules split between them (Polaris's
// tagNotSpecified: a missing tag or latest) counts as fired when any does.
func TestPeerFixtures(t *testing.T) {
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skip("../shared/corpus is not present")
	}
	ctx := context.Background()
	e, err := rego.Load(ctx, rego.Options{Builtin: policies.FS})
	if err != nil {
		t.Fatal(err)
	}
	rulesOf := map[string][]string{}
	kinds := map[string][]string{}
	for _, r := range e.Rules() {
		for _, p := range r.Peers {
			rulesOf[p] = append(rulesOf[p], r.ID)
		}
		kinds[r.ID] = r.Kinds
	}
	if len(rulesOf) == 0 {
		t.Fatal("no built-in rule names a peer check (custom.peers)")
	}
	check := func(file string) map[manifest.ResID][]string {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.DecodeFile(filepath.Base(file), data)
		if err != nil {
			t.Logf("%s: %v", file, err)
			return nil
		}
		var res []manifest.Resource
		for _, d := range docs {
			if d.Object != nil && manifest.IsKubernetesObject(d.Object) {
				res = append(res, manifest.Resource{ID: d.ID(), SourceID: d.ID(), Object: d.Object, Origin: manifest.Origin{File: d.File, Line: d.Line}, Target: "overlays/prod", Doc: d})
			}
		}
		// A production overlay, so that the environment-aware rules apply.
		fs, err := e.Check(ctx, rego.Target{Path: "overlays/prod", Kind: "plain"}, res)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		fired := map[manifest.ResID][]string{}
		for _, f := range fs {
			fired[f.Resource] = append(fired[f.Resource], f.RuleID)
		}
		fired[manifest.ResID{}] = nil
		for _, d := range docs {
			if d.Object != nil && manifest.IsKubernetesObject(d.Object) {
				if _, ok := fired[d.ID()]; !ok {
					fired[d.ID()] = nil
				}
			}
		}
		return fired
	}
	var vs []verdict

	polaris := filepath.Join(corpusDir, "peer-polaris", "test", "checks")
	dirs, _ := os.ReadDir(polaris)
	for _, d := range dirs {
		ids := rulesOf["polaris:"+d.Name()]
		if len(ids) == 0 {
			continue
		}
		files, _ := filepath.Glob(filepath.Join(polaris, d.Name(), "*.yaml"))
		for _, f := range files {
			base := filepath.Base(f)
			want := strings.HasPrefix(base, "failure")
			if !want && !strings.HasPrefix(base, "success") {
				continue // mutated.yaml: Polaris's own fix-ups
			}
			fired := check(f)
			got := false
			var all []string
			for _, rs := range fired {
				got = got || slices.ContainsFunc(rs, func(r string) bool { return slices.Contains(ids, r) })
				all = append(all, rs...)
			}
			vs = append(vs, verdict{"polaris", d.Name(), strings.Join(ids, "|"), base, want, got, all})
		}
	}

	kl := filepath.Join(corpusDir, "peer-kube-linter", "tests", "checks")
	files, _ := os.ReadDir(kl)
	for _, fe := range files {
		name := strings.TrimSuffix(strings.TrimSuffix(fe.Name(), ".yml"), ".yaml")
		if alias, ok := checkAliases[name]; ok {
			name = alias
		}
		ids := rulesOf["kube-linter:"+name]
		if len(ids) == 0 {
			continue
		}
		fired := check(filepath.Join(kl, fe.Name()))
		objs := make([]manifest.ResID, 0, len(fired))
		for id := range fired {
			objs = append(objs, id)
		}
		sort.Slice(objs, func(i, j int) bool { return objs[i].String() < objs[j].String() })
		for _, obj := range objs {
			applies := slices.ContainsFunc(ids, func(id string) bool {
				return len(kinds[id]) == 0 || slices.Contains(kinds[id], obj.Kind)
			})
			if obj.IsZero() || !applies {
				continue
			}
			if obj.Group() != "" && !slices.Contains([]string{"apps", "batch", "networking.k8s.io", "policy", "autoscaling", "rbac.authorization.k8s.io"}, obj.Group()) {
				continue // OpenShift kinds (DeploymentConfig) are not Kubernetes's
			}
			want := !strings.HasPrefix(obj.Name, "dont-fire")
			got := slices.ContainsFunc(fired[obj], func(r string) bool { return slices.Contains(ids, r) })
			vs = append(vs, verdict{"kube-linter", name, strings.Join(ids, "|"), fe.Name() + "#" + obj.String(), want, got, fired[obj]})
		}
	}

	type tally struct{ match, mismatch, explained int }
	byRule := map[string]*tally{}
	for _, v := range vs {
		key := v.peer + ":" + v.check + " → " + v.rule
		if byRule[key] == nil {
			byRule[key] = &tally{}
		}
		switch {
		case v.want == v.got:
			byRule[key].match++
		case explained[v.peer+":"+v.check+"/"+v.fixture] != "",
			v.check == "missingPodDisruptionBudget" && v.want && slices.Contains(v.all, "replicas-production"):
			// Polaris's missingPodDisruptionBudget failures run the default
			// single replica, where a PDB cannot protect the pod without
			// blocking drains: replicas-production reports them instead.
			byRule[key].explained++
		default:
			byRule[key].mismatch++
			t.Errorf("%s:%s %s: rule %s fired=%v, want %v", v.peer, v.check, v.fixture, v.rule, v.got, v.want)
		}
	}
	keys := make([]string, 0, len(byRule))
	for k := range byRule {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var report strings.Builder
	for _, k := range keys {
		c := byRule[k]
		fmt.Fprintf(&report, "%-80s match %3d  mismatch %2d  explained %2d\n", k, c.match, c.mismatch, c.explained)
	}
	t.Logf("peer fixtures:\n%s", report.String())
}
