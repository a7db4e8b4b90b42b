package gitops

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

func TestNormalizeURL(t *testing.T) {
	tests := []struct {
		name, url, want string
	}{
		{name: "https with .git", url: "https://github.com/Org/Repo.git", want: "github.com/org/repo"},
		{name: "https with trailing slash", url: "https://github.com/org/repo/", want: "github.com/org/repo"},
		{name: "scp-like ssh", url: "git@github.com:org/repo.git", want: "github.com/org/repo"},
		{name: "ssh with port", url: "ssh://git@github.com:22/org/repo.git", want: "github.com/org/repo"},
		{name: "credentials are dropped", url: "https://user:token@gitlab.example.com/group/sub/repo.git", want: "gitlab.example.com/group/sub/repo"},
		{name: "git protocol", url: "git://example.com/repo", want: "example.com/repo"},
		{name: "empty", url: " ", want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := normalizeURL(tt.url); got != tt.want {
				t.Errorf("normalizeURL(%q) = %q, want %q", tt.url, got, tt.want)
			}
		})
	}
}

const gitConfig = `[core]
	bare = false
[remote "origin"]
	url = git@github.com:example/fleet.git
	fetch = +refs/heads/*:refs/remotes/origin/*
[remote "mirror"]
	url = https://gitlab.example.com/example/fleet.git
	pushurl = https://gitlab.example.com/example/fleet-push.git
[branch "main"]
	remote = origin
`

// TestRemotes reads remotes from a checkout and from a linked work tree,
// whose .git is a file naming a git directory whose commondir holds the
// configuration.
func TestRemotes(t *testing.T) {
	base := t.TempDir()
	treetest.Write(t, base, map[string]string{
		"main/.git/config":                    gitConfig,
		"main/.git/worktrees/wt/commondir":    "../..\n",
		"main/.git/worktrees/wt/HEAD":         "ref: refs/heads/wt\n",
		"wt/.git":                             "gitdir: " + filepath.Join(base, "main/.git/worktrees/wt") + "\n",
		"main/deploy/apps/kustomization.yaml": "resources: []\n",
		"relative/.git":                       "gitdir: ../main/.git/worktrees/wt\n",
	})
	want := []string{"git@github.com:example/fleet.git", "https://gitlab.example.com/example/fleet-push.git", "https://gitlab.example.com/example/fleet.git"}
	tests := []struct {
		name, dir, wantTop string
	}{
		{name: "checkout", dir: "main", wantTop: "main"},
		{name: "subdirectory of a checkout", dir: "main/deploy/apps", wantTop: "main"},
		{name: "linked work tree", dir: "wt", wantTop: "wt"},
		{name: "relative gitdir", dir: "relative", wantTop: "relative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			top, gitDir := findGit(filepath.Join(base, tt.dir))
			if top != filepath.Join(base, tt.wantTop) {
				t.Errorf("top = %s, want %s", top, filepath.Join(base, tt.wantTop))
			}
			if diff := cmp.Diff(want, remotes(gitDir)); diff != "" {
				t.Errorf("remotes (-want +got):\n%s", diff)
			}
		})
	}
	if got := remotes(filepath.Join(base, "nowhere")); got != nil {
		t.Errorf("remotes of a missing git directory = %v", got)
	}
}

func TestMatchGlob(t *testing.T) {
	tests := []struct {
		pattern, name string
		want          bool
	}{
		{"apps/*", "apps/web", true},
		{"apps/*", "apps/web/base", false},
		{"apps/**", "apps/web/base", true},
		{"config/**/config.json", "config/config.json", true},
		{"config/**/config.json", "config/eu/prod/config.json", true},
		{"config/**/config.json", "config/eu/prod/other.json", false},
		{"**", "anything/at/all", true},
		{"apps/[", "apps/[", false},
	}
	for _, tt := range tests {
		if got := matchGlob(tt.pattern, tt.name); got != tt.want {
			t.Errorf("matchGlob(%q, %q) = %v, want %v", tt.pattern, tt.name, got, tt.want)
		}
	}
}

func TestCleanPath(t *testing.T) {
	for in, want := range map[string]string{
		"":             ".",
		"./":           ".",
		"./apps/web/":  "apps/web",
		"apps//web":    "apps/web",
		"/apps":        "apps",
		"../../etc":    "etc",
		"apps/../../x": "x",
	} {
		if got := cleanPath(in); got != want {
			t.Errorf("cleanPath(%q) = %q, want %q", in, got, want)
		}
	}
}
