// Command schemagen writes the JSON Schema of .gitops-lint.yaml, generated
// from the Go types that decode it (config.JSONSchema), for editors:
//
//	go run ./internal/config/schemagen -o docs/gitops-lint.schema.json
//
// make generate runs it and make check-generated fails when the file is stale.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gitops-lint/gitops-lint/internal/config"
)

func main() {
	out := flag.String("o", "docs/gitops-lint.schema.json", "file to write")
	flag.Parse()
	data, err := config.JSONSchema()
	if err == nil {
		err = os.WriteFile(*out, data, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "schemagen: %v\n", err)
		os.Exit(1)
	}
}
