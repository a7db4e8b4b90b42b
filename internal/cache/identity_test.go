package cache

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"
)

// TestIdentityIgnoresWhereTheBuildIs: the same executable content at two
// paths, with two modification times, is one identity; another content is
// another; a build that declares its version or clean revision is known
// by that, a dirty one by its content.
func TestIdentityIgnoresWhereTheBuildIs(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string, mtime int64) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
		tm := time.Unix(mtime, 0)
		if err := os.Chtimes(p, tm, tm); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a", "binary one", 1000)
	moved := write("moved", "binary one", 2000)
	other := write("other", "binary two", 1000)
	exe := func(p string) func() (string, error) { return func() (string, error) { return p, nil } }
	released := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gitops-lint/gitops-lint", Version: "v1.4.0", Sum: "h1:x"}}
	clean := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gitops-lint/gitops-lint", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "false"}}}
	dirty := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/gitops-lint/gitops-lint", Version: "(devel)"},
		Settings: []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"}}}
	localReplace := &debug.BuildInfo{GoVersion: "go1.26.8", Main: released.Main,
		Deps: []*debug.Module{{Path: "sigs.k8s.io/kustomize/api", Version: "v0.20.0", Replace: &debug.Module{Path: "../kustomize/api"}}}}

	tests := []struct {
		name       string
		info       *debug.BuildInfo
		exe, other string
		same       bool
		prefix     string
	}{
		{name: "moved binary, no build info", exe: a, other: moved, same: true, prefix: "sha256:"},
		{name: "another binary, no build info", exe: a, other: other, same: false, prefix: "sha256:"},
		{name: "released module version", info: released, exe: a, other: other, same: true, prefix: "module:"},
		{name: "clean VCS revision", info: clean, exe: a, other: other, same: true, prefix: "vcs:git:abc123"},
		{name: "modified tree is known by its content", info: dirty, exe: a, other: other, same: false, prefix: "sha256:"},
		{name: "locally replaced dependency is known by its content", info: localReplace, exe: a, other: moved, same: true, prefix: "sha256:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, y := identity(tc.info, exe(tc.exe)), identity(tc.info, exe(tc.other))
			if (x == y) != tc.same {
				t.Errorf("identities %q and %q: same = %v, want %v", x, y, x == y, tc.same)
			}
			if !strings.HasPrefix(x, tc.prefix) {
				t.Errorf("identity %q, want prefix %q", x, tc.prefix)
			}
			if strings.Contains(x, dir) {
				t.Errorf("identity %q names the executable's path", x)
			}
		})
	}
	if identity(clean, exe(a)) == identity(released, exe(a)) {
		t.Error("a revision and a release share an identity")
	}
}
