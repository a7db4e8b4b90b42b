package secrets

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/repo"
	"github.com/gitops-lint/gitops-lint/internal/rules"
)

// ScanKustomization raises secret-generator-plaintext for each input of
// the kustomization's secretGenerators that is committed unencrypted: a
// literal, or an env file or file that is not SOPS-encrypted. The finding
// points at the entry in the kustomization file and, for files, at the
// input (for env files, the line of its first value). KSOPS generators
// are generators: entries, not secretGenerators, so they never fire, and
// neither does configMapGenerator.
func (s *Scanner) ScanKustomization(k *repo.Kustomization) []rules.Finding {
	var out []rules.Finding
	for _, g := range k.Generators {
		if g.Kind != "Secret" {
			continue
		}
		literal := 0
		for i, in := range g.Inputs {
			var (
				f  rules.Finding
				ok bool
			)
			if in.Field == "literals" {
				// Literals and literal inputs are listed in the same order.
				value := g.Literals[literal]
				literal++
				f, ok = literalFinding(g, in, value)
			} else {
				f, ok = s.fileInputFinding(k, g, in)
			}
			if ok {
				id := manifest.ResID{APIVersion: "v1", Kind: "Secret", Name: g.Name}
				f.RuleID = SecretGeneratorPlaintext
				f.Resource = id
				f.Location = in.Pos
				f.Fingerprint = rules.Fingerprint(SecretGeneratorPlaintext, k.File, id, "", fmt.Sprintf("%s\x00%s\x00%s\x00%d", in.Field, in.Key, in.Path, i))
				out = append(out, f)
			}
		}
	}
	return out
}

func literalFinding(g repo.Generator, in repo.Input, value string) (rules.Finding, bool) {
	if strings.TrimSpace(value) == "" || notSecret(value) {
		return rules.Finding{}, false
	}
	if in.Key == "" {
		// Not key=value: the whole entry may be the secret.
		return rules.Finding{Message: fmt.Sprintf("secretGenerator %q takes a literal in plain text from the kustomization", g.Name)}, true
	}
	return rules.Finding{
		Message: fmt.Sprintf("secretGenerator %q takes literal %q in plain text from the kustomization", g.Name, in.Key),
	}, true
}

// fileInputFinding checks an env file or file input. Inputs that are
// missing, remote or outside the repository are left to the findings that
// say so.
func (s *Scanner) fileInputFinding(k *repo.Kustomization, g repo.Generator, in repo.Input) (rules.Finding, bool) {
	ref, ok := k.RefAt(in.Pos)
	if !ok || ref.Kind != repo.RefFile {
		return rules.Finding{}, false
	}
	abs := filepath.Join(s.repo.Root, filepath.FromSlash(ref.Path))
	if fi, err := os.Stat(abs); err != nil || fi.Size() > manifest.MaxFileSize {
		return rules.Finding{}, false // discovery reported it: file-too-large
	}
	data, err := os.ReadFile(abs)
	if err != nil || isSOPSFile(ref.Path, data) {
		return rules.Finding{}, false
	}
	if in.Field == "envs" {
		for _, e := range repo.ParseEnv(data) {
			v := strings.TrimSpace(e.Value)
			if v == "" || isENC(v) || notSecret(v) {
				continue
			}
			return rules.Finding{
				Message: fmt.Sprintf("secretGenerator %q reads env file %s, which is committed unencrypted (first value: key %q)", g.Name, ref.Path, e.Key),
				Related: []manifest.Origin{{File: ref.Path, Line: e.Line, Col: 1}},
			}, true
		}
		return rules.Finding{}, false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return rules.Finding{}, false
	}
	return rules.Finding{
		Message: fmt.Sprintf("secretGenerator %q reads file %s into key %q, and the file is committed unencrypted", g.Name, ref.Path, in.Key),
		Related: []manifest.Origin{{File: ref.Path, Line: 1}},
	}, true
}

// isSOPSFile reports whether a file carries SOPS metadata in any of the
// formats SOPS writes: YAML, JSON (also its binary wrapping), dotenv, INI.
func isSOPSFile(file string, data []byte) bool {
	if !bytes.Contains(data, []byte("sops")) {
		return false
	}
	text := string(data)
	if _, ok := dotenvSOPS(text); ok {
		return true
	}
	if _, ok := iniSOPS(parseINI(text)); ok {
		return true
	}
	docs, _ := manifest.DecodeFile(file, data)
	for _, d := range docs {
		if d.Object != nil {
			if _, ok := sopsMetadata(d.Object["sops"]); ok {
				return true
			}
		}
	}
	return false
}
