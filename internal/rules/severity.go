package rules

import (
	"fmt"
	"strings"
)

// Severity ranks findings; the zero value is Info so that an unset severity
// never fails a run by accident.
type Severity int

// Severities, lowest first.
const (
	Info Severity = iota
	Warning
	Error
)

// Severities lists every severity, lowest first.
var severityNames = [...]string{Info: "info", Warning: "warning", Error: "error"}

// String returns the lower-case name used in every output format.
func (s Severity) String() string {
	if s < Info || s > Error {
		return fmt.Sprintf("severity(%d)", int(s))
	}
	return severityNames[s]
}

// ParseSeverity reads a severity name (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	for i, n := range severityNames {
		if strings.EqualFold(s, n) {
			return Severity(i), nil
		}
	}
	return Info, fmt.Errorf("unknown severity %q (want info, warning or error)", s)
}

// MarshalText makes severities render as names in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity name.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}
