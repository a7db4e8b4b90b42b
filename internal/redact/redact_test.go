package redact

import (
	"encoding/base64"
	"slices"
	"strings"
	"testing"
)

// token is a strong value built at run time, so that the repository stays
// clean under its own secret scanner.
var token = "Zq9" + strings.Repeat("xK2m", 4) + "Pw7"

func TestText(t *testing.T) {
	set := &Set{}
	// A configuration file kept in a Secret: its identifiers are no
	// secret, the password on its last line is.
	config := "logger.audit_resource.name = org.apache.activemq.audit.resource\n<address-setting match=\"activemq.management#\">\nconnectors=cluster-local-0-ssl,cluster-other-ssl\npassword=" + token[:12] + "\n"
	set.Add(token, "shop", "production", "postgres://shop:"+token[:10]+"@db/shop", "shop-settings-v2", config)
	set.AddPublic("shop-settings-v2")
	tests := []struct {
		name string
		msg  string
		want string
	}{
		{name: "plain", msg: "value " + token + " is bad", want: "value [redacted] is bad"},
		{name: "base64", msg: "data " + base64.StdEncoding.EncodeToString([]byte(token)), want: "data [redacted]"},
		{name: "base64url unpadded", msg: "x=" + base64.RawURLEncoding.EncodeToString([]byte(token)) + ";", want: "x=[redacted];"},
		{name: "upper case", msg: "SHOUT " + strings.ToUpper(token), want: "SHOUT [redacted]"},
		{name: "substring of eight", msg: "starts with " + token[3:11] + "!", want: "starts with [redacted]!"},
		{name: "substring of base64", msg: "b64 " + base64.StdEncoding.EncodeToString([]byte(token))[4:16], want: "b64 [redacted]"},
		{name: "short piece kept", msg: "abc " + token[3:10], want: "abc " + token[3:10]},
		{name: "weak value never cut out", msg: `Deployment "shop" has no resources`, want: `Deployment "shop" has no resources`},
		{name: "common word never cut out", msg: "namespace production is missing", want: "namespace production is missing"},
		{name: "URL scheme and host kept", msg: "image postgres:16 from db/shop", want: "image postgres:16 from db/shop"},
		{name: "piece across a separator", msg: "cut shop:" + token[:7] + " here", want: "cut [redacted] here"},
		{name: "URL password hidden", msg: "dsn postgres://shop:" + token[:10] + "@db/shop", want: "dsn [redacted]"},
		{name: "secret equal to a resource name", msg: `ConfigMap "shop-settings-v2" is unused`, want: `ConfigMap "shop-settings-v2" is unused`},
		{name: "words of a configuration file kept", msg: "accumulating resources: activemq.management of operators.coreos.com/v1 OperatorGroup", want: "accumulating resources: activemq.management of operators.coreos.com/v1 OperatorGroup"},
		{name: "identifiers with a number kept", msg: "key cluster-credentials.broker.properties", want: "key cluster-credentials.broker.properties"},
		{name: "password in a configuration file hidden", msg: "found " + token[:12] + " in the file", want: "found [redacted] in the file"},
		{name: "marker stays", msg: Marker + " " + Marker, want: Marker + " " + Marker},
		{name: "nothing", msg: "all fine here", want: "all fine here"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := set.Text(tt.msg); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.msg, got, tt.want)
			}
		})
	}
}

func TestValue(t *testing.T) {
	set := &Set{}
	set.Add("shop", token)
	tests := []struct {
		name, v, want string
	}{
		{name: "weak value printed as a value", v: "shop", want: Marker},
		{name: "weak value inside other text", v: "shopping", want: "shopping"},
		{name: "strong value inside other text", v: "Bearer " + token, want: "Bearer " + Marker},
		{name: "other value", v: "nginx:1.27", want: "nginx:1.27"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := set.Value(tt.v); got != tt.want {
				t.Errorf("Value(%q) = %q, want %q", tt.v, got, tt.want)
			}
		})
	}
}

func TestStrong(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{v: "shop", want: false},
		{v: "production", want: false},
		{v: "36000000", want: false},
		{v: "aaaa1111", want: false},
		{v: "hunter22", want: true},
		{v: token, want: true},
		{v: "correcthorsebatterystaple", want: true},
	}
	for _, tt := range tests {
		if got := Strong(tt.v); got != tt.want {
			t.Errorf("Strong(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

func TestMultiLineValue(t *testing.T) {
	line := strings.Repeat("MIIEow", 3) + "Zq9xK2"
	// Built at run time, so that the repository's own scan finds no key.
	begin, end := "-----BEGIN "+"PRIVATE KEY-----", "-----END "+"PRIVATE KEY-----"
	set := &Set{}
	set.Add(begin + "\n" + line + "\n" + end + "\n")
	if got := set.Text("line " + line); got != "line "+Marker {
		t.Errorf("a line of the key: %q", got)
	}
	if got := set.Text(begin); got != begin {
		t.Errorf("the armour line is not secret: %q", got)
	}
}

func TestNilSet(t *testing.T) {
	var s *Set
	s.Add(token)
	s.AddPublic("x")
	if s.Text(token) != token || s.Value(token) != token || s.Has(token) || !s.Empty() {
		t.Error("a nil Set hides nothing")
	}
}

// BenchmarkText screens a typical message with the values of a large
// repository: a thousand strong secret values and ten thousand names.
func BenchmarkText(b *testing.B) {
	set := &Set{}
	for i := range 1000 {
		set.Add(token + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("Q", i%5))
	}
	for i := range 10000 {
		set.AddPublic("apps/shop-" + strings.Repeat("z", i%50) + "/overlays/prod")
	}
	msg := `Deployment "shop" has no app.kubernetes.io/name or app.kubernetes.io/instance label; container "shop" has no memory limit`
	b.ReportAllocs()
	for b.Loop() {
		set.Text(msg)
	}
}

// TestNames lists what a message may name an object by: never hidden,
// even when a secret value of the run equals it.
func TestNames(t *testing.T) {
	obj := map[string]any{
		"apiVersion": "batch/v1",
		"kind":       "CronJob",
		"metadata":   map[string]any{"name": "backup", "namespace": "db", "labels": map[string]any{"app": "keycloak"}, "annotations": map[string]any{"note": "kept out"}},
		"spec": map[string]any{"jobTemplate": map[string]any{"spec": map[string]any{"template": map[string]any{"spec": map[string]any{
			"initContainers": []any{map[string]any{"name": "wait-for-db"}},
			"containers":     []any{map[string]any{"name": "keycloak-postgresql", "env": []any{map[string]any{"name": "PGHOST"}}}},
		}}}}},
	}
	got := Names(obj)
	slices.Sort(got)
	want := []string{"CronJob", "app", "backup", "batch/v1", "db", "keycloak", "keycloak-postgresql", "note", "wait-for-db"}
	if !slices.Equal(got, want) {
		t.Errorf("Names = %q, want %q", got, want)
	}
	set := &Set{}
	set.Add("keycloak-postgresql") // a Secret's database host
	set.AddPublic(got...)
	if msg := `container "keycloak-postgresql" has no CPU limit`; set.Text(msg) != msg {
		t.Errorf("Text(%q) = %q: a container's name was hidden", msg, set.Text(msg))
	}
}
