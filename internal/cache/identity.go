package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
)

// BuildIdentity stands for the code that produces a result, the same for
// every copy of one build wherever it is installed or whenever it was
// copied: a released build's module version, or a build from a clean
// checkout's VCS revision, with the dependencies and build settings; else
// (a local build, a dirty tree, -buildvcs=false) the hash of the running
// executable's content. Never its path or modification time, which differ
// between CI jobs that run the same build. It is computed once per
// process: hashing the executable costs a read of it.
func BuildIdentity() string { return buildIdentity() }

var buildIdentity = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		info = nil
	}
	return identity(info, os.Executable)
})

// identity is BuildIdentity for a given build and executable.
func identity(info *debug.BuildInfo, executable func() (string, error)) string {
	if id, ok := declared(info); ok {
		return id
	}
	exe, err := executable()
	if err != nil {
		return "unknown:" + err.Error() // no entry this build writes is ever trusted by another
	}
	h, err := hashFile(exe)
	if err != nil {
		return "unknown:" + err.Error()
	}
	return "sha256:" + h
}

// declared is the identity a build declares of itself, when that names
// its code exactly: a module version that is not a development build and
// not from a modified tree, or a clean VCS revision.
func declared(info *debug.BuildInfo) (string, bool) {
	if info == nil {
		return "", false
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	if settings["vcs.modified"] == "true" {
		return "", false // the revision does not say what was built
	}
	v := info.Main.Version
	var id string
	switch {
	case settings["vcs.revision"] != "":
		id = "vcs:" + settings["vcs"] + ":" + settings["vcs.revision"]
	case v != "" && v != "(devel)" && !strings.Contains(v, "+dirty"):
		id = "module:" + info.Main.Path + "@" + v + ":" + info.Main.Sum
	default:
		return "", false
	}
	var b strings.Builder
	b.WriteString(id)
	fmt.Fprintf(&b, "\x00%s", info.GoVersion)
	// The same revision built with other flags, tags, replaced
	// dependencies or for another platform is another build.
	keys := make([]string, 0, len(settings))
	for k := range settings {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !strings.HasPrefix(k, "vcs.time") {
			fmt.Fprintf(&b, "\x00%s=%s", k, settings[k])
		}
	}
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		if d.Version == "" {
			return "", false // replaced by a local directory: its content is unknown
		}
		fmt.Fprintf(&b, "\x00%s@%s:%s", d.Path, d.Version, d.Sum)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return id + ":" + hex.EncodeToString(sum[:8]), true
}

// hashFile is the hash of a file's content.
func hashFile(name string) (string, error) {
	f, err := os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
