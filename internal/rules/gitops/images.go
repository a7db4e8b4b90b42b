package gitops

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/origin"
	"github.com/gitops-lint/gitops-lint/internal/rules/rego"
)

// podSpecs are where each pod-bearing kind keeps its pod spec: the kinds
// of the Rego library's pod rules (policies/lib/kubernetes.rego).
var podSpecs = map[string]string{
	"Pod":                   "/spec",
	"Deployment":            "/spec/template/spec",
	"StatefulSet":           "/spec/template/spec",
	"DaemonSet":             "/spec/template/spec",
	"ReplicaSet":            "/spec/template/spec",
	"ReplicationController": "/spec/template/spec",
	"Job":                   "/spec/template/spec",
	"CronJob":               "/spec/jobTemplate/spec/template/spec",
	"DeploymentConfig":      "/spec/template/spec",
	"Rollout":               "/spec/template/spec",
}

// container is one container's image in a rendered object.
type container struct {
	name  string
	image Image
	// pointer is the JSON pointer of its image field.
	pointer string
}

// containers lists the images of a pod-bearing object: containers, then
// init and ephemeral containers.
func containers(obj map[string]any) []container {
	kind, _ := obj["kind"].(string)
	spec, ok := podSpecs[kind]
	if !ok {
		return nil
	}
	var out []container
	for _, field := range []string{"containers", "initContainers", "ephemeralContainers"} {
		list, _ := lookupList(obj, spec+"/"+field)
		for i, e := range list {
			m, _ := e.(map[string]any)
			img, _ := m["image"].(string)
			if img == "" {
				continue
			}
			name, _ := m["name"].(string)
			out = append(out, container{name: name, image: ParseImage(img), pointer: fmt.Sprintf("%s/%s/%d/image", spec, field, i)})
		}
	}
	return out
}

// Image is an image reference split into its parts.
type Image struct {
	// Ref is the reference as written.
	Ref string `json:"ref"`
	// Name is the repository part, as written (no registry is added).
	Name   string `json:"name"`
	Tag    string `json:"tag,omitempty"`
	Digest string `json:"digest,omitempty"`
}

// ParseImage splits "registry:5000/org/app:1.2@sha256:..." into name, tag
// and digest; a colon before the last slash belongs to a registry port.
func ParseImage(ref string) Image {
	name, digest, _ := strings.Cut(ref, "@")
	img := Image{Ref: ref, Name: name, Digest: digest}
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		img.Name, img.Tag = name[:i], name[i+1:]
	}
	return img
}

// prereleaseTag matches a tag with a pre-release marker as one part of it:
// after a separator or a digit, and followed by the end, a separator or a
// digit, so that "alpine" or "preset" are not taken for alpha or pre.
var prereleaseTag = regexp.MustCompile(`(?i)(?:^|[-._+~]|[0-9])(alpha|beta|rc|snapshot|pre|preview|nightly|canary|dev)(?:$|[-._+~]|[0-9])`)

// prerelease returns the pre-release marker of a tag, or "".
func prerelease(tag string) string {
	if m := prereleaseTag.FindStringSubmatch(tag); m != nil {
		return m[1]
	}
	return ""
}

// pathEnvironment names the environment of a target from its path, the
// way the Rego library's production rules do: the directory under
// overlays/, envs/, environments/, env/, clusters/ or stages/, else the
// target directory.
func pathEnvironment(target string) string { return rego.Environment(target) }

// isProduction matches a target against the production globs: its
// environment name, or its whole path for a glob with a slash.
func isProduction(globs []string, target, env string) bool {
	for _, g := range globs {
		subject := env
		if strings.Contains(g, "/") {
			subject = target
		}
		if ok, err := path.Match(g, subject); err == nil && ok {
			return true
		}
	}
	return false
}

// prerelease reports pre-release image tags in production targets.
func (c *checker) prerelease() {
	for _, t := range c.in.Targets {
		if !c.opts.Production(t.Path, c.in.Environments[t.Path]) {
			continue
		}
		res := c.in.Resources[t.Path]
		for i := range res {
			r := &res[i]
			for _, ctr := range containers(r.Object) {
				marker := prerelease(ctr.image.Tag)
				if marker == "" {
					continue
				}
				// No environment in the message: a base shown by several
				// production overlays is one finding listing them.
				msg := fmt.Sprintf("container %q runs %q, a pre-release (%s), in a production environment", ctr.name, ctr.image.Ref, marker)
				// FieldFinding finds the images entry or patch that set the tag.
				c.findings = append(c.findings, origin.FieldFinding(r, ImageTagPrerelease, ctr.pointer, msg))
			}
		}
	}
}
