#!/usr/bin/env bash
# Times the pipeline people run without gitops-lint, `kustomize build T |
# kubeconform -strict` over every target, against `gitops-lint check` on the
# same synthetic repositories, for both repository layouts.
#
# Both sides get the same parallelism and the same schemas (the ones
# embedded in gitops-lint), so the ratio measures the in-process design and
# not a difference in work. Nothing but `go install` touches the network.
#
# Environment: APPS (default 200), JOBS (default 2).
set -euo pipefail

readonly KUSTOMIZE_VERSION=v5.8.2 # the release built on the kustomize/api we link
readonly KUBECONFORM_VERSION=v0.8.0
APPS=${APPS:-200}
JOBS=${JOBS:-2}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bin=$root/.bin
mkdir -p "$bin"

# install_pinned installs a Go command into .bin unless the binary there
# was already built from the pinned module version.
install_pinned() {
	local name=$1 pkg=$2 module=$3 version=$4 have=""
	if [[ -x $bin/$name ]]; then
		have=$(go version -m "$bin/$name" | awk -v m="$module" '$1 == "mod" && $2 == m { print $3 }')
	fi
	if [[ $have != "$version" ]]; then
		echo "installing $name $version" >&2
		GOBIN=$bin go install "$pkg@$version"
	fi
}

# now prints wall-clock seconds with nanosecond digits.
now() { date +%s.%N; }

# elapsed prints the seconds between two now() readings, to the millisecond.
elapsed() { awk -v s="$1" -v e="$2" 'BEGIN { printf "%.3f", e - s }'; }

install_pinned kustomize sigs.k8s.io/kustomize/kustomize/v5 sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION"
install_pinned kubeconform github.com/yannh/kubeconform/cmd/kubeconform github.com/yannh/kubeconform "$KUBECONFORM_VERSION"
go build -o "$bin/gitops-lint" ./cmd/gitops-lint

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/synthgen" ./internal/synth/synthgen

schema_location=$("$bin/gitops-lint" schemas export "$tmp/schemas")
if [[ -z $schema_location ]]; then
	echo "gitops-lint schemas export printed no schema location" >&2
	exit 1
fi

# The per-target pipeline runs in a child shell started by xargs, so what
# it needs is exported; pipefail makes a failed build fail the target.
export KUSTOMIZE=$bin/kustomize KUBECONFORM=$bin/kubeconform SCHEMA_LOCATION=$schema_location
# shellcheck disable=SC2016 # expanded by the child shell, not here
peer_one='set -o pipefail
"$KUSTOMIZE" build "$1" | "$KUBECONFORM" -strict -summary -schema-location "$SCHEMA_LOCATION" -n 1 -'

results=$tmp/results
: >"$results"
for layout in argo flux; do
	repo=$tmp/$layout
	"$tmp/synthgen" -out "$repo" -layout "$layout" -apps "$APPS" -list >"$tmp/$layout.targets"
	targets=$(wc -l <"$tmp/$layout.targets")
	echo "$layout: $targets targets" >&2

	start=$(now)
	# The generated repositories are valid, so a failing target means the
	# two sides did not do the same work and the timing would mislead.
	if ! (cd "$repo" && tr '\n' '\0' <"$tmp/$layout.targets" |
		xargs -0 -n 1 -P "$JOBS" bash -c "$peer_one" peer) >"$tmp/$layout.peer.log" 2>&1; then
		echo "peer pipeline failed on the $layout layout; last lines of its output:" >&2
		tail -n 20 "$tmp/$layout.peer.log" >&2
		exit 1
	fi
	end=$(now)
	peer=$(elapsed "$start" "$end")

	start=$(now)
	rc=0
	"$bin/gitops-lint" check --jobs "$JOBS" --format json --output /dev/null "$repo" || rc=$?
	end=$(now)
	ours=$(elapsed "$start" "$end")
	# Exit code 1 only means findings; anything above is a failed run.
	if ((rc > 1)); then
		echo "gitops-lint check failed on the $layout layout (exit $rc)" >&2
		exit 1
	fi

	echo "$layout $targets $peer $ours" >>"$results"
done

echo "apps=$APPS jobs=$JOBS kustomize=$KUSTOMIZE_VERSION kubeconform=$KUBECONFORM_VERSION"
awk '
BEGIN { printf "%-8s %8s %10s %16s %8s\n", "layout", "targets", "peer (s)", "gitops-lint (s)", "ratio" }
{
	ratio = ($4 > 0) ? sprintf("%.2f", $3 / $4) : "-"
	printf "%-8s %8d %10.2f %16.2f %8s\n", $1, $2, $3, $4, ratio
}' "$results"
