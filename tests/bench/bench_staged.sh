#!/usr/bin/env bash
# Pre-commit benchmark (issue 5): `keysweep scan --staged` on a 10-file change,
# against `git diff --cached` (git merely printing the change) and
# `git secrets --scan` (Debian's git-secrets, given Datadog patterns) on the
# same files, in one invocation on one machine. The repository is git's own
# source tree (Debian's source package) committed once; ten C files get an
# edit, one of them a Datadog key, and are staged.
#
#   tests/bench/bench_staged.sh [path/to/keysweep]
# Environment: BENCH_DIR (/var/tmp/keysweep-bench), RUNS (60).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keysweep=$(realpath "${1:-$here/../../build/keysweep}")
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-bench}
runs=${RUNS:-60}
export BENCH_DIR

for tool in hyperfine jq git-secrets; do
  command -v "$tool" > /dev/null || { echo "installing the benchmark tools" >&2;
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine jq git-secrets > /dev/null; break; }
done

source_tree=$("$here/fetch_corpus.sh")
work="$BENCH_DIR/staged-repo"
rm -rf "$work"
cp -r "$source_tree" "$work"
git -C "$work" init -q
git -C "$work" add -A
git -C "$work" -c user.name=bench -c user.email=bench@example.com commit -qm "git source"
mapfile -t changed < <(git -C "$work" ls-files '*.c' | head -n 10)
for file in "${changed[@]}"; do
  printf '\n/* benchmark edit */\nstatic int benchmark_edit = 1;\n' >> "$work/$file"
done
printf '\nDD_API_KEY=%s\n' "$(echo staged | md5sum | cut -c1-32)" >> "$work/${changed[0]}"
git -C "$work" add "${changed[@]}"
# git-secrets with Datadog patterns (POSIX ERE, as git grep takes them).
git -C "$work" secrets --add '[Dd][Dd][A-Za-z_.-]{0,24}([Aa][Pp][Ii]|[Aa][Pp][Pp])[_.-]?[Kk][Ee][Yy][^a-f0-9]{0,8}[a-f0-9]{32,40}'
git -C "$work" secrets --add 'dd(app|pat|sat)_[A-Za-z0-9_]{34,90}'
git -C "$work" secrets --add 'pub[a-f0-9]{32}'

out="$BENCH_DIR/results"
mkdir -p "$out"
files=$(printf '%q ' "${changed[@]}")
"$keysweep" scan --staged "$work" > /dev/null || true  # fills the database cache
(cd "$work" && hyperfine --style basic -N --warmup 5 --runs "$runs" -i --export-json "$out/staged.json" \
  -n keysweep-staged "$keysweep scan --staged" \
  -n git-diff-cached "git diff --cached" \
  -n git-secrets "git secrets --scan $files") > "$out/staged.txt"

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$1"; }
ks=$(median "$out/staged.json" keysweep-staged)
dc=$(median "$out/staged.json" git-diff-cached)
gs=$(median "$out/staged.json" git-secrets)
found=$( (cd "$work" && "$keysweep" scan --staged --format json || true) | jq '.summary.findings')
awk -v ks="$ks" -v dc="$dc" -v gs="$gs" -v found="$found" \
    -v cpu="$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" 'BEGIN {
  printf "machine:          %s\n", cpu
  printf "change:           10 staged C files of git source, one with a Datadog key (%d finding)\n", found
  printf "keysweep --staged %.1f ms median\n", ks*1000
  printf "git diff --cached %.1f ms median\n", dc*1000
  printf "git secrets --scan %.1f ms median (same files, Datadog patterns)\n", gs*1000
  printf "ratio keysweep / git diff --cached: %.2f  (goal <= 3)\n", ks/dc
  printf "ratio keysweep / git-secrets:       %.2f  (goal < 1)\n", ks/gs
}'
