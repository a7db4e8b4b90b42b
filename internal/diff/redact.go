package diff

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/wI2L/jsondiff"

	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets"
)

// maxValue is how many characters of a value are kept: enough for an
// image reference or a setting, too few to flood a terminal or a pull
// request comment with a whole container spec.
const maxValue = 80

// maxLines bounds the changed lines kept of one text value.
const maxLines = 20

// maxLineCells bounds the lines of two texts compared line by line (the
// product of their counts, after common leading and trailing lines are
// set aside): the longest common subsequence takes a table that size.
const maxLineCells = 1 << 20

// redactor turns values into short text that holds no secret: a value of
// a Secret is never passed to it (see prepare), and any other value is
// hidden when gitleaks recognises a credential in it, or when it is a
// secret value of the diff, and stripped of the strong secret values it
// holds (package redact).
type redactor struct {
	ctx     context.Context
	scanner *secrets.Scanner
	// values are the values of every rendered Secret of the diff and of
	// the secretGenerators' inputs.
	values *redact.Set
}

// value formats v, known by key, for printing. secret reports a Secret's
// value, of which only the change may be told.
func (r *redactor) value(key string, v any) (text string, secret bool) {
	if isSecretDigest(v) {
		return "", true
	}
	var w clipWriter
	r.write(&w, key, v)
	return w.String(), false
}

// write writes v as YAML flow text, stopping once w is full, so that the
// parts of a large value past the cut are never screened.
func (r *redactor) write(w *clipWriter, key string, v any) {
	if w.full {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		keys := slices.Sorted(maps.Keys(t))
		if len(keys) > 0 && !slices.ContainsFunc(keys, func(k string) bool { return !strings.HasPrefix(k, keyedPrefix) }) {
			// A keyed list, prepared as a map: print it as the list it is.
			w.WriteString("[")
			for i, k := range keys {
				if i > 0 {
					w.WriteString(", ")
				}
				_, name, _ := strings.Cut(k, "=")
				r.write(w, name, t[k])
			}
			w.WriteString("]")
			return
		}
		name, _ := t["name"].(string)
		w.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				w.WriteString(", ")
			}
			w.WriteString(quote(k) + ": ")
			ck := k
			if k == "value" && name != "" {
				ck = name // an env var: its name says what the value is
			}
			r.write(w, ck, t[k])
		}
		w.WriteString("}")
	case []any:
		w.WriteString("[")
		for i, e := range t {
			if i > 0 {
				w.WriteString(", ")
			}
			r.write(w, key, e)
		}
		w.WriteString("]")
	case string:
		if isSecretDigest(t) {
			w.WriteString("(secret)")
			return
		}
		s := r.text(key, t)
		if s != rules.Redacted {
			s = quote(s)
		}
		w.WriteString(s)
	case nil:
		w.WriteString("null")
	case float64:
		w.WriteString(strconv.FormatFloat(t, 'f', -1, 64))
	case bool:
		w.WriteString(strconv.FormatBool(t))
	default:
		w.WriteString(fmt.Sprint(t))
	}
}

// text screens one string known by key: rules.Redacted when gitleaks
// flags it or it is a secret value, else the string without any strong
// secret value.
func (r *redactor) text(key, s string) string {
	if s == "" {
		return s
	}
	if r.scanner != nil && r.scanner.Credential(r.ctx, key, s) {
		return rules.Redacted
	}
	return r.values.Value(s)
}

// lines compares two texts of several lines, known by key, line by line
// with jsondiff over the lists of lines. It returns nil when they are not
// both such texts, are too large to compare that way, or either holds
// something to hide: a line of a private key says nothing to gitleaks on
// its own, so texts are screened whole first (then the values are shown
// cut short, screened).
func (r *redactor) lines(key string, old, cur any) []string {
	o, ok1 := old.(string)
	c, ok2 := cur.(string)
	if !ok1 || !ok2 || (!strings.Contains(o, "\n") && !strings.Contains(c, "\n")) {
		return nil
	}
	if r.text(key, o) != o || r.text(key, c) != c {
		return nil
	}
	a, b := strings.Split(o, "\n"), strings.Split(c, "\n")
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a)*len(b) > maxLineCells {
		return nil
	}
	patch, err := jsondiff.Compare(a, b, jsondiff.LCS())
	if err != nil {
		return nil
	}
	var out []string
	add := func(mark string, v any) {
		s, _ := v.(string)
		out = append(out, mark+clip(r.text("", s)))
	}
	for _, op := range patch {
		switch op.Type {
		case jsondiff.OperationAdd:
			add("+", op.Value)
		case jsondiff.OperationRemove:
			add("-", op.OldValue)
		default:
			add("-", op.OldValue)
			add("+", op.Value)
		}
	}
	if len(out) > maxLines {
		out = append(out[:maxLines], fmt.Sprintf("… %d more changed lines", len(out)-maxLines))
	}
	return out
}

// quote returns s as YAML flow text: as it is when that reads back as the
// same string, else double-quoted.
func quote(s string) string {
	switch {
	case s == "", s != strings.TrimSpace(s), strings.ContainsAny(s, "\n\t\"\\"),
		strings.Contains(s, ": "), strings.Contains(s, ", "), strings.Contains(s, " #"),
		strings.ContainsAny(s[:1], "[]{}&*!|>'%@`#,?"), strings.HasPrefix(s, "- "):
		return strconv.Quote(s)
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "~", "yes", "no", "on", "off":
		return strconv.Quote(s)
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return strconv.Quote(s)
	}
	return s
}

// clip cuts s to maxValue characters.
func clip(s string) string {
	var w clipWriter
	w.WriteString(s)
	return w.String()
}

// clipWriter keeps the first maxValue characters written to it.
type clipWriter struct {
	b    strings.Builder
	n    int
	full bool
}

func (w *clipWriter) WriteString(s string) {
	if w.full {
		return
	}
	if w.n+utf8.RuneCountInString(s) <= maxValue {
		w.b.WriteString(s)
		w.n += utf8.RuneCountInString(s)
		return
	}
	for _, c := range s {
		if w.n == maxValue {
			w.full = true
			return
		}
		w.b.WriteRune(c)
		w.n++
	}
}

// String returns what was kept, with an ellipsis when something was cut.
func (w *clipWriter) String() string {
	if w.full {
		return w.b.String() + "…"
	}
	return w.b.String()
}
