package config

import (
	"bytes"
	"encoding/json"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite docs/gitops-lint.schema.json")

const schemaFile = "../../docs/gitops-lint.schema.json"

// TestJSONSchemaCurrent keeps the published schema equal to what the Go
// types generate (make generate writes it; -update here too).
func TestJSONSchemaCurrent(t *testing.T) {
	got, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run make generate (or go test ./internal/config -update)", schemaFile)
	}
}

// compileSchema compiles the published schema with the validator
// kubeconform already brings.
func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaURL, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(SchemaURL)
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// asJSON decodes YAML as the YAML language server sees it: JSON values.
func asJSON(t *testing.T, data []byte) any {
	t.Helper()
	var v any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestConfigFilesMatchSchema validates every configuration file of the
// repository that gitops-lint accepts - the fixtures under testdata, the
// README's example, the init template with its examples in - against the
// schema: an editor must not flag a file that works. Files gitops-lint
// rejects (the hostile fixtures) are not decoded here at all.
func TestConfigFilesMatchSchema(t *testing.T) {
	sch := compileSchema(t)
	type file struct {
		name, root string
		data       []byte
	}
	var files []file
	err := filepath.WalkDir("../../testdata", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != FileName {
			return err
		}
		data, err := os.ReadFile(p)
		files = append(files, file{name: p, root: filepath.Dir(p), data: data})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 2 {
		t.Fatalf("found %d configuration fixtures under testdata; the walk is broken", len(files))
	}
	policyRoot := repoWith(t, map[string]string{"policy/": "", "policy/data/": ""})
	files = append(files,
		file{name: "template", root: policyRoot, data: Template(testTemplate(true))},
		file{name: "commented template", root: policyRoot, data: Template(testTemplate(false))},
		file{name: "README example", root: policyRoot, data: []byte(readmeExample(t))},
	)
	validated := 0
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			if _, err := Parse(f.name, f.root, f.data); err != nil {
				t.Skipf("gitops-lint rejects it (%v)", err)
			}
			if err := sch.Validate(asJSON(t, f.data)); err != nil {
				t.Errorf("gitops-lint accepts it, the schema does not:\n%v", err)
			}
			validated++
		})
	}
	if validated < 4 {
		t.Errorf("validated %d files, want the configured fixture, the templates and the README example", validated)
	}
}

// TestSchemaRejects: the schema flags the shapes Parse refuses, so an
// editor shows the mistake before a run does.
func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	tests := []struct {
		name string
		yaml string
	}{
		{name: "unknown key", yaml: "exlude: [a]\n"},
		{name: "unknown nested key", yaml: "targets:\n  - paths: [a]\n    skp: true\n"},
		{name: "a number for a list", yaml: "include: 5\n"},
		{name: "bad severity", yaml: "rules:\n  run-as-root: loud\n"},
		{name: "bad failOn", yaml: "failOn: fatal\n"},
		{name: "skip not a boolean", yaml: "targets:\n  - paths: a\n    skip: \"yes\"\n"},
		{name: "target without paths", yaml: "targets:\n  - skip: true\n"},
		{name: "override without rules", yaml: "overrides:\n  - paths: [a]\n"},
		{name: "bad load restrictor", yaml: "loadRestrictor: all\n"},
		{name: "bad rego version", yaml: "policies:\n  regoVersion: v2\n"},
		{name: "bad timeout", yaml: "policies:\n  timeout: soon\n"},
		{name: "empty string in a list", yaml: "exclude: [\"\"]\n"},
		{name: "top level a list", yaml: "- a\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse("cfg.yaml", t.TempDir(), []byte(tt.yaml))
			if err == nil {
				err = c.CheckValues(fakeChecks)
			}
			if err == nil {
				t.Fatalf("gitops-lint accepts %q: the case is wrong", tt.yaml)
			}
			if err := sch.Validate(asJSON(t, []byte(tt.yaml))); err == nil {
				t.Errorf("the schema accepts %q", tt.yaml)
			}
		})
	}
}
