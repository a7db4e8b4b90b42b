package rules

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"unicode/utf8"
)

// patternPrefix is how many characters of a bad pattern an error quotes.
// Patterns in allowlists and SOPS rules often embed the very token they
// allow or match, and Go's regexp errors quote the whole pattern: a few
// characters locate the mistake without printing a credential.
const patternPrefix = 6

// CompileRegexp compiles a user's regular expression (from
// .gitops-lint.yaml, .gitleaks.toml or .sops.yaml). Its error says what is
// wrong and quotes at most the first few characters of the pattern.
func CompileRegexp(expr string) (*regexp.Regexp, error) {
	re, err := regexp.Compile(expr)
	if err == nil {
		return re, nil
	}
	short := expr
	if utf8.RuneCountInString(expr) > patternPrefix {
		short = string([]rune(expr)[:patternPrefix]) + "…"
	}
	var se *syntax.Error
	if errors.As(err, &se) {
		return nil, fmt.Errorf("error parsing regexp: %s in the pattern starting %s", se.Code, strconv.Quote(short))
	}
	return nil, fmt.Errorf("error parsing regexp %s", strconv.Quote(short))
}
