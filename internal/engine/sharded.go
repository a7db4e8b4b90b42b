package engine

import (
	"bytes"
	"slices"

	"github.com/gitops-lint/gitops-lint/internal/config"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/shard"
)

// sharedMarkers are what a source file of a target holding objects that
// other targets' checks read contains: a CRD, a Flux or an Argo CD
// object (see sharedObject).
var sharedMarkers = [][]byte{[]byte("apiextensions.k8s.io"), []byte("toolkit.fluxcd.io"), []byte("argoproj.io")}

// sharded keeps the targets of one shard, and beside them, as context,
// the other shards' targets whose sources may hold a CRD or a Flux or
// Argo CD object: every shard renders those (and checks none of them), so
// that each validates against the same CRDs and runs the repository-level
// checks on the same objects as an unsharded run. context[i] marks them.
func (c *checker) sharded(targets []repo.Target, settings []config.TargetSettings, s shard.Spec) ([]repo.Target, []config.TargetSettings, []bool) {
	if s.Whole() {
		return targets, settings, make([]bool, len(targets))
	}
	names := make([]string, len(targets))
	weights := make([]int, len(targets))
	deps := make([][]string, len(targets))
	for i, t := range targets {
		names[i] = t.Path
		deps[i] = slices.Concat(t.Files, c.repo.Dependencies(t.Path))
		weights[i] = len(deps[i]) // the read set: what rendering it costs
	}
	own := map[int]bool{}
	for _, i := range shard.Select(names, weights, s) {
		own[i] = true
	}
	var outT []repo.Target
	var outS []config.TargetSettings
	var context []bool
	for i, t := range targets {
		if !own[i] && !c.mayBeShared(deps[i]) {
			continue
		}
		outT, outS, context = append(outT, t), append(outS, settings[i]), append(context, !own[i])
	}
	return outT, outS, context
}

// mayBeShared reports whether a file a target reads mentions an API group
// of the objects other targets' checks read.
func (c *checker) mayBeShared(files []string) bool {
	for _, f := range files {
		data, err := c.repo.FS.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range sharedMarkers {
			if bytes.Contains(data, m) {
				return true
			}
		}
	}
	return false
}

// ownShare keeps of a shard's findings what the shard reports: a finding
// in targets, with only the shard's own targets listed (merge unions the
// lists again); a finding in no target, only in the first shard. Unused
// suppressions are kept in every shard: a directive is unused only when
// every shard found it unused, which merge decides.
func ownShare(all []rules.Finding, targets []repo.Target, context []bool, s shard.Spec) []rules.Finding {
	if s.Whole() {
		return all
	}
	own := map[string]bool{}
	for i, t := range targets {
		if !context[i] {
			own[t.Path] = true
		}
	}
	out := all[:0]
	for _, f := range all {
		switch {
		case f.RuleID == rules.SuppressionUnused:
		case len(f.Targets) == 0:
			if !s.First() {
				continue
			}
		default:
			f.Targets = slices.DeleteFunc(slices.Clone(f.Targets), func(t string) bool { return !own[t] })
			if len(f.Targets) == 0 {
				continue
			}
		}
		out = append(out, f)
	}
	return out
}

// ownTargets are the targets the shard checks.
func ownTargets(targets []repo.Target, context []bool) []repo.Target {
	var out []repo.Target
	for i, t := range targets {
		if !context[i] {
			out = append(out, t)
		}
	}
	return out
}
