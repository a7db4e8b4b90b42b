#!/usr/bin/env bash
# Times gitops-lint as a user runs it, as whole processes, on synthetic
# repositories of several sizes (Argo layout, four environments): a cold
# check, a warm one, a warm one after adding an unrelated file, one from a
# copy of the binary at another path, one of a copy of the repository at
# another path (with the cache entries each warm run wrote: its misses),
# the cold time per 1,000 targets, a one-file --changed-since, four
# shards one after another and their merge; and `check --staged` with one
# staged file (pre-commit). Prints wall time, resources/s and peak RSS.
#
# Environment: APPS (space-separated app counts; default "200 625 2500",
# that is 800, 2,500 and 10,000 targets), JOBS (default: all CPUs).
set -euo pipefail

APPS=${APPS:-200 625 2500}
JOBS=${JOBS:-0}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$root"
# Stamped with the checkout's revision whatever GOFLAGS says, as a build
# from a clean checkout is: without it the result cache's key is the hash
# of the executable, read again by every process that uses the cache
# (about 0.1 s of a warm check of the 800-target repository).
go build -buildvcs=auto -trimpath -o "$work/bin/gitops-lint" ./cmd/gitops-lint
mkdir -p "$work/elsewhere" && cp "$work/bin/gitops-lint" "$work/elsewhere/gitops-lint"

# entries: how many entries the result cache holds; a miss writes one, so
# a warm run that adds none answered every target from the cache.
entries() { find "$cache" -name '*.json' 2>/dev/null | wc -l; }

# warm LABEL BIN ARGS...: run, then say how many entries it wrote (misses).
warm() {
	local before
	before=$(entries)
	run "$@"
	echo "    $(($(entries) - before)) entries written (0: every target answered by the cache)"
}

# run LABEL BIN ARGS...: one whole process, timed by /usr/bin/time.
run() {
	local label=$1 bin=$2
	shift 2
	local out=$work/out.json
	/usr/bin/time -f '%e %M %U %S' -o "$work/time" "$bin" "$@" -f json -o "$out" --jobs "$JOBS" || [ $? -eq 1 ]
	read -r secs kb user sys <"$work/time"
	local resources
	resources=$(grep -m1 '"resources"' "$out" | tr -dc '0-9')
	# CPU seconds beside the wall time: on a busy machine they still say
	# how the cost grows.
	awk -v l="$label" -v s="$secs" -v kb="$kb" -v r="${resources:-0}" -v cpu="$(awk -v u="$user" -v y="$sys" 'BEGIN { print u + y }')" \
		'BEGIN { printf "  %-34s %8.2f s %8.2f s CPU %10.0f resources/s %8.0f MiB peak RSS\n", l, s, cpu, (s > 0 ? r / s : 0), kb / 1024 }'
}

for apps in $APPS; do
	repo=$work/repo-$apps cache=$work/cache-$apps schemas=$work/schemas
	go run ./internal/synth/synthgen -apps "$apps" -out "$repo" >/dev/null
	targets=$((apps * 4))
	git -C "$repo" init -q && git -C "$repo" add -A &&
		git -C "$repo" -c user.name=b -c user.email=b@example.com -c commit.gpgsign=false commit -qm base
	common=(--schema-cache-dir "$schemas" --cache-dir "$cache")
	echo "$targets targets:"
	run "cold" "$work/bin/gitops-lint" check "$repo" "${common[@]}"
	read -r secs _ user sys <"$work/time"
	awk -v s="$secs" -v c="$user" -v y="$sys" -v t="$targets" 'BEGIN { printf "    %.2f s, %.2f s CPU per 1,000 targets (cold)\n", s * 1000 / t, (c + y) * 1000 / t }'
	warm "warm" "$work/bin/gitops-lint" check "$repo" "${common[@]}"
	echo notes >"$repo/NOTES.md"
	warm "warm, unrelated file added" "$work/bin/gitops-lint" check "$repo" "${common[@]}"
	warm "warm, binary at another path" "$work/elsewhere/gitops-lint" check "$repo" "${common[@]}"
	# A CI runner checks out at a path of its own: the cache another
	# process filled at another path answers it.
	cp -a "$repo" "$work/moved-$apps"
	warm "warm, repository at another path" "$work/elsewhere/gitops-lint" check "$work/moved-$apps" "${common[@]}"
	rm -rf "$work/moved-$apps"
	run "render+check without cache" "$work/bin/gitops-lint" check "$repo" --no-cache --schema-cache-dir "$schemas"
	# A glob, not ls | head: under pipefail, ls killed by SIGPIPE would end the script.
	bases=("$repo"/apps/*/base/deployment.yaml)
	one=${bases[0]#"$repo/"}
	echo "# edited" >>"$repo/$one"
	git -C "$repo" -c user.name=b -c user.email=b@example.com -c commit.gpgsign=false commit -qam edit
	run "one file, --changed-since HEAD~1" "$work/bin/gitops-lint" check "$repo" --changed-since HEAD~1 --no-cache --schema-cache-dir "$schemas"
	for i in 1 2 3 4; do
		run "shard $i/4 (no cache)" "$work/bin/gitops-lint" check "$repo" --shard "$i/4" --no-cache --schema-cache-dir "$schemas"
		cp "$work/out.json" "$work/shard-$i.json"
	done
	/usr/bin/time -f '  merge of 4 shards                  %e s' "$work/bin/gitops-lint" merge "$work"/shard-?.json -o "$work/merged.json" || [ $? -eq 1 ]
	echo "# staged" >>"$repo/$one" && git -C "$repo" add "$one"
	(cd "$repo" && /usr/bin/time -f '  check --staged, one staged file    %e s %M KB' "$work/bin/gitops-lint" check --staged --schema-cache-dir "$schemas" >/dev/null) || [ $? -eq 1 ]
	rm -rf "$repo" "$cache"
done
