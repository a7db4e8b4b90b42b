// Package secretstest builds fake credentials at run time and fills them
// into fixture directories, for the tests of the secret checks and of the
// command. The fixtures hold {{PLACEHOLDER}}s, never a credential, so the
// repository passes its own scan.
package secretstest

import (
	"encoding/base64"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Fakes builds the fake credentials the fixtures refer to by placeholder.
// They are made at run time from a fixed seed, so that no file of the
// repository holds anything that looks like a credential (the repository
// passes its own scan) while every run sees the same values.
type Fakes struct {
	rng *rand.Rand
	// Fixed are the credentials by placeholder name.
	Fixed map[string]string
	// Secret lists every value that must never appear in output: each
	// credential plain and base64-encoded, and each line of the key.
	Secret []string
}

func NewFakes() *Fakes {
	f := &Fakes{rng: rand.New(rand.NewPCG(1, 2)), Fixed: map[string]string{}}
	const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	const upper32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	const lowerNum = "abcdefghijklmnopqrstuvwxyz0123456789"
	token := "ghp_" + f.pick(alnum, 36)
	password := f.pick(alnum, 20)
	var key strings.Builder
	key.WriteString("-----BEGIN " + "RSA PRIVATE KEY-----\n")
	for range 10 {
		key.WriteString(base64.StdEncoding.EncodeToString(f.bytes(48)) + "\n")
	}
	key.WriteString("-----END " + "RSA PRIVATE KEY-----")
	f.Fixed = map[string]string{
		"GITHUB_TOKEN":     token,
		"GITHUB_TOKEN_B64": base64.StdEncoding.EncodeToString([]byte(token)),
		"PASSWORD":         password,
		"AWS_KEY":          "AKIA" + f.pick(upper32, 16),
		"ACME_KEY":         "acme_" + f.pick(lowerNum, 24),
		"PRIVATE_KEY":      key.String(),
	}
	for _, name := range []string{"GITHUB_TOKEN", "GITHUB_TOKEN_B64", "PASSWORD", "AWS_KEY", "ACME_KEY"} {
		f.Secret = append(f.Secret, f.Fixed[name], base64.StdEncoding.EncodeToString([]byte(f.Fixed[name])))
	}
	// A private key leaks through any of its lines.
	f.Secret = append(f.Secret, strings.Split(key.String(), "\n")[1:11]...)
	f.Secret = append(f.Secret, base64.StdEncoding.EncodeToString([]byte(key.String())))
	return f
}

func (f *Fakes) pick(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[f.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (f *Fakes) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(f.rng.UintN(256))
	}
	return b
}

func (f *Fakes) b64(n int) string { return base64.StdEncoding.EncodeToString(f.bytes(n)) }

// Value returns the replacement for a placeholder; ciphertexts are fresh
// for every occurrence, as SOPS and kubeseal make them.
func (f *Fakes) Value(name string) string {
	if v, ok := f.Fixed[name]; ok {
		return v
	}
	switch name {
	case "ENC":
		return "ENC[AES256_GCM,data:" + f.b64(24) + ",iv:" + f.b64(32) + ",tag:" + f.b64(16) + ",type:str]"
	case "SEALED":
		return "Ag" + f.b64(300)
	case "REMOTE_ID":
		return f.pick("abcdefghijklmnopqrstuvwxyz0123456789", 32)
	case "AGE_RECIPIENT":
		return "age1" + f.pick("qpzry9x8gf2tvdw0s3jn54khce6mua7l", 58)
	case "AGE_BLOCK":
		return f.b64(48) + "\n" + f.b64(48) + "\n" + f.b64(30)
	case "AGE_LINE":
		return `-----BEGIN AGE ENCRYPTED FILE-----\n` + f.b64(48) + `\n` + f.b64(30) + `\n-----END AGE ENCRYPTED FILE-----\n`
	}
	panic("unknown placeholder " + name)
}

var placeholder = regexp.MustCompile(`\{\{([A-Z0-9_]+)\}\}`)

// Materialise copies the fixture directory src into a temporary directory with the
// placeholders replaced. A multi-line value continues at the indentation
// of its placeholder, so it can stand in a YAML block scalar.
func (f *Fakes) Materialise(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var b strings.Builder
		for line := range strings.Lines(string(data)) {
			indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
			b.WriteString(placeholder.ReplaceAllStringFunc(line, func(m string) string {
				v := f.Value(placeholder.FindStringSubmatch(m)[1])
				return strings.ReplaceAll(v, "\n", "\n"+indent)
			}))
		}
		return os.WriteFile(out, []byte(b.String()), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
