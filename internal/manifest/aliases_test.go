package manifest

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckAliases(t *testing.T) {
	laughs := func(levels int) string {
		var b strings.Builder
		b.WriteString("l0: &l0 [x, x, x, x, x, x, x, x, x]\n")
		for i := 1; i < levels; i++ {
			refs := strings.Repeat("*l"+string(rune('0'+i-1))+", ", 8) + "*l" + string(rune('0'+i-1))
			b.WriteString("l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [" + refs + "]\n")
		}
		return b.String()
	}
	tests := []struct {
		name     string
		data     string
		wantLine int // 0: accepted
	}{
		{name: "no aliases", data: "a: 1\nb: [2, 3]\n"},
		{name: "small anchors", data: "a: &x {k: v}\nb: *x\nc: *x\n"},
		{name: "not YAML is left to the decoder", data: "a: &x [\n*x"},
		{name: "four levels of laughs fit", data: laughs(4)},
		{name: "nine levels of laughs", data: laughs(9), wantLine: 6},
		{name: "bomb in a later document", data: "a: 1\n---\n" + laughs(9), wantLine: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAliases("f.yaml", []byte(tt.data))
			if tt.wantLine == 0 {
				if err != nil {
					t.Fatalf("CheckAliases: %v", err)
				}
				return
			}
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, ErrAliasExpansion) {
				t.Fatalf("CheckAliases = %v, want a SyntaxError for alias expansion", err)
			}
			if se.Origin.File != "f.yaml" || se.Origin.Line != tt.wantLine {
				t.Errorf("at %s, want f.yaml:%d", se.Origin, tt.wantLine)
			}
			// Every decoder of documents refuses it the same way.
			if _, err := DecodeFile("f.yaml", []byte(tt.data)); !errors.Is(err, ErrAliasExpansion) {
				t.Errorf("DecodeFile = %v, want the alias budget error", err)
			}
		})
	}
}
