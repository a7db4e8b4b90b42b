// Package secrets finds plaintext Secrets and leaked credentials: gitleaks
// over every file and over decoded Secret data, and Kubernetes-aware rules
// for Secrets, secretGenerators and SOPS. It knows the safe patterns (SOPS,
// KSOPS, SealedSecrets, External Secrets, the Secrets Store CSI driver) so
// that their ciphertext and references raise nothing.
//
// Nothing it builds holds a secret value: a finding names at most the
// gitleaks rule, the key and a prefix of up to four characters.
package secrets

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/rs/zerolog"
	"github.com/zricethezav/gitleaks/v8/config"
	"github.com/zricethezav/gitleaks/v8/detect"
	"github.com/zricethezav/gitleaks/v8/logging"
	glregexp "github.com/zricethezav/gitleaks/v8/regexp"

	"github.com/gitops-lint/gitops-lint/internal/memo"
	"github.com/gitops-lint/gitops-lint/internal/redact"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rootfs"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// IDs of the rules of this family.
const (
	LeakedCredential         = "leaked-credential"
	PlaintextSecret          = "plaintext-secret"
	SecretGeneratorPlaintext = "secret-generator-plaintext"
	SOPSUnencrypted          = "sops-unencrypted"
	SecretScanSkipped        = "secret-scan-skipped"
)

// MaxFileSize is the largest file that is scanned for credentials; larger
// ones yield a secret-scan-skipped finding. Manifests that size are
// generated bundles and CRDs, where scanning costs much and finds little.
const MaxFileSize = 1 << 20

// decodeDepth is how many nested encodings (base64, hex, percent) gitleaks
// unwraps inside a file: the default of its command line, so that both
// tools find the same things.
const decodeDepth = 5

// Rules returns the rule catalogue of this family, as new values on every
// call so that callers may adjust severities.
func Rules() []*rules.Rule {
	return []*rules.Rule{
		{
			ID:       LeakedCredential,
			Severity: rules.Error,
			Doc: `Credential committed to the repository
gitleaks (its default rules, or the repository's .gitleaks.toml) recognises a credential in a file, in the base64-decoded data of a Secret, or in the rendered output of a target. Ciphertext (SOPS values and metadata, SealedSecret encryptedData) and references (ExternalSecret, SecretStore, SecretProviderClass) are not reported. The message names the gitleaks rule, the key and at most the first four characters of the value, and ends with the gitleaks fingerprint file:rule:line.`,
			Remediation: "Revoke and rotate the credential first: it is in the git history. Then move it out of the repository (SOPS, SealedSecret, External Secrets). For a false positive, add the fingerprint from the message to .gitleaksignore, or put a gitleaks:allow comment on the line.",
		},
		{
			ID:       PlaintextSecret,
			Severity: rules.Error,
			Doc: `Secret with plaintext data
A v1 Secret in a source file or in rendered output has non-empty data or stringData that is not SOPS-encrypted. base64 in data is an encoding, not encryption: anyone who can read the repository can read the value. Values that only reference a secret kept elsewhere (${VAR} substitution, op:// and <path:...> references) and placeholders (changeme, your-key-here) are not reported. The finding is an error when a value looks like a credential (a credential Secret type such as kubernetes.io/tls, a key name such as password, token or key, a PEM block, a gitleaks match, or a long high-entropy token) and a warning, saying so, when the Secret holds only configuration (default_timezone: UTC).`,
			Remediation: "Encrypt the file with SOPS (sops --encrypt --encrypted-regex '^(data|stringData)$' --in-place FILE), or replace the Secret by a SealedSecret or an ExternalSecret; then rotate the values, which stay in the git history.",
		},
		{
			ID:       SecretGeneratorPlaintext,
			Severity: rules.Error,
			Doc: `secretGenerator reads plaintext input
A kustomize secretGenerator takes literals, env files or files that are committed unencrypted, so the Secret it generates is plaintext in the repository. SOPS-encrypted env files and files, KSOPS generators, and inputs that hold only references or placeholders are fine; configMapGenerator is not concerned.`,
			Remediation: "Encrypt the input with SOPS and generate the Secret with KSOPS (or let Flux decrypt it), or replace the generator by an ExternalSecret or a SealedSecret; rotate the values, which stay in the git history.",
		},
		{
			ID:       SOPSUnencrypted,
			Severity: rules.Error,
			Doc: `File that SOPS should encrypt is not encrypted
A file matches a creation rule (path_regex) of the repository's .sops.yaml but is not SOPS-encrypted, or a SOPS-encrypted file holds a plaintext value that its own encrypted_regex, unencrypted_regex, encrypted_suffix or unencrypted_suffix says must be encrypted (a value added or edited after encryption).`,
			Remediation: "Run sops --encrypt --in-place on the file (or sops edit it, which re-encrypts every value); rotate any value that was committed in plain text.",
		},
		{
			ID:       SecretScanSkipped,
			Severity: rules.Info,
			Doc: `File not scanned for credentials
The file is larger than 1 MiB, so it was not scanned for credentials; such files are usually generated bundles or CRDs.`,
			Remediation: "Keep large generated files out of the repository, or scan them separately with gitleaks.",
		},
	}
}

// Scanner runs the rules of this family over one repository. Build it with
// New; its methods are safe for concurrent use.
type Scanner struct {
	repo     *repo.Repo
	detector *detect.Detector
	// fast, when set, splits gitleaks' generic rule off (see fastPath).
	fast *fastPath
	// allowPaths are the global allowlists whose paths are tested once
	// per file (see hoistPathAllowlists).
	allowPaths []*config.Allowlist
	// ignore holds the .gitleaksignore fingerprints (file:rule:line).
	ignore map[string]bool
	// configFile is the repository-relative path of .gitleaks.toml, "" when absent.
	configFile string
	// sops is the repository's .sops.yaml, nil when absent.
	sops *sopsConfig
	// found receives every credential found (Options.Found).
	found *redact.Set
	// decoded caches gitleaks' verdict on decoded Secret values of
	// rendered resources, which every overlay renders again.
	decoded memo.Table[[32]byte, []detection] // by sha256 of file and value
}

// Options add to what the repository's own gitleaks files allow.
type Options struct {
	// AllowRegexes are matched against what gitleaks finds, as the regexes
	// of a global gitleaks [allowlist]: a credential that matches one is
	// not reported. They are RE2 expressions, validated by the caller.
	AllowRegexes []string
	// Ignore are gitleaks fingerprints (file:rule:line), as in .gitleaksignore.
	Ignore []string
	// Found, when set, receives every credential gitleaks finds, so that
	// the run can hide it wherever text taken from the repository is
	// printed (a render error, a policy message).
	Found *redact.Set
}

// New prepares a scanner for the repository: it loads .gitleaks.toml
// (extending or replacing gitleaks' default rules, as gitleaks does),
// .gitleaksignore and .sops.yaml from the repository root. A malformed
// configuration file is an error that names the file and, where known,
// the line.
func New(rp *repo.Repo, opts Options) (*Scanner, error) {
	silenceGitleaks()
	cfg, cfgFile, err := loadGitleaksConfig(rp.FS)
	if err != nil {
		return nil, err
	}
	if cfg, err = allowRegexes(cfg, opts.AllowRegexes); err != nil {
		return nil, err
	}
	ignore, err := loadGitleaksIgnore(rp.FS)
	if err != nil {
		return nil, err
	}
	for _, fp := range opts.Ignore {
		if ignore == nil {
			ignore = map[string]bool{}
		}
		ignore[fp] = true
	}
	sc, err := loadSOPSConfig(rp.FS)
	if err != nil {
		return nil, err
	}
	cfg, allowPaths := hoistPathAllowlists(cfg)
	d := detect.NewDetector(cfg)
	d.MaxDecodeDepth = decodeDepth
	return &Scanner{repo: rp, detector: d, fast: newFastPath(cfg), allowPaths: allowPaths, ignore: ignore, configFile: cfgFile, sops: sc, found: opts.Found}, nil
}

// allowRegexes adds a global allowlist of regexes matched against the
// secret. The configuration may be gitleaks' shared default: its list of
// allowlists is copied, never appended to in place.
func allowRegexes(cfg config.Config, exprs []string) (config.Config, error) {
	if len(exprs) == 0 {
		return cfg, nil
	}
	a := &config.Allowlist{Description: "gitops-lint configuration: secrets.allowlist.regexes", MatchCondition: config.AllowlistMatchOr}
	for _, e := range exprs {
		re, err := compileRegexp(e)
		if err != nil {
			return cfg, err
		}
		a.Regexes = append(a.Regexes, re)
	}
	if err := a.Validate(); err != nil {
		return cfg, err
	}
	cfg.Allowlists = append(slices.Clip(cfg.Allowlists), a)
	return cfg, nil
}

// compileRegexp compiles with gitleaks' own engine (the standard library,
// or RE2 in some builds), which only offers MustCompile.
func compileRegexp(expr string) (re *glregexp.Regexp, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("allowlist regex %q: %v", expr, p)
		}
	}()
	return glregexp.MustCompile(expr), nil
}

var silenceOnce sync.Once

// silenceGitleaks keeps gitleaks quiet. It logs through its own global
// zerolog logger, which writes to stderr and would print the secrets it
// finds at trace level; replacing that logger, rather than zerolog's global
// level, touches nothing but gitleaks. It is done once, before any detector
// runs, so no scan reads the variable while it changes.
func silenceGitleaks() {
	silenceOnce.Do(func() { logging.Logger = zerolog.Nop() })
}

// loadGitleaksIgnore reads .gitleaksignore the way gitleaks does: one
// fingerprint per line, # comments, backslashes taken as slashes.
func loadGitleaksIgnore(fsys *rootfs.FS) (map[string]bool, error) {
	data, err := readSettings(fsys, ".gitleaksignore")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf(".gitleaksignore: %w", err)
	}
	ignore := map[string]bool{}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		ignore[strings.ReplaceAll(line, `\`, "/")] = true
	}
	return ignore, nil
}
