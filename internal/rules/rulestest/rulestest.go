// Package rulestest is the fixture harness every Go rule family shares: a
// fixture marks each expected finding on the offending line,
//
//	name: Orders_API  # want "invalid-name"
//
// Wants collects the markers and Got words findings the same way, so a
// test compares the two with cmp.Diff.
package rulestest

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// wantMarker is a fixture's expectation, written on the offending line.
var wantMarker = regexp.MustCompile(`# want "([a-z0-9-]+)"`)

// Wants collects the markers of every file under root as "file:line rule",
// file relative to root, sorted.
func Wants(t testing.TB, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		rel, _ := filepath.Rel(root, p)
		s := bufio.NewScanner(f)
		s.Buffer(nil, 1<<20)
		for line := 1; s.Scan(); line++ {
			for _, m := range wantMarker.FindAllStringSubmatch(s.Text(), -1) {
				out = append(out, fmt.Sprintf("%s:%d %s", filepath.ToSlash(rel), line, m[1]))
			}
		}
		return s.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// Got words findings as Wants words markers: "file:line rule", sorted,
// each once (several findings of one rule on one line are one marker).
func Got(fs []rules.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, fmt.Sprintf("%s:%d %s", f.Location.File, f.Location.Line, f.RuleID))
	}
	slices.Sort(out)
	return slices.Compact(out)
}
