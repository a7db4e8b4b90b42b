//go:build race

package secrets

// The corpus tests scan 50 MB; under the race detector that takes minutes
// and adds nothing the fixture tests do not cover.
func init() { raceEnabled = true }
