package rego

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPolicyPathsAreConfined: a symlink inside a policy or data directory
// never brings a file from outside its confinement into the run, and a
// device is never read; the error names the link. A directory outside
// the repository is read when it is given itself (the command line).
func TestPolicyPathsAreConfined(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "repo")
	secret := filepath.Join(base, "docker-config.json")
	mustWrite(t, secret, `{"auths": {"registry": {"auth": "outside-marker"}}}`)
	mustWrite(t, filepath.Join(root, "policy", "main.rego"), "package main\n\ndeny contains msg if { msg := data.auths.registry.auth }\n")
	mustWrite(t, filepath.Join(root, "data", "ok.json"), `{"ok": true}`)
	mustWrite(t, filepath.Join(base, "shared", "ok.json"), `{"shared": true}`)
	mustWrite(t, filepath.Join(base, "shared-policy", "main.rego"), "package main\n\ndeny contains \"x\" if { false }\n")

	tests := []struct {
		name    string
		link    string // created in the repository, pointing at target
		target  string
		opts    Options
		wantErr string
	}{
		{name: "data link to a file outside", link: "data/auth.json", target: secret,
			opts: Options{Data: []string{"data"}}, wantErr: "data/auth.json: symlink resolves outside the repository"},
		{name: "policy link to a file outside", link: "policy/x.rego", target: secret,
			opts: Options{Policies: []string{"policy"}}, wantErr: "policy/x.rego: symlink resolves outside the repository"},
		{name: "data link to a device", link: "data/zero.json", target: "/dev/zero",
			opts: Options{Data: []string{"data"}}, wantErr: "data/zero.json"},
		{name: "a directory outside given itself", opts: Options{Data: []string{filepath.Join(base, "shared")}, Policies: []string{filepath.Join(base, "shared-policy")}}},
		{name: "clean repository paths", opts: Options{Data: []string{"data"}, Policies: []string{"policy"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.link != "" {
				link := filepath.Join(root, filepath.FromSlash(tc.link))
				if err := os.Symlink(tc.target, link); err != nil {
					t.Fatal(err)
				}
				defer os.Remove(link)
			}
			opts := tc.opts
			opts.Root = root
			for i, p := range opts.Data {
				if !filepath.IsAbs(p) {
					opts.Data[i] = filepath.Join(root, p)
				}
			}
			for i, p := range opts.Policies {
				if !filepath.IsAbs(p) {
					opts.Policies[i] = filepath.Join(root, p)
				}
			}
			_, err := Load(context.Background(), opts)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Load = %v, want an error saying %q", err, tc.wantErr)
			}
			if err != nil && strings.Contains(err.Error(), "outside-marker") {
				t.Errorf("the error holds the outside file's content: %v", err)
			}
		})
	}
}

func mustWrite(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDataFileOutsideGivenItself: a single data file outside the
// repository, named on the command line, is read (confined to its own
// directory).
func TestDataFileOutsideGivenItself(t *testing.T) {
	base := t.TempDir()
	mustWrite(t, filepath.Join(base, "shared", "teams.json"), `{"teams": ["shop"]}`)
	if _, err := Load(context.Background(), Options{Root: filepath.Join(base, "repo"), Data: []string{filepath.Join(base, "shared", "teams.json")}}); err != nil {
		t.Fatalf("Load: %v", err)
	}
}
