package gitops

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSubstitute(t *testing.T) {
	s := &Substitution{Vars: map[string]string{"REPLICAS": "3", "TAG": "1.2.0", "EMPTY": "", "ON": "true"}}
	tests := []struct {
		name string
		in   map[string]any
		want map[string]any
	}{
		{name: "a whole-field placeholder becomes the value's type", in: map[string]any{"replicas": "${REPLICAS}"}, want: map[string]any{"replicas": int64(3)}},
		{name: "a boolean", in: map[string]any{"on": "${ON}"}, want: map[string]any{"on": true}},
		{name: "inside a string it stays a string", in: map[string]any{"image": "web:${TAG}"}, want: map[string]any{"image": "web:1.2.0"}},
		{name: ":= default for an undefined variable", in: map[string]any{"n": "${GRACE:=30}"}, want: map[string]any{"n": int64(30)}},
		{name: ":- default for an empty variable", in: map[string]any{"n": "${EMPTY:-7}"}, want: map[string]any{"n": int64(7)}},
		{name: "= default only when unset", in: map[string]any{"n": "x${EMPTY=7}"}, want: map[string]any{"n": "x"}},
		{name: "an undefined variable stays for flux-var-undefined", in: map[string]any{"image": "web:${NOPE}"}, want: map[string]any{"image": "web:${NOPE}"}},
		{name: "an escaped placeholder stays escaped", in: map[string]any{"cmd": "echo $${TAG}"}, want: map[string]any{"cmd": "echo $${TAG}"}},
		{name: "a multi-line string stays a string", in: map[string]any{"script": "${REPLICAS}\n"}, want: map[string]any{"script": "3\n"}},
		{name: "in list items and keys", in: map[string]any{"args": []any{"--n=${REPLICAS}"}, "${TAG}": "v"}, want: map[string]any{"args": []any{"--n=3"}, "1.2.0": "v"}},
		{
			name: "the annotation disables it",
			in:   map[string]any{"metadata": map[string]any{"annotations": map[string]any{substituteKey: "disabled"}}, "replicas": "${REPLICAS}"},
			want: map[string]any{"metadata": map[string]any{"annotations": map[string]any{substituteKey: "disabled"}}, "replicas": "${REPLICAS}"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := cmp.Diff(map[string]any{}, tc.in)
			got, _ := s.Substitute(tc.in)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if cmp.Diff(map[string]any{}, tc.in) != before {
				t.Error("the input object was written to")
			}
		})
	}
}

// TestSecretStandIns checks that a Secret's values never reach a
// substitution, only stand-ins of their YAML type.
func TestSecretStandIns(t *testing.T) {
	secret := map[string]any{
		"apiVersion": "v1", "kind": "Secret",
		"data":       map[string]any{"PORT": "OTA5MA==", "NAME": "c2hvcA=="},
		"stringData": map[string]any{"DOMAIN": "internal.example.org", "ON": "true", "ENC": "ENC[AES256_GCM,data:abc=,iv:def=,tag:ghi=,type:int]"},
	}
	want := map[string]string{"PORT": "1", "NAME": "redacted", "DOMAIN": "redacted", "ON": "true", "ENC": "1"}
	if diff := cmp.Diff(want, objectValues(secret)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	configMap := map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "data": map[string]any{"DOMAIN": "internal.example.org"}}
	if diff := cmp.Diff(map[string]string{"DOMAIN": "internal.example.org"}, objectValues(configMap)); diff != "" {
		t.Errorf("ConfigMap values are substituted as they are (-want +got):\n%s", diff)
	}
}
