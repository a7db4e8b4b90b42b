package render

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sync/errgroup"

	"github.com/gitops-lint/gitops-lint/internal/synth"
	"github.com/gitops-lint/gitops-lint/internal/treetest"
)

// TestSharedReadsChangeNoRender renders every target of a synthetic
// repository (overlays sharing their app's base and the same components)
// twice: concurrently with one Renderer, whose renders share resolved
// paths and the files read, and each with a Renderer of its own. The
// output, its YAML and the files each render read (the result cache's
// key) are the same: a file read once for the run still counts as read
// by every render that uses it.
func TestSharedReadsChangeNoRender(t *testing.T) {
	for _, layout := range []synth.Layout{synth.Argo, synth.Flux} {
		t.Run(layout.String(), func(t *testing.T) {
			root := tempRoot(t)
			gen := synth.Options{Apps: 3, Layout: layout}
			if testing.Short() {
				gen.Apps = 2 // still eight overlays rendered at once over shared bases and components
			}
			if _, err := synth.Generate(root, gen); err != nil {
				t.Fatal(err)
			}
			targets := synth.Targets(gen)
			if len(targets) < 2 {
				t.Fatalf("%d targets: nothing is shared", len(targets))
			}
			shared := New(Options{Root: root, YAML: true})
			outs := make([]*Output, len(targets))
			var g errgroup.Group
			for i, target := range targets {
				g.Go(func() error {
					var err error
					outs[i], err = shared.Render(target)
					return err
				})
			}
			if err := g.Wait(); err != nil {
				t.Fatal(err)
			}
			for i, target := range targets {
				alone, err := New(Options{Root: root, YAML: true}).Render(target)
				if err != nil {
					t.Fatal(err)
				}
				if len(alone.Objects) == 0 || len(alone.Reads) < 2 {
					t.Fatalf("%s: %d objects from %d files: the repository renders nothing", target, len(alone.Objects), len(alone.Reads))
				}
				if diff := cmp.Diff(string(alone.YAML), string(outs[i].YAML)); diff != "" {
					t.Errorf("%s: YAML (-alone +shared):\n%s", target, diff)
				}
				if diff := cmp.Diff(alone.Reads, outs[i].Reads); diff != "" {
					t.Errorf("%s: files read (-alone +shared):\n%s", target, diff)
				}
			}
		})
	}
}

// TestSharedRefusalInEveryRender: a base file refused for its content
// (an alias bomb) is read once, and every overlay that includes the base
// still fails with the position of the refusal.
func TestSharedRefusalInEveryRender(t *testing.T) {
	root := tempRoot(t)
	bomb := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 8; i++ {
		prev := fmt.Sprintf("*l%d", i-1)
		bomb += fmt.Sprintf("  l%d: &l%d [%s]\n", i, i, strings.TrimSuffix(strings.Repeat(prev+", ", 9), ", "))
	}
	treetest.Write(t, root, map[string]string{
		"base/kustomization.yaml": "resources: [bomb.yaml]\n",
		"base/bomb.yaml":          bomb,
		"a/kustomization.yaml":    "resources: [../base]\nnamePrefix: a-\n",
		"b/kustomization.yaml":    "resources: [../base]\nnamePrefix: b-\n",
	})
	r := New(Options{Root: root})
	for _, target := range []string{"a", "b"} {
		_, err := r.Render(target)
		var re *Error
		if !errors.As(err, &re) || re.Syntax == nil {
			t.Fatalf("%s: err = %v, want a refusal with its position", target, err)
		}
		if re.Syntax.Origin.File != "base/bomb.yaml" || re.Syntax.Origin.Line == 0 {
			t.Errorf("%s: refused at %s:%d, want base/bomb.yaml at a line", target, re.Syntax.Origin.File, re.Syntax.Origin.Line)
		}
	}
}
