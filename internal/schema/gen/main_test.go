package main

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/apis/table"
)

// fakeProxy writes a GOPROXY directory serving the given modules, each a
// map of file name to content, and points the go command at it, offline
// and without checksum database.
func fakeProxy(t *testing.T, modules map[string]map[string]string) {
	t.Helper()
	dir := t.TempDir()
	for modVersion, files := range modules {
		mod, version, _ := strings.Cut(modVersion, "@")
		at := filepath.Join(dir, filepath.FromSlash(mod), "@v")
		if err := os.MkdirAll(at, 0o755); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for name, content := range files {
			w, err := zw.Create(modVersion + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(content))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		for name, content := range map[string][]byte{
			version + ".info": []byte(`{"Version":"` + version + `"}`),
			version + ".mod":  []byte("module " + mod + "\n"),
			version + ".zip":  buf.Bytes(),
		} {
			if err := os.WriteFile(filepath.Join(at, name), content, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("GOPROXY", "file://"+filepath.ToSlash(dir))
	t.Setenv("GOSUMDB", "off")
	t.Setenv("GONOSUMDB", "")
	t.Setenv("GOPRIVATE", "")
	t.Setenv("GOFLAGS", "-mod=mod")
}

func swagger(kinds ...string) string {
	var paths, defs []string
	for i, k := range kinds {
		group, rest, _ := strings.Cut(k, "/")
		version, kind, _ := strings.Cut(rest, " ")
		gvk := `{"group": "` + group + `", "version": "` + version + `", "kind": "` + kind + `"}`
		name := "io.example." + group + "." + version + "." + kind
		paths = append(paths, `"/p`+string(rune('a'+i))+`": {"post": {"x-kubernetes-group-version-kind": `+gvk+`}}`)
		defs = append(defs, `"`+name+`": {"type": "object", "description": "Deprecated: old.", "properties": {"apiVersion": {"type": "string"}}, "x-kubernetes-group-version-kind": [`+gvk+`]}`)
	}
	return `{"paths": {` + strings.Join(paths, ",") + `}, "definitions": {` + strings.Join(defs, ",") + `}}`
}

func TestRun(t *testing.T) {
	const spec = "api/openapi-spec/swagger.json"
	fakeProxy(t, map[string]map[string]string{
		"k8s.io/kubernetes@v1.16.0": {spec: swagger("apps/v1 Deployment", "extensions/v1beta1 Ingress")},
		"k8s.io/kubernetes@v1.17.0": {spec: swagger("apps/v1 Deployment")},
	})
	out := t.TempDir()
	bundles := filepath.Join(out, "bundle")
	if err := os.MkdirAll(bundles, 0o755); err != nil {
		t.Fatal(err)
	}
	// A bundle of a release no longer pinned is removed.
	if err := os.WriteFile(filepath.Join(bundles, "v1.15.0.json.gz"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	apis := filepath.Join(out, "served.json")
	var log bytes.Buffer
	if err := run(bundles, apis, []string{"v1.16.0", "v1.17.0"}, &log); err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	entries, err := os.ReadDir(bundles)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "v1.16.0.json.gz v1.17.0.json.gz" {
		t.Errorf("bundles = %v", names)
	}
	data, err := os.ReadFile(apis)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := table.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(tbl.APIs) != 2 || tbl.APIs[1].Kind != "Ingress" || tbl.APIs[1].Served[0].Last != "1.16" || tbl.APIs[1].Notes[0].Text != "Deprecated: old." {
		t.Errorf("table = %+v", tbl)
	}
}

func TestWritePluto(t *testing.T) {
	const body = "deprecated-versions:\n  - version: extensions/v1beta1\n    kind: Ingress\n"
	fakeProxy(t, map[string]map[string]string{
		plutoModule + "@" + plutoVersion: {plutoFiles[0]: body, "README.md": "pluto"},
	})
	out := filepath.Join(t.TempDir(), "versions.yaml")
	if err := writePluto(out, &bytes.Buffer{}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got := string(data)
	if !strings.HasSuffix(got, "\n"+body) || !strings.Contains(got, "Apache License, Version 2.0") || !strings.Contains(got, plutoModule+"@"+plutoVersion) {
		t.Errorf("copy of pluto's table:\n%s", got)
	}
}

func TestFetchFileMissing(t *testing.T) {
	fakeProxy(t, map[string]map[string]string{"example.com/m@v1.0.0": {"a.txt": "a"}})
	if _, err := fetchFile("example.com/m", "v1.0.0", "b.txt"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v, want a not-exist error", err)
	}
	if _, err := fetchFile("example.com/other", "v1.0.0", "a.txt"); err == nil {
		t.Error("fetching a module the proxy does not have succeeded")
	}
}
