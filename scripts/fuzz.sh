#!/usr/bin/env bash
# Runs every fuzz target of the project for FUZZTIME each, one after the
# other (go test -fuzz takes one target at a time), and stops at the first
# crash: go test then leaves the failing input under the package's
# testdata/fuzz/, where it becomes a regression test. FUZZPARALLEL bounds
# the fuzzing workers (the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
FUZZTIME="${FUZZTIME:-2m}"
FUZZPARALLEL="${FUZZPARALLEL:-1}"
targets=(
	"./internal/repo/ FuzzParseKustomization"
	"./internal/repo/ FuzzParseEnv"
	"./internal/config/ FuzzParse"
	"./internal/rules/secrets/ FuzzParseSOPSConfig"
	"./internal/suppress/ FuzzScanFile"
	"./internal/baseline/ FuzzLoad"
	"./internal/cache/ FuzzEntry"
	"./internal/report/ FuzzRoundTrip"
)
for t in "${targets[@]}"; do
	set -- $t
	echo "== $2 ($1) for $FUZZTIME"
	"$GO" test -run '^$' -fuzz "^$2\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPARALLEL" "$1"
done
