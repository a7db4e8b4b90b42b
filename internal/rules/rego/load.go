// Package rego evaluates Rego policies on rendered resources: the built-in
// library embedded from policies/ and conftest-style user policies.
//
// Conventions (documented for users in README.md):
//   - A per-resource package receives one rendered resource as input,
//     exactly what conftest passes; data.gitops_lint.context holds the
//     target ({path, environment, kind}) and source ({file, line}).
//   - A package whose package-scoped METADATA sets custom.input: target
//     receives one rendered target: input.resources (every resource) and
//     input.target ({path, environment, kind, files}).
//   - Rules named deny, violation or warn, optionally with a suffix
//     (deny_foo), produce findings: strings, or objects with msg and
//     optionally path (a JSON pointer into the resource), resource (the
//     offending object, for per-target rules) and related (further objects).
//   - exception rules name rules (without their deny_/warn_/violation_
//     prefix) that do not apply to the input, as in conftest.
package rego

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
)

// RegoVersion selects the Rego syntax of user policies.
type RegoVersion string

// Rego versions. Auto parses each file as v1 and falls back to v0 when
// only v0 accepts it, so that old conftest policies run unchanged.
const (
	Auto RegoVersion = ""
	V1   RegoVersion = "v1"
	V0   RegoVersion = "v0"
)

// ParseRegoVersion reads a --rego-version value.
func ParseRegoVersion(s string) (RegoVersion, error) {
	switch v := RegoVersion(strings.ToLower(s)); v {
	case Auto, V1, V0:
		return v, nil
	case "auto":
		return Auto, nil
	}
	return Auto, fmt.Errorf("unknown Rego version %q (want v1, v0 or auto)", s)
}

// builtinPrefix is where the embedded library's packages live; user
// packages there are refused so that built-in rule IDs stay unambiguous.
var builtinPrefix = ast.MustParseRef("data.gitops_lint")

// The built-in library's rule packages, per resource and per target; the
// rest of it (lib) is shared helpers.
var (
	resourcePrefix = ast.MustParseRef("data.gitops_lint.resource")
	targetPrefix   = ast.MustParseRef("data.gitops_lint.target")
)

// resultRule matches the rule names that produce findings, as conftest.
var resultRule = regexp.MustCompile(`^(deny|violation|warn)(_[A-Za-z0-9_]+)?$`)

// Error is a problem with a policy: it fails to parse or compile, or it
// fails at evaluation. Location is file:line when known.
type Error struct {
	Location string
	Msg      string
}

func (e *Error) Error() string {
	if e.Location == "" {
		return "policy: " + e.Msg
	}
	return e.Location + ": " + e.Msg
}

// source is one policy file to compile.
type source struct {
	name    string // as shown in errors: repository-style path or the user's path
	text    string
	test    bool // a _test.rego file
	builtin bool // from the embedded library, always Rego v1
}

// sources reads the embedded library (nil for none), then the user's
// policy files and directories.
func sources(builtin fs.FS, root string, paths []string) ([]source, error) {
	var out []source
	if builtin != nil {
		b, err := builtinSources(builtin)
		if err != nil {
			return nil, fmt.Errorf("built-in policies: %w", err)
		}
		out = b
	}
	user, err := userSources(root, paths)
	if err != nil {
		return nil, err
	}
	return append(out, user...), nil
}

// builtinSources reads the embedded library. Names are prefixed with
// "policies/" so that errors and docs point at the file in this repository.
func builtinSources(fsys fs.FS) ([]source, error) {
	var out []source
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".rego" {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out = append(out, source{name: "policies/" + p, text: string(b), test: strings.HasSuffix(p, "_test.rego"), builtin: true})
		return nil
	})
	return out, err
}

// userSources reads every .rego file under the given files or directories,
// in a stable order, confined (see rootfs.ReadTree).
func userSources(root string, paths []string) ([]source, error) {
	var out []source
	for _, p := range paths {
		files, err := rootfs.ReadTree(root, p, func(name string) bool { return path.Ext(name) == ".rego" })
		if err != nil {
			return nil, fmt.Errorf("policy path: %w", err)
		}
		for _, f := range files {
			out = append(out, source{name: f.Name, text: string(f.Data), test: strings.HasSuffix(f.Name, "_test.rego")})
		}
	}
	return out, nil
}

// parse parses one file; built-in files are always v1. In Auto mode a file that v1 rejects but v0
// accepts is taken as v0; the error shown is v1's, which is what a person
// writing new policies needs.
func parse(s source, v RegoVersion) (*ast.Module, error) {
	opts := ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1}
	if s.builtin {
		v = V1
	}
	if v == V0 {
		opts.RegoVersion = ast.RegoV0
	}
	m, err := ast.ParseModuleWithOpts(s.name, s.text, opts)
	if err != nil && v == Auto {
		opts.RegoVersion = ast.RegoV0
		if m0, err0 := ast.ParseModuleWithOpts(s.name, s.text, opts); err0 == nil {
			return m0, nil
		}
	}
	if err != nil {
		return nil, astError(err)
	}
	if m == nil {
		return nil, &Error{Location: s.name, Msg: "empty policy file (no package)"}
	}
	return m, nil
}

// astError turns OPA's parse and compile errors into Errors naming
// file:line, keeping the first (OPA reports up to ten, most follow from
// the first).
func astError(err error) error {
	var errs ast.Errors
	if errors.As(err, &errs) && len(errs) > 0 {
		slices.SortStableFunc(errs, func(a, b *ast.Error) int {
			if a.Location == nil || b.Location == nil {
				return 0
			}
			return cmp.Or(cmp.Compare(a.Location.File, b.Location.File), cmp.Compare(a.Location.Row, b.Location.Row))
		})
		e := errs[0]
		loc := ""
		if e.Location != nil {
			loc = fmt.Sprintf("%s:%d", e.Location.File, e.Location.Row)
		}
		msg := e.Message
		if len(errs) > 1 {
			msg += fmt.Sprintf(" (and %d more errors)", len(errs)-1)
		}
		return &Error{Location: loc, Msg: msg}
	}
	return &Error{Msg: err.Error()}
}

// capabilities are this OPA's minus the built-ins that reach the network
// or the host: the run is offline and policies must be deterministic.
func capabilities(allowNetwork bool) *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	blocked := map[string]bool{"opa.runtime": true}
	if !allowNetwork {
		blocked["http.send"] = true
		blocked["net.lookup_ip_addr"] = true
	}
	caps.Builtins = slices.DeleteFunc(slices.Clone(caps.Builtins), func(b *ast.Builtin) bool { return blocked[b.Name] })
	return caps
}

// compile compiles the modules once; every evaluation reuses the result.
func compile(mods []*ast.Module, allowNetwork bool) (*ast.Compiler, error) {
	c := ast.NewCompiler().
		WithCapabilities(capabilities(allowNetwork)).
		WithEnablePrintStatements(false)
	m := make(map[string]*ast.Module, len(mods))
	for _, mod := range mods {
		name := mod.Package.Location.File
		if _, dup := m[name]; dup {
			name = fmt.Sprintf("%s#%d", name, len(m))
		}
		m[name] = mod
	}
	c.Compile(m)
	if c.Failed() {
		return nil, astError(c.Errors)
	}
	return c, nil
}

// loadData reads --data files and directories (JSON and YAML) into a
// store, as conftest and opa do. The files are read confined (see
// rootfs.ReadTree) into memory, and OPA's loader lays them out from there, each
// path under a name of its own.
func loadData(root string, paths []string) (storage.Store, error) {
	if len(paths) == 0 {
		return inmem.New(), nil
	}
	mem := fstest.MapFS{}
	names := make([]string, len(paths))
	for i, p := range paths {
		files, err := rootfs.ReadTree(root, p, func(name string) bool {
			switch strings.ToLower(path.Ext(name)) {
			case ".json", ".yaml", ".yml":
				return true
			}
			return false
		})
		if err != nil {
			return nil, &Error{Msg: "data: " + err.Error()}
		}
		names[i] = fmt.Sprintf("data%d", i)
		for _, f := range files {
			key := names[i]
			if f.Rel == "" && !slices.Contains([]string{".json", ".yaml", ".yml"}, strings.ToLower(path.Ext(f.Name))) {
				continue // conftest skips a data file of another kind
			}
			if f.Rel == "" {
				key = path.Join(names[i], "file"+strings.ToLower(path.Ext(f.Name)))
				names[i] = key
			} else {
				key = path.Join(key, f.Rel)
			}
			// OPA decodes YAML with aliases expanded; refuse a bomb first.
			if err := manifest.CheckAliases(f.Name, f.Data); err != nil {
				return nil, &Error{Msg: "data: " + err.Error()}
			}
			mem[key] = &fstest.MapFile{Data: f.Data}
		}
	}
	res, err := loader.NewFileLoader().WithFS(mem).Filtered(names, func(abspath string, info fs.FileInfo, depth int) bool {
		return false
	})
	if err != nil {
		return nil, &Error{Msg: "data: " + err.Error()}
	}
	return inmem.NewFromObject(res.Documents), nil
}
