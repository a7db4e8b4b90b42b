package diff

import (
	"strings"

	"github.com/gitops-lint/gitops-lint/internal/manifest"
	"github.com/gitops-lint/gitops-lint/internal/origin"
)

// containerLists are the fields that hold containers in every pod-bearing
// kind, at whatever depth its pod template is (Pod, Deployment, CronJob,
// Argo Rollout...).
var containerLists = map[string]bool{"containers": true, "initContainers": true, "ephemeralContainers": true}

// containerKey names one container of one object across the two sides.
type containerKey struct {
	res       resKey
	list      string
	container string
}

// imageRefs collects the image of every container of the objects.
func imageRefs(objs []map[string]any) map[containerKey]string {
	refs := map[containerKey]string{}
	for _, o := range objs {
		k := keyOf(manifest.IDOf(o))
		var walk func(v any, field string)
		walk = func(v any, field string) {
			switch t := v.(type) {
			case map[string]any:
				for f, e := range t {
					walk(e, f)
				}
			case []any:
				for _, e := range t {
					c, ok := e.(map[string]any)
					if img, isStr := c["image"].(string); ok && isStr && containerLists[field] {
						name, _ := c["name"].(string)
						refs[containerKey{res: k, list: field, container: name}] = img
						continue
					}
					walk(e, field)
				}
			}
		}
		walk(o, "")
	}
	return refs
}

// imageChanges lists the images whose reference differs between the two
// renders of a target, one row per image and change.
func imageChanges(t *Target, old, cur []map[string]any) []ImageChange {
	before, after := imageRefs(old), imageRefs(cur)
	keys := map[containerKey]bool{}
	for k := range before {
		keys[k] = true
	}
	for k := range after {
		keys[k] = true
	}
	var out []ImageChange
	for k := range keys {
		o, c := before[k], after[k]
		if o == c {
			continue
		}
		on, ov, _ := splitRef(o)
		cn, cv, _ := splitRef(c)
		ch := ImageChange{Image: cn, Environment: t.Environment, Target: t.Path, Old: ov, New: cv}
		switch {
		case c == "":
			ch.Image = on
		case o != "" && on != cn:
			ch.Old = o
		}
		out = append(out, ch)
	}
	return out
}

// splitRef splits an image reference into its name and its version: the
// tag, @digest, or tag@digest.
func splitRef(ref string) (name, version string, ok bool) {
	if ref == "" {
		return "", "", false
	}
	name, tag, digest := origin.SplitImage(ref)
	var b strings.Builder
	b.WriteString(tag)
	if digest != "" {
		b.WriteString("@" + digest)
	}
	return name, b.String(), true
}

// unchangedImages are, for every image that changes somewhere, the
// affected targets that run it unchanged, so that the promotion view
// shows which version each environment runs now.
func unchangedImages(changes []ImageChange, running map[string]map[containerKey]string, head *side) []ImageChange {
	changed := map[string]bool{}
	shown := map[[2]string]bool{}
	for _, c := range changes {
		changed[c.Image] = true
		shown[[2]string{c.Image, c.Target}] = true
	}
	var out []ImageChange
	for target, refs := range running {
		for _, ref := range refs {
			name, version, _ := splitRef(ref)
			if !changed[name] || shown[[2]string{name, target}] {
				continue
			}
			out = append(out, ImageChange{Image: name, Environment: head.environment(target), Target: target, Old: version, New: version})
		}
	}
	return out
}
