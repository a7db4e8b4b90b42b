package secrets

import (
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
	"github.com/gitops-lint/gitops-lint/internal/rules/secrets/secretstest"
)

func TestRulesCatalogueIsValid(t *testing.T) {
	rs := Rules()
	if err := rules.Validate(rs); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range rs {
		ids = append(ids, r.ID)
	}
	want := []string{LeakedCredential, PlaintextSecret, SecretGeneratorPlaintext, SOPSUnencrypted, SecretScanSkipped}
	if diff := cmp.Diff(want, ids); diff != "" {
		t.Errorf("rule IDs (-want +got):\n%s", diff)
	}
	if rs[0] == Rules()[0] {
		t.Error("Rules returns shared values")
	}
}

// found is the part of a finding a fixture pins down.
type found struct {
	Rule    string
	Loc     string
	Path    string
	Related []string
}

func summarise(fs []rules.Finding) []found {
	var out []found
	for _, f := range fs {
		x := found{Rule: f.RuleID, Loc: f.Location.String(), Path: f.Path}
		for _, r := range f.Related {
			x.Related = append(x.Related, r.String())
		}
		out = append(out, x)
	}
	return out
}

// TestFixtures runs every rule over a repository that makes it fire and
// over the safe patterns that must not. The fake credentials are filled in
// at run time (see fakes); no message may contain one.
func TestFixtures(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		want    []found
	}{
		{
			name:    "Secret with stringData",
			fixture: "stringdata",
			want: []found{
				{Rule: PlaintextSecret, Loc: "secret.yaml:7:3", Path: "/stringData/password"},
				{Rule: LeakedCredential, Loc: "secret.yaml:7:14", Path: "/stringData/password"},
			},
		},
		{
			name:    "GitHub token present only base64-encoded in Secret data",
			fixture: "base64-token",
			want: []found{
				{Rule: LeakedCredential, Loc: "secret.yaml:7:3", Path: "/data/token"},
				{Rule: PlaintextSecret, Loc: "secret.yaml:7:3", Path: "/data/token"},
			},
		},
		{
			name:    "SOPS-encrypted Secret and dotenv under their creation rules, dotenv feeding a secretGenerator",
			fixture: "sops",
		},
		{
			name:    "SealedSecret",
			fixture: "sealed",
		},
		{
			name:    "ExternalSecret, SecretStore and SecretProviderClass",
			fixture: "external",
		},
		{
			name:    "PEM private key in a ConfigMap",
			fixture: "pem-configmap",
			want: []found{
				{Rule: LeakedCredential, Loc: "configmap.yaml:8:5", Path: "/data/tls.key"},
			},
		},
		{
			name:    "secretGenerator from a committed .env with a password and an AWS key, and literals (one not key=value)",
			fixture: "generator",
			want: []found{
				{Rule: LeakedCredential, Loc: "app.env:2:13"},
				{Rule: LeakedCredential, Loc: "app.env:3:19"},
				{Rule: SecretGeneratorPlaintext, Loc: "kustomization.yaml:6:9", Related: []string{"app.env:2:1"}},
				{Rule: SecretGeneratorPlaintext, Loc: "kustomization.yaml:8:9"},
				{Rule: LeakedCredential, Loc: "kustomization.yaml:8:19", Path: "/secretGenerator/0/literals"},
				{Rule: SecretGeneratorPlaintext, Loc: "kustomization.yaml:10:9"},
			},
		},
		{
			name:    "configMapGenerator from a .env of plain settings",
			fixture: "configmap-generator",
		},
		{
			name:    "file under a .sops.yaml creation rule left unencrypted; a ConfigMap and a file outside the rule are not",
			fixture: "sops-creation",
			want: []found{
				{Rule: PlaintextSecret, Loc: "secrets/db.yaml:6:3", Path: "/stringData/username"},
				{Rule: SOPSUnencrypted, Loc: "secrets/db.yaml:6:3", Path: "/stringData/username", Related: []string{".sops.yaml:2:17"}},
			},
		},
		{
			name:    "partially encrypted SOPS files: a value added after encryption",
			fixture: "sops-partial",
			want: []found{
				{Rule: SOPSUnencrypted, Loc: "app.env:2:1"},
				{Rule: SOPSUnencrypted, Loc: "secret.sops.yaml:7:5", Path: "/stringData/username"},
			},
		},
		{
			name:    ".gitleaks.toml extending the defaults, .gitleaksignore and gitleaks:allow",
			fixture: "gitleaks-config",
			want: []found{
				{Rule: LeakedCredential, Loc: "config.txt:2:10"},
			},
		},
		{
			name:    ".gitleaks.toml replacing the defaults",
			fixture: "gitleaks-replace",
			want: []found{
				{Rule: LeakedCredential, Loc: "config.txt:2:10"},
			},
		},
		{
			name:    "service-account token without data, and values that reference secrets kept elsewhere",
			fixture: "references",
		},
		{
			name:    "KSOPS generator over a SOPS-encrypted file",
			fixture: "ksops",
		},
	}
	f := newFakes()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := scanRepo(t, materialise(t, f, tt.fixture))
			if diff := cmp.Diff(tt.want, summarise(got)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if l := leaks(f, got); len(l) > 0 {
				t.Errorf("messages contain fake secrets %v", l)
			}
		})
	}
}

// TestMessages pins the wording that users copy from: the gitleaks rule,
// a four-character prefix at most and the .gitleaksignore fingerprint.
func TestMessages(t *testing.T) {
	f := newFakes()
	got := map[string]string{}
	for _, fixture := range []string{"base64-token", "pem-configmap", "generator", "sops-creation", "sops-partial"} {
		for _, x := range scanRepo(t, materialise(t, f, fixture)) {
			got[fixture+" "+x.RuleID+" "+x.Location.String()] = x.Message
		}
	}
	want := map[string]string{
		"base64-token leaked-credential secret.yaml:7:3":               `gitleaks rule github-pat matches "ghp_…" under key "token" (fingerprint secret.yaml:github-pat:7)`,
		"base64-token plaintext-secret secret.yaml:7:3":                `Secret "ci" holds a value that is only base64-encoded, not encrypted, in data key "token" (the key name "token" names a credential)`,
		"pem-configmap leaked-credential configmap.yaml:8:5":           `gitleaks rule private-key matches a value under key "tls.key" (fingerprint configmap.yaml:private-key:8)`,
		"generator leaked-credential app.env:3:19":                     `gitleaks rule aws-access-token matches "AKIA…" under key "AWS_ACCESS_KEY_ID" (fingerprint app.env:aws-access-token:3)`,
		"generator secret-generator-plaintext kustomization.yaml:6:9":  `secretGenerator "app" reads env file app.env, which is committed unencrypted (first value: key "DB_PASSWORD")`,
		"generator secret-generator-plaintext kustomization.yaml:8:9":  `secretGenerator "app" takes literal "api-token" in plain text from the kustomization`,
		"generator secret-generator-plaintext kustomization.yaml:10:9": `secretGenerator "app" takes a literal in plain text from the kustomization`,
		"sops-creation sops-unencrypted secrets/db.yaml:6:3":           `not SOPS-encrypted, but creation rule 1 of .sops.yaml (path_regex secrets/.*\.yaml$) covers it; value of "stringData.username" would be encrypted`,
		"sops-partial sops-unencrypted secret.sops.yaml:7:5":           `value of "stringData.username" is plaintext in a SOPS-encrypted file, whose metadata (encrypted_regex ^(data|stringData)$) says it must be encrypted`,
		"sops-partial sops-unencrypted app.env:2:1":                    `value of "DB_HOST" is plaintext in a SOPS-encrypted file, whose metadata (unencrypted_suffix _unencrypted) says it must be encrypted`,
		"sops-creation plaintext-secret secrets/db.yaml:6:3":           `Secret "db" holds a plaintext value in stringData key "username": no key name, value or Secret type looks like a credential, hence a warning; configuration that is no secret belongs in a ConfigMap`,
		"generator leaked-credential app.env:2:13":                     `gitleaks rule generic-api-key matches "` + f.Fixed["PASSWORD"][:4] + `…" under key "DB_PASSWORD" (fingerprint app.env:generic-api-key:2)`,
		"generator leaked-credential kustomization.yaml:8:19":          `gitleaks rule generic-api-key matches "` + f.Fixed["PASSWORD"][:4] + `…" under key "literals" (fingerprint kustomization.yaml:generic-api-key:8)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}

// TestScanResourceRendered covers what only rendering shows: a value that
// no file holds as written (a replacement put it there) is scanned decoded
// and reported at the field's source line, identically in every target so
// that the findings merge; a value a file holds is left to the file scan;
// a generated Secret is left to secret-generator-plaintext.
func TestScanResourceRendered(t *testing.T) {
	f := newFakes()
	dir := materialise(t, f, "stringdata")
	s, _ := newScanner(t, dir)
	const source = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: ci\ndata:\n  token: eA==\n"
	docs, err := manifest.DecodeFile("base/secret.yaml", []byte(source))
	if err != nil {
		t.Fatal(err)
	}
	doc := docs[0]
	rendered := func(target, token string, generated bool) *manifest.Resource {
		id := manifest.ResID{APIVersion: "v1", Kind: "Secret", Name: "ci"}
		r := &manifest.Resource{
			ID: id, SourceID: id, Target: target, Generated: generated,
			Object: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "ci"}, "data": map[string]any{"token": token}},
		}
		if generated {
			r.Origin = manifest.Origin{File: "base/kustomization.yaml", Line: 4, Col: 5}
		} else {
			r.Doc, r.Origin = doc, manifest.Origin{File: doc.File, Line: doc.Line, Col: 1}
		}
		return r
	}
	tokenB64 := f.Fixed["GITHUB_TOKEN_B64"]
	tests := []struct {
		name string
		res  []*manifest.Resource
		want []found
	}{
		{
			name: "value set by a replacement, in two overlays",
			res:  []*manifest.Resource{rendered("overlays/dev", tokenB64, false), rendered("overlays/prod", tokenB64, false)},
			want: []found{
				{Rule: LeakedCredential, Loc: "base/secret.yaml:6:3", Path: "/data/token"},
				{Rule: PlaintextSecret, Loc: "base/secret.yaml:6:3", Path: "/data/token"},
			},
		},
		{
			name: "value as written in the source file",
			res:  []*manifest.Resource{rendered("overlays/dev", "eA==", false)},
			want: []found{{Rule: PlaintextSecret, Loc: "base/secret.yaml:6:3", Path: "/data/token"}},
		},
		{
			name: "generated by a secretGenerator",
			res:  []*manifest.Resource{rendered("overlays/dev", tokenB64, true)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var all []rules.Finding
			for _, r := range tt.res {
				all = append(all, s.ScanResource(r)...)
			}
			got := rules.Merge(all)
			if diff := cmp.Diff(tt.want, summarise(got)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			for _, x := range got {
				if len(x.Targets) != len(tt.res) {
					t.Errorf("%s: targets %v, want one per overlay", x.RuleID, x.Targets)
				}
			}
			if l := leaks(f, got); len(l) > 0 {
				t.Errorf("messages contain fake secrets %v", l)
			}
		})
	}
}

// TestScanFilesSkipsLargeAndBinary: a large file is reported as not
// scanned, a binary file silently skipped, even when each holds a token.
func TestScanFilesSkipsLargeAndBinary(t *testing.T) {
	f := newFakes()
	dir := t.TempDir()
	token := f.Fixed["GITHUB_TOKEN"]
	big := strings.Repeat("# filler line of a large generated bundle\n", MaxFileSize/40) + "token: " + token + "\n"
	write(t, dir, "bundle.yaml", big)
	write(t, dir, "image.bin", "\x00\x01binary "+token)
	write(t, dir, "small.txt", "token "+token+"\n")
	got := scanRepo(t, dir)
	want := []found{
		{Rule: SecretScanSkipped, Loc: "bundle.yaml:1"},
		{Rule: LeakedCredential, Loc: "small.txt:1:7"},
	}
	if diff := cmp.Diff(want, summarise(got)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestScanFilesDeterministicAndCancellable: the result does not depend on
// the number of workers, and a cancelled scan returns early.
func TestScanFilesDeterministicAndCancellable(t *testing.T) {
	f := newFakes()
	root := t.TempDir()
	for _, fixture := range []string{"stringdata", "base64-token", "pem-configmap", "generator", "sops-partial"} {
		src := materialise(t, f, fixture)
		if err := os.CopyFS(filepath.Join(root, fixture), os.DirFS(src)); err != nil {
			t.Fatal(err)
		}
	}
	s, rp := newScanner(t, root)
	one := s.ScanFiles(context.Background(), rp.Files, 1)
	four := s.ScanFiles(context.Background(), rp.Files, 4)
	if len(one) == 0 {
		t.Fatal("no findings")
	}
	if diff := cmp.Diff(one, four); diff != "" {
		t.Errorf("1 job vs 4 jobs (-1 +4):\n%s", diff)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := s.ScanFiles(ctx, rp.Files, 2); len(got) != 0 {
		t.Errorf("cancelled scan found %d findings", len(got))
	}
}

// TestNewRejectsBadConfiguration: a configuration that cannot be used is
// an error naming the file (and line, where known), never a panic, a
// network fetch or a read outside the repository.
func TestNewRejectsBadConfiguration(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // regexp
		// hidden must not appear in the error (a token in a pattern).
		hidden string
	}{
		{
			name:  "malformed TOML",
			files: map[string]string{".gitleaks.toml": "title = \"x\"\n[[rules]\nid = 1\n"},
			want:  `^\.gitleaks\.toml:2: `,
		},
		{
			name:  "extend.url",
			files: map[string]string{".gitleaks.toml": "[extend]\nurl = \"https://ci:hunter2hunter2@example.com/gitleaks.toml\"\n"},
			want:  `^\.gitleaks\.toml: extend\.url "https://example\.com/gitleaks\.toml" .* network`,
		},
		{
			name:  "extend.path outside the repository",
			files: map[string]string{".gitleaks.toml": "[extend]\npath = \"../outside.toml\"\n"},
			want:  `^\.gitleaks\.toml: extend\.path .*leaves the repository`,
		},
		{
			name:  "extend.path absolute",
			files: map[string]string{".gitleaks.toml": "[extend]\npath = \"{{OUTSIDE}}\"\n"},
			want:  `^\.gitleaks\.toml: extend\.path .*absolute`,
		},
		{
			name:  "invalid rule regex",
			files: map[string]string{".gitleaks.toml": "title = \"x\"\n\n[[rules]]\nid = \"broken\"\nregex = '''(unclosed'''\n"},
			want:  `^\.gitleaks\.toml:4: rule "broken" regex: `,
		},
		{
			name:  "malformed .sops.yaml",
			files: map[string]string{".sops.yaml": "creation_rules:\n  - path_regex: a\n   bad: [\n"},
			want:  `^\.sops\.yaml:\d+: `,
		},
		{
			name:  "invalid path_regex",
			files: map[string]string{".sops.yaml": "creation_rules:\n  - path_regex: secrets/(.*\n"},
			want:  `^\.sops\.yaml:2: path_regex: `,
		},
		{
			name:   "invalid allowlist regex holding a token",
			files:  map[string]string{".gitleaks.toml": "[[rules]]\nid = \"r\"\nregex = 'x'\n[[rules.allowlists]]\nregexes = ['(tok3n-aaaabbbbccccdddd']\n"},
			want:   `^\.gitleaks\.toml:\d+: rule "r" allowlist: error parsing regexp: missing closing \) in the pattern starting "\(tok3n…"$`,
			hidden: "aaaabbbb",
		},
		{
			name:   "invalid encrypted_regex holding a token",
			files:  map[string]string{".sops.yaml": "creation_rules:\n  - path_regex: a\n    encrypted_regex: \"(tok3n-aaaabbbbccccdddd\"\n"},
			want:   `^\.sops\.yaml:\d+: .*encrypted_regex: error parsing regexp: missing closing \) in the pattern starting "\(tok3n…"$`,
			hidden: "aaaabbbb",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "repo")
			outside := filepath.Join(parent, "outside.toml")
			write(t, parent, "outside.toml", "title = \"x\"\n")
			for name, content := range tt.files {
				write(t, dir, name, strings.ReplaceAll(content, "{{OUTSIDE}}", filepath.ToSlash(outside)))
			}
			rp, err := repo.Discover(dir, repo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			_, err = New(rp, Options{})
			if err == nil {
				t.Fatal("New accepted the configuration")
			}
			if !regexp.MustCompile(tt.want).MatchString(err.Error()) {
				t.Errorf("error %q does not match %q", err, tt.want)
			}
			if tt.hidden != "" && strings.Contains(err.Error(), tt.hidden) {
				t.Errorf("error %q quotes the pattern", err)
			}
		})
	}
}

// TestSettingsFilesOutsideAreNotRead: .gitleaks.toml, .gitleaksignore and
// .sops.yaml that are symlinks out of the repository, or to a device, are
// not read: the scanner starts as if they were absent and the walk
// reports each link as path-escape.
func TestSettingsFilesOutsideAreNotRead(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "repo")
	write(t, parent, "outside.toml", "title = \"x\"\n[[rules]\nbroken")
	write(t, dir, "a.yaml", "a: 1\n")
	for name, target := range map[string]string{
		".gitleaks.toml":  filepath.Join(parent, "outside.toml"),
		".gitleaksignore": filepath.Join(parent, "outside.toml"),
		".sops.yaml":      "/dev/zero",
	} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	rp, err := repo.Discover(dir, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := New(rp, Options{}); err != nil {
		t.Fatalf("New read a settings file outside the repository: %v", err)
	}
	var escapes []string
	for _, f := range rp.Findings {
		if f.RuleID == rules.PathEscape {
			escapes = append(escapes, f.Location.String())
		}
	}
	if diff := cmp.Diff([]string{".gitleaks.toml:1", ".gitleaksignore:1", ".sops.yaml:1"}, escapes); diff != "" {
		t.Errorf("path-escape findings (-want +got):\n%s", diff)
	}
}

// TestExtendPathInsideRepository: a configuration may extend a file of
// the repository, which may itself use the default rules.
func TestExtendPathInsideRepository(t *testing.T) {
	f := newFakes()
	dir := t.TempDir()
	write(t, dir, ".gitleaks.toml", "[extend]\npath = \"config/base.toml\"\ndisabledRules = [\"aws-access-token\"]\n")
	write(t, dir, "config/base.toml", "[extend]\nuseDefault = true\n\n[[rules]]\nid = \"acme-api-key\"\nregex = '''acme_[a-z0-9]{24}'''\nkeywords = [\"acme_\"]\n")
	write(t, dir, "a.txt", "client = "+f.Fixed["ACME_KEY"]+"\nother "+f.Fixed["GITHUB_TOKEN"]+"\naws "+f.Fixed["AWS_KEY"]+"\n")
	var got []string
	for _, x := range scanRepo(t, dir) {
		got = append(got, x.Location.String()+" "+strings.Fields(x.Message)[2])
	}
	want := []string{"a.txt:1:10 acme-api-key", "a.txt:2:7 github-pat"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestSelector(t *testing.T) {
	tests := []struct {
		name     string
		opts     map[string]string
		keys     []string
		comments []string
		want     bool
	}{
		{name: "default encrypts everything", keys: []string{"stringData", "password"}, want: true},
		{name: "default suffix stays plain", keys: []string{"stringData", "host_unencrypted"}, want: false},
		{name: "encrypted_regex matches a parent", opts: map[string]string{"encrypted_regex": "^(data|stringData)$"}, keys: []string{"stringData", "password"}, want: true},
		{name: "encrypted_regex misses", opts: map[string]string{"encrypted_regex": "^(data|stringData)$"}, keys: []string{"metadata", "name"}, want: false},
		{name: "unencrypted_regex", opts: map[string]string{"unencrypted_regex": "^(apiVersion|kind|metadata)$"}, keys: []string{"metadata", "name"}, want: false},
		{name: "encrypted_suffix", opts: map[string]string{"encrypted_suffix": "_secret"}, keys: []string{"db_secret"}, want: true},
		{name: "encrypted_suffix misses", opts: map[string]string{"encrypted_suffix": "_secret"}, keys: []string{"db_host"}, want: false},
		{name: "encrypted_comment_regex", opts: map[string]string{"encrypted_comment_regex": "sops:enc"}, keys: []string{"a"}, comments: []string{"sops:enc"}, want: true},
		{name: "encrypted_comment_regex without comment", opts: map[string]string{"encrypted_comment_regex": "sops:enc"}, keys: []string{"a"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := newSelector(func(n string) string { return tt.opts[n] })
			if err != nil {
				t.Fatal(err)
			}
			if got := sel.mustEncrypt(tt.keys, tt.comments); got != tt.want {
				t.Errorf("mustEncrypt(%v) = %v, want %v", tt.keys, got, tt.want)
			}
		})
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		secret string
		want   string
	}{
		{secret: "ghp_" + strings.Repeat("x", 36), want: "ghp_…"},
		{secret: "AKIA" + strings.Repeat("Q", 16), want: "AKIA…"},
		{secret: "hunter22", want: "hu…"},
		{secret: "abc", want: ""},
		{secret: "-----BEGIN " + "RSA PRIVATE KEY-----", want: ""},
		{secret: "pässwörd-long-enough", want: ""},
	}
	for _, tt := range tests {
		if got := prefix(tt.secret); got != tt.want {
			t.Errorf("prefix(%q…) = %q, want %q", tt.secret[:2], got, tt.want)
		}
	}
}

func TestIsReference(t *testing.T) {
	for v, want := range map[string]bool{
		"${DB_PASSWORD}":                               true,
		"op://vault/item/field":                        true,
		"<path:secret/data/db#pw>":                     true,
		"<password>":                                   true,
		"vault:secret/data/db#pw":                      true,
		"ref+awsssm://db/password":                     true,
		"${DB_PASSWORD:=hunter2}":                      false,
		"prefix-${DB_PASSWORD}":                        false,
		"s3cr3t":                                       false,
		base64.StdEncoding.EncodeToString([]byte("x")): false,
	} {
		if got := isReference(v); got != want {
			t.Errorf("isReference(%q) = %v, want %v", v, got, want)
		}
	}
}

// TestRepositoryHasNoLeakedCredentials scans this repository's own files,
// fixtures included: their credentials exist only at run time. It runs
// without the race detector (make test-long): gitleaks' regexes over
// every file took 40 s under it, for nothing the concurrent scan tests
// do not race.
func TestRepositoryHasNoLeakedCredentials(t *testing.T) {
	if raceEnabled {
		t.Skip("scans the whole repository: make test-long runs it without the race detector")
	}
	root, err := filepath.Abs(filepath.Join("..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Skipf("module root not found: %v", err)
	}
	s, rp := newScanner(t, root)
	for _, x := range s.ScanFiles(context.Background(), rp.Files, 2) {
		if x.RuleID == LeakedCredential {
			t.Errorf("%s: %s", x.Location, x.Message)
		}
	}
}

// TestSecretWrittenAsKey: a credential used as a mapping key must not be
// named as the key it is under.
func TestSecretWrittenAsKey(t *testing.T) {
	f := newFakes()
	dir := t.TempDir()
	write(t, dir, "tokens.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tokens\ndata:\n  "+f.Fixed["GITHUB_TOKEN"]+": admin\n")
	got := scanRepo(t, dir)
	if diff := cmp.Diff([]found{{Rule: LeakedCredential, Loc: "tokens.yaml:6:3"}}, summarise(got)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if l := leaks(f, got); len(l) > 0 {
		t.Errorf("messages contain fake secrets %v", l)
	}
}

// TestOptions checks the allowlist that the configuration file adds to
// the repository's own: regexes over the secret, as a gitleaks
// [allowlist], and fingerprints, as in .gitleaksignore.
func TestOptions(t *testing.T) {
	dir := materialise(t, newFakes(), "generator")
	rp, err := repo.Discover(dir, repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	scan := func(opts Options) []string {
		t.Helper()
		s, err := New(rp, opts)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range s.ScanFiles(context.Background(), rp.Files, 2) {
			if f.RuleID == LeakedCredential && f.Location.File == "app.env" {
				out = append(out, f.Location.String()+" "+f.Message)
			}
		}
		slices.Sort(out)
		return out
	}
	all := scan(Options{})
	if len(all) != 2 || !strings.HasPrefix(all[0], "app.env:2:") || !strings.HasPrefix(all[1], "app.env:3:") {
		t.Fatalf("the fixture changed: %v", all)
	}
	_, fp, _ := strings.Cut(all[0], "(fingerprint ")
	fp = strings.TrimSuffix(fp, ")")
	tests := []struct {
		name string
		opts Options
		want []string
	}{
		{name: "a regex matching the AWS key", opts: Options{AllowRegexes: []string{"^AKIA"}}, want: all[:1]},
		{name: "the fingerprint of the password", opts: Options{Ignore: []string{fp}}, want: all[1:]},
		{name: "a regex matching nothing", opts: Options{AllowRegexes: []string{"^nothing-like-this$"}}, want: all},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, scan(tt.opts)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	if _, err := New(rp, Options{AllowRegexes: []string{"("}}); err == nil {
		t.Error("a bad regex was accepted")
	}
	// The default configuration is shared: adding to it must not leak
	// into the next scanner.
	if got := scan(Options{}); !slices.Equal(got, all) {
		t.Errorf("a later scanner without options finds %v, want %v", got, all)
	}
}

// TestCredentialReason checks what keeps plaintext-secret an error: a
// credential type, key name, PEM block or random-looking token; plain
// configuration has no reason and is lowered to a warning.
func TestCredentialReason(t *testing.T) {
	rp, err := repo.Discover(t.TempDir(), repo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(rp, Options{})
	if err != nil {
		t.Fatal(err)
	}
	fakes := secretstest.NewFakes()
	tests := []struct {
		name, secretType, key, value string
		want                         string
	}{
		{name: "configuration", key: "default_timezone", value: "UTC"},
		{name: "a URL without credentials", key: "endpoint", value: "https://example.com/api/v1/things"},
		{name: "a sentence", key: "motd", value: "Welcome to the staging cluster, be nice"},
		{name: "a host name", key: "POSTGRES_HOST", value: "sso-postgresql.sso-namespace.svc.cluster.local"},
		{name: "key name", key: "DB_PASSWORD", value: "x", want: `the key name "DB_PASSWORD" names a credential`},
		{name: "type", secretType: "kubernetes.io/basic-auth", key: "username", value: "admin", want: "a Secret of type kubernetes.io/basic-auth holds credentials"},
		{name: "PEM block", key: "ca.bundle", value: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", want: "the value holds a PEM block"},
		{name: "random token", key: "value", value: fakes.Fixed["PASSWORD"], want: "the value is a long random-looking token"},
		{name: "gitleaks", key: "value", value: fakes.Fixed["GITHUB_TOKEN"], want: "gitleaks rule github-pat matches the value"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := s.credentialReason("secret.yaml", tt.secretType, tt.key, tt.value); got != tt.want {
				t.Errorf("credentialReason = %q, want %q", got, tt.want)
			}
		})
	}
}
