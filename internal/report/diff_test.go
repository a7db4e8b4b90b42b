package report

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/diff"
	"github.com/gitops-lint/gitops-lint/internal/manifest"
)

// diffSample has one of everything, and strings from a hostile
// repository: backticks, pipes, HTML and a terminal escape.
func diffSample() *diff.Result {
	deploy := manifest.ResID{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "shop", Name: "shop"}
	return &diff.Result{
		Base:  "origin/main",
		Files: []string{"base/deployment.yaml", "overlays/dev/kustomization.yaml", "overlays/prod/kustomization.yaml"},
		Targets: []diff.Target{
			{
				Path: "clusters/prod/apps", Environment: "prod", Change: diff.Changed,
				HeadError: "accumulating resources: missing.yaml: no such file\nsecond line",
			},
			{
				Path: "overlays/dev", Environment: "dev", Change: diff.Changed,
				Resources: []diff.Resource{
					{ID: manifest.ResID{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "new"}, Change: diff.Added},
					{ID: deploy, Change: diff.Changed, Fields: []diff.Field{
						{Path: "spec.replicas", Change: diff.Changed, Old: "1", New: "3"},
						{Path: "spec.template.spec.containers[name=shop].image", Change: diff.Changed, Old: "ghcr.io/acme/shop:1.2.0", New: "ghcr.io/acme/shop:1.3.0"},
						{Path: "spec.template.spec.containers[name=shop].env[name=TOKEN]", Change: diff.Added, New: "{name: TOKEN, value: [redacted]}"},
						{Path: `metadata.annotations["note"]`, Change: diff.Removed, Old: "```</details><b>x</b> | \x1b[31mred"},
						{Path: "spec.template.spec.initContainers", Change: diff.Reordered, Old: "migrate, warm", New: "warm, migrate"},
					}},
					{ID: manifest.ResID{APIVersion: "v1", Kind: "ConfigMap", Namespace: "shop", Name: "nginx"}, Change: diff.Changed, Fields: []diff.Field{
						{Path: `data["nginx.conf"]`, Change: diff.Changed, Lines: []string{"-  listen 80;", "+  listen 8080;"}},
					}},
					{ID: manifest.ResID{APIVersion: "v1", Kind: "Secret", Namespace: "shop", Name: "db"}, Change: diff.Changed, Fields: []diff.Field{
						{Path: "data.password", Change: diff.Changed, Secret: true},
						{Path: "data.token", Change: diff.Added, Secret: true},
					}},
					{ID: manifest.ResID{APIVersion: "v1", Kind: "Service", Namespace: "shop", Name: "old"}, Change: diff.Removed},
				},
			},
			{
				Path: "overlays/st`ag|ing", Environment: "st`ag|ing", Change: diff.Added,
				Resources: []diff.Resource{{ID: deploy, Change: diff.Added}},
			},
		},
		Unchanged: 1,
		Images: []diff.ImageChange{
			{Image: "ghcr.io/acme/shop", Environment: "dev", Target: "overlays/dev", Old: "1.2.0", New: "1.3.0"},
			{Image: "ghcr.io/acme/shop", Environment: "prod", Target: "overlays/prod", Old: "1.1.0", New: "1.1.0"},
			{Image: "ghcr.io/acme/shop", Environment: "st`ag|ing", Target: "overlays/st`ag|ing", New: "1.3.0@sha256:0123456789abcdef0123"},
		},
	}
}

func TestDiffGolden(t *testing.T) {
	many := &diff.Result{Base: "main"}
	for i := range 40 {
		tg := diff.Target{Path: fmt.Sprintf("apps/app-%02d/overlays/prod", i), Environment: "prod"}
		for j := range 5 {
			tg.Resources = append(tg.Resources, diff.Resource{
				ID: manifest.ResID{APIVersion: "v1", Kind: "ConfigMap", Name: fmt.Sprintf("cm-%d", j)}, Change: diff.Changed,
				Fields: []diff.Field{{Path: "data.level", Change: diff.Changed, Old: "info", New: "debug"}},
			})
		}
		many.Targets = append(many.Targets, tg)
	}
	tests := []struct {
		name string
		res  *diff.Result
		opts DiffOptions
	}{
		{name: "diff-sample.txt", res: diffSample(), opts: DiffOptions{Format: FormatText}},
		{name: "diff-sample.color.txt", res: diffSample(), opts: DiffOptions{Format: FormatText, Color: true}},
		{name: "diff-sample.md", res: diffSample(), opts: DiffOptions{Format: "markdown"}},
		{name: "diff-empty.txt", res: &diff.Result{Base: "main"}, opts: DiffOptions{Format: FormatText}},
		{name: "diff-empty.md", res: &diff.Result{Base: "main", Files: []string{"README.md"}}, opts: DiffOptions{Format: "markdown"}},
		{name: "diff-cut.md", res: many, opts: DiffOptions{Format: "markdown", Limit: 4000, Command: "gitops-lint diff --base main"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := WriteDiff(&buf, tt.res, tt.opts); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if tt.opts.Limit > 0 && len(got) > tt.opts.Limit {
				t.Errorf("%d bytes, over the limit of %d", len(got), tt.opts.Limit)
			}
			if !tt.opts.Color && strings.Contains(got, "\x1b") {
				t.Errorf("an escape byte without color")
			}
			path := filepath.Join("testdata", "golden", tt.name)
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if d := cmp.Diff(string(want), got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// TestDiffMarkdownLimit: whatever the size of the diff, the comment stays
// under the limit and says it was cut.
func TestDiffMarkdownLimit(t *testing.T) {
	res := &diff.Result{Base: "main"}
	for i := range 2000 {
		res.Targets = append(res.Targets, diff.Target{
			Path: fmt.Sprintf("apps/app-%04d", i),
			Resources: []diff.Resource{{ID: manifest.ResID{Kind: "ConfigMap", Name: "x"}, Change: diff.Changed, Fields: []diff.Field{
				{Path: "data.blob", Change: diff.Changed, Old: strings.Repeat("a", 80), New: strings.Repeat("b", 80)},
			}}},
		})
	}
	for _, limit := range []int{0, 1000, 20000} {
		var buf bytes.Buffer
		if err := WriteDiff(&buf, res, DiffOptions{Format: "markdown", Limit: limit}); err != nil {
			t.Fatal(err)
		}
		want := limit
		if want == 0 {
			want = DiffMarkdownLimit
		}
		if buf.Len() > want || !strings.Contains(buf.String(), "Cut short") {
			t.Errorf("limit %d: %d bytes, cut note %v", limit, buf.Len(), strings.Contains(buf.String(), "Cut short"))
		}
		if strings.Count(buf.String(), "<details>") != strings.Count(buf.String(), "</details>") {
			t.Errorf("limit %d: a section is left open", limit)
		}
	}
}
