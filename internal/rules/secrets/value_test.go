package secrets

import (
	"context"
	"testing"
)

func TestCredential(t *testing.T) {
	f := newFakes()
	s, _ := newScanner(t, t.TempDir())
	tests := []struct {
		name, key, value string
		want             bool
	}{
		{name: "token alone", value: f.Fixed["GITHUB_TOKEN"], want: true},
		{name: "token base64-encoded", key: "token", value: f.Fixed["GITHUB_TOKEN_B64"], want: true},
		{name: "AWS key in a sentence", key: "note", value: "use " + f.Fixed["AWS_KEY"] + " here", want: true},
		{name: "password under a telling key", key: "DB_PASSWORD", value: f.Fixed["PASSWORD"], want: true},
		{name: "an image", key: "image", value: "ghcr.io/acme/shop:1.2.3"},
		{name: "a log level", key: "LOG_LEVEL", value: "debug"},
		{name: "empty", key: "password", value: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.Credential(context.Background(), tt.key, tt.value); got != tt.want {
				t.Errorf("Credential(%q, value) = %v, want %v", tt.key, got, tt.want)
			}
		})
	}
}
