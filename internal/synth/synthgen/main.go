// Command synthgen writes a synthetic GitOps repository for benchmarks:
//
//	go run ./internal/synth/synthgen -out DIR -layout argo|flux -apps 200
//
// It prints the number of targets, or with -list the targets themselves,
// one repository-relative path per line.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/synth"
)

func main() { os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr)) }

// options are the parsed command line.
type options struct {
	out   string
	list  bool
	synth synth.Options
}

// parseFlags is kept apart from run so that flag handling is tested
// without writing repositories.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("synthgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		o      options
		layout string
		envs   string
	)
	fs.StringVar(&o.out, "out", "", "directory to write the repository to (must be empty or missing)")
	fs.StringVar(&layout, "layout", "argo", "argo (a target per app overlay) or flux (a target per environment)")
	fs.IntVar(&o.synth.Apps, "apps", 200, "number of applications")
	fs.StringVar(&envs, "envs", "", "comma-separated environments (default dev,staging,prod,perf)")
	fs.IntVar(&o.synth.Components, "components", 0, "shared components (0 means 3, negative means none)")
	fs.BoolVar(&o.list, "list", false, "print the targets, one per line, instead of their count")
	if err := fs.Parse(args); err != nil {
		return options{}, err
	}
	if fs.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	l, err := synth.ParseLayout(layout)
	if err != nil {
		return options{}, err
	}
	o.synth.Layout = l
	if envs != "" {
		o.synth.Envs = strings.Split(envs, ",")
	}
	if o.out == "" && !o.list {
		return options{}, errors.New("-out is required unless -list is given")
	}
	return o, nil
}

func run(_ context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "synthgen:", err)
		return 2
	}
	if o.out != "" {
		if _, err := synth.Generate(o.out, o.synth); err != nil {
			fmt.Fprintln(stderr, "synthgen:", err)
			return 1
		}
	}
	targets := synth.Targets(o.synth)
	if o.list {
		for _, t := range targets {
			fmt.Fprintln(stdout, t)
		}
		return 0
	}
	fmt.Fprintln(stdout, len(targets))
	return 0
}
