package repo

import (
	"bufio"
	"bytes"
	"strings"
	"unicode"
)

// EnvVar is one entry of an env file that a generator reads.
type EnvVar struct {
	Key string
	// Value is everything after the first "=", untrimmed, as kustomize
	// takes it. It is empty when the line has no "=" (kustomize then
	// reads the variable from its own environment).
	Value string
	// HasValue is false for a line without "=".
	HasValue bool
	// Line is the 1-based line of the entry, where a person edits it.
	Line int
}

// ParseEnv reads an env file the way kustomize does: a leading byte-order
// mark is dropped, leading white space is trimmed, blank lines and lines
// starting with # are skipped, and each other line is KEY=value split at
// the first "=". Malformed keys are kept: kustomize reports them when it
// renders, and the caller only needs to know where values are written.
func ParseEnv(data []byte) []EnvVar {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var vars []EnvVar
	s := bufio.NewScanner(bytes.NewReader(data))
	s.Buffer(nil, len(data)+1) // one line may be the whole file
	for n := 1; s.Scan(); n++ {
		line := strings.TrimLeftFunc(s.Text(), unicode.IsSpace)
		if line == "" || line[0] == '#' {
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		vars = append(vars, EnvVar{Key: key, Value: value, HasValue: ok, Line: n})
	}
	return vars
}
