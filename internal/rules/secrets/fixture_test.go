package secrets

import (
	"context"
	"encoding/base64"
	"io/fs"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// fakes builds the fake credentials the fixtures refer to by placeholder.
// They are made at run time from a fixed seed, so that no file of the
// repository holds anything that looks like a credential (the repository
// passes its own scan) while every run sees the same values.
type fakes struct {
	rng    *rand.Rand
	fixed  map[string]string
	secret []string // every value that must never appear in output
}

func newFakes() *fakes {
	f := &fakes{rng: rand.New(rand.NewPCG(1, 2)), fixed: map[string]string{}}
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
	f.fixed = map[string]string{
		"GITHUB_TOKEN":     token,
		"GITHUB_TOKEN_B64": base64.StdEncoding.EncodeToString([]byte(token)),
		"PASSWORD":         password,
		"AWS_KEY":          "AKIA" + f.pick(upper32, 16),
		"ACME_KEY":         "acme_" + f.pick(lowerNum, 24),
		"PRIVATE_KEY":      key.String(),
	}
	for _, name := range []string{"GITHUB_TOKEN", "GITHUB_TOKEN_B64", "PASSWORD", "AWS_KEY", "ACME_KEY"} {
		f.secret = append(f.secret, f.fixed[name], base64.StdEncoding.EncodeToString([]byte(f.fixed[name])))
	}
	// A private key leaks through any of its lines.
	for _, line := range strings.Split(key.String(), "\n")[1:11] {
		f.secret = append(f.secret, line)
	}
	f.secret = append(f.secret, base64.StdEncoding.EncodeToString([]byte(key.String())))
	return f
}

func (f *fakes) pick(alphabet string, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[f.rng.IntN(len(alphabet))]
	}
	return string(b)
}

func (f *fakes) bytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(f.rng.UintN(256))
	}
	return b
}

func (f *fakes) b64(n int) string { return base64.StdEncoding.EncodeToString(f.bytes(n)) }

// value returns the replacement for a placeholder; ciphertexts are fresh
// for every occurrence, as SOPS and kubeseal make them.
func (f *fakes) value(name string) string {
	if v, ok := f.fixed[name]; ok {
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

// materialise copies testdata/<name> into a temporary directory with the
// placeholders replaced. A multi-line value continues at the indentation
// of its placeholder, so it can stand in a YAML block scalar.
func materialise(t testing.TB, f *fakes, name string) string {
	t.Helper()
	src := filepath.Join("testdata", name)
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
				v := f.value(placeholder.FindStringSubmatch(m)[1])
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

// scanRepo runs what the engine runs over a repository: the file scan,
// every kustomization, and every object written in a YAML file as a plain
// resource of the target of its directory. It returns the merged findings.
func scanRepo(t testing.TB, dir string) []rules.Finding {
	t.Helper()
	rp, err := repo.Discover(dir, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(rp)
	if err != nil {
		t.Fatal(err)
	}
	all := s.ScanFiles(context.Background(), rp.Files, 2)
	for _, k := range rp.Kustomizations {
		all = append(all, s.ScanKustomization(k)...)
	}
	for _, file := range rp.Files {
		for _, r := range sourceResources(t, rp.Root, file) {
			all = append(all, s.ScanResource(&r)...)
		}
	}
	return rules.Merge(all)
}

// sourceResources decodes the objects written in a YAML file, as the
// engine does for plain targets.
func sourceResources(t testing.TB, root, file string) []manifest.Resource {
	if ext := path.Ext(file); ext != ".yaml" && ext != ".yml" {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(root, file))
	if err != nil {
		t.Fatal(err)
	}
	docs, _ := manifest.DecodeFile(file, data)
	var res []manifest.Resource
	for _, d := range docs {
		if d.Object == nil || !manifest.IsKubernetesObject(d.Object) {
			continue
		}
		res = append(res, manifest.Resource{
			ID: d.ID(), SourceID: d.ID(), Object: d.Object, Doc: d,
			Origin: manifest.Origin{File: file, Line: d.Line, Col: 1}, Target: path.Dir(file),
		})
	}
	return res
}

// leaks returns the fake secrets that appear anywhere in the findings.
func leaks(f *fakes, fs []rules.Finding) []string {
	var text strings.Builder
	for _, x := range fs {
		text.WriteString(x.Message + "\x00" + x.Path + "\x00" + x.Fingerprint + "\x00")
	}
	var out []string
	for _, s := range f.secret {
		if strings.Contains(text.String(), s) {
			out = append(out, s[:4]+"…")
		}
	}
	return slices.Compact(out)
}
