package secrets

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGenericKeyStopwordsStillAllow: the default generic-api-key rule
// reports a key-like value and still allows one that holds a stopword of
// its allowlist, now that the list is checked without gitleaks' trie.
func TestGenericKeyStopwordsStillAllow(t *testing.T) {
	// Built at run time: the repository holds no key-like literal.
	value := strings.Join([]string{"Qz7", "Lm2", "Rx9", "Vb4", "Tn8", "Kd1"}, "")
	tests := []struct {
		name  string
		value string
		want  []string
	}{
		{name: "key-like value", value: value, want: []string{"conf.txt:1 generic-api-key"}},
		{name: "value holding a stopword", value: value[:9] + "Academy" + value[9:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "conf.txt", "service_api_key = "+tt.value+"\n")
			var got []string
			for _, f := range scanRepo(t, dir) {
				got = append(got, fmt.Sprintf("%s:%d %s", f.Location.File, f.Location.Line, strings.Fields(f.Message)[2]))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHoldStopwords: only a long stopword list of an allowlist that has
// another check, in a rule whose ID is not repeated, is held out of the
// translation (gitleaks builds no trie for it); it comes back lowered and
// without repeats, and answers as the trie would.
func TestHoldStopwords(t *testing.T) {
	long := make([]string, trieStopwords)
	for i := range long {
		long[i] = fmt.Sprintf("Word%02d", i)
	}
	long = append(long, "word00") // a repeat once lowered
	quoted := `"` + strings.Join(long, `", "`) + `"`
	rule := func(id, allowlist string) string {
		return fmt.Sprintf("[[rules]]\nid = %q\nregex = '''%s_[a-z0-9]{12}'''\n[[rules.allowlists]]\n%s\n", id, id, allowlist)
	}
	toml := rule("held", "regexes = ['''^x$''']\nstopwords = ["+quoted+"]") +
		rule("only-stopwords", "stopwords = ["+quoted+"]") +
		rule("short", "regexes = ['''^x$''']\nstopwords = [\"Word07\", \"beta\"]") +
		rule("twice", "regexes = ['''^x$''']\nstopwords = ["+quoted+"]") +
		rule("twice", "regexes = ['''^y$''']\nstopwords = ["+quoted+"]")
	vc, err := readViperConfig("test.toml", []byte(toml))
	if err != nil {
		t.Fatal(err)
	}
	restore := holdStopwords(&vc)
	var held []string
	for _, r := range vc.Rules {
		if r.Allowlists[0].StopWords == nil {
			held = append(held, r.ID)
		}
	}
	if diff := cmp.Diff([]string{"held"}, held); diff != "" {
		t.Errorf("rules whose stopwords are held (-want +got):\n%s", diff)
	}
	cfg, err := vc.Translate()
	if err != nil {
		t.Fatal(err)
	}
	restore(cfg)
	lowered := make([]string, trieStopwords)
	for i := range lowered {
		lowered[i] = strings.ToLower(long[i])
	}
	tests := []struct {
		rule string
		want []string
	}{
		{rule: "held", want: lowered},
		{rule: "only-stopwords", want: lowered},
		{rule: "short", want: []string{"beta", "word07"}},
		{rule: "twice", want: lowered},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			al := cfg.Rules[tt.rule].Allowlists[0]
			if diff := cmp.Diff(tt.want, slices.Sorted(slices.Values(al.StopWords))); diff != "" {
				t.Errorf("stopwords (-want +got):\n%s", diff)
			}
			for s, want := range map[string]bool{"xxWORD07xx": true, "word99": false} {
				if got, _ := al.ContainsStopWord(s); got != want {
					t.Errorf("ContainsStopWord(%q) = %v, want %v", s, got, want)
				}
			}
		})
	}
}
