package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestSubdirPathsAttach checks a subdirectory of a git work tree: the
// formats a CI service reads (SARIF, GitHub, GitLab) must name files from
// the work tree root, or annotations and alerts attach to nothing; text
// output stays relative to the checked directory.
func TestSubdirPathsAttach(t *testing.T) {
	top := t.TempDir()
	if err := os.Mkdir(filepath.Join(top, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(top, "deploy", "demo")
	if err := os.CopyFS(sub, os.DirFS(filepath.Join(reposDir, "demo"))); err != nil {
		t.Fatal(err)
	}
	githubFile := regexp.MustCompile(`file=([^,:]+)`)
	tests := []struct {
		format string
		paths  func(t *testing.T, out string) []string
	}{
		{format: "sarif", paths: func(t *testing.T, out string) []string {
			var log struct {
				Runs []struct {
					OriginalURIBaseIDs map[string]any `json:"originalUriBaseIds"`
					Results            []struct {
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct {
									URI       string `json:"uri"`
									URIBaseID string `json:"uriBaseId"`
								} `json:"artifactLocation"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(out), &log); err != nil {
				t.Fatal(err)
			}
			if _, ok := log.Runs[0].OriginalURIBaseIDs["%SRCROOT%"]; !ok {
				t.Errorf("originalUriBaseIds = %v, want %%SRCROOT%% declared", log.Runs[0].OriginalURIBaseIDs)
			}
			var ps []string
			for _, r := range log.Runs[0].Results {
				for _, l := range r.Locations {
					if l.PhysicalLocation.ArtifactLocation.URIBaseID != "%SRCROOT%" {
						t.Errorf("uriBaseId = %q", l.PhysicalLocation.ArtifactLocation.URIBaseID)
					}
					ps = append(ps, l.PhysicalLocation.ArtifactLocation.URI)
				}
			}
			return ps
		}},
		{format: "github", paths: func(t *testing.T, out string) []string {
			var ps []string
			for _, m := range githubFile.FindAllStringSubmatch(out, -1) {
				ps = append(ps, m[1])
			}
			return ps
		}},
		{format: "gitlab", paths: func(t *testing.T, out string) []string {
			var issues []struct {
				Location struct{ Path string } `json:"location"`
			}
			if err := json.Unmarshal([]byte(out), &issues); err != nil {
				t.Fatal(err)
			}
			var ps []string
			for _, i := range issues {
				ps = append(ps, i.Location.Path)
			}
			return ps
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			_, out, stderr := runCLI(t, "check", sub, "-f", tt.format, "--no-cache", "--schema-cache-dir", t.TempDir())
			ps := tt.paths(t, out)
			if len(ps) == 0 {
				t.Fatalf("no paths in the %s output; stderr:\n%s", tt.format, stderr)
			}
			for _, p := range ps {
				if !strings.HasPrefix(p, "deploy/demo/") {
					t.Errorf("path %q is not relative to the work tree root", p)
				}
				if _, err := os.Stat(filepath.Join(top, filepath.FromSlash(p))); err != nil {
					t.Errorf("path %q does not exist from the work tree root: %v", p, err)
				}
			}
		})
	}
	t.Run("text stays relative to the checked directory", func(t *testing.T) {
		_, out, _ := runCLI(t, "check", sub, "--no-cache", "--schema-cache-dir", t.TempDir())
		if strings.Contains(out, "deploy/demo/") {
			t.Errorf("text output names paths from the work tree root:\n%s", out)
		}
	})
}
