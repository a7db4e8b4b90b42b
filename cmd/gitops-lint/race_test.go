//go:build race

package main

// raceEnabled says the test binary runs under the race detector, which
// needs far more memory than a run: memory bounds are not checked then.
const raceEnabled = true
