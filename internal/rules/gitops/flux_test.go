package gitops

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUndefinedVars(t *testing.T) {
	defined := map[string]bool{"DOMAIN": true, "APP": true}
	tests := []struct {
		name, in string
		want     []string
	}{
		{name: "defined", in: "https://${APP}.${DOMAIN}/"},
		{name: "undefined", in: "${REGION}", want: []string{"REGION"}},
		{name: "each name once, in order", in: "${B}-${A}-${B}", want: []string{"B", "A"}},
		{name: "defaults", in: "${A:=1} ${B:-2} ${C=3} ${D-4}"},
		{name: "other operators need a value", in: "${E^^} ${F:0:2} ${#G}", want: []string{"E", "F", "G"}},
		{name: "escaped", in: "$${HOME} and $$ and $${X:=1}"},
		{name: "escape then placeholder", in: "$$${REGION}", want: []string{"REGION"}},
		{name: "nested default is not evaluated", in: "${TIER:=${UNSET}}"},
		{name: "unbraced is left alone", in: "$HOME $1"},
		{name: "not a name", in: "${1} ${-x} ${}"},
		{name: "unclosed", in: "${OPEN"},
		{name: "dollar at the end", in: "cost: 5$"},
		{name: "after an unclosed one", in: "${ ${LATE}", want: []string{"LATE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, undefinedVars(tt.in, defined)); diff != "" {
				t.Errorf("undefinedVars(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestWalkStrings(t *testing.T) {
	obj := map[string]any{
		"data": map[string]any{"a/b": "${X}", "${K}": "v", "n": int64(1)},
		"list": []any{"plain", "${Y}"},
	}
	var got []string
	walkStrings(obj, "", func(ptr, s string) { got = append(got, ptr+"="+s) })
	want := []string{"/data/${K}=${K}", "/data/a~1b=${X}", "/list/1=${Y}"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
