// Package policies embeds the built-in Rego policy library.
package policies

import "embed"

// FS holds the built-in policies and their tests.
//
//go:embed lib security reliability hygiene crossref
var FS embed.FS
