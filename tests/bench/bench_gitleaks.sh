#!/usr/bin/env bash
# What gitleaks' rule set costs on top of the built-in rules (issue 15): a tree
# scan of git's source with the built-in rules alone and with gitleaks'
# published configuration added (--rules gitleaks.toml), alternated in one
# invocation, one worker (-j 1), warm database cache. It prints the median user
# CPU time of each and their ratio (goal <= 1.5), and the CPU time of a warm
# start-up (one tiny file; goal < 20 ms). User CPU, not wall-clock: the
# benchmark machines are shared, and reading the files is kernel time that
# both configurations pay alike.
#
#   tests/bench/bench_gitleaks.sh [path/to/keysweep] [path/to/gitleaks.toml]
# gitleaks.toml is gitleaks' config/gitleaks.toml (default: $GITLEAKS_CONFIG,
# else /tmp/gitleaks-default.toml); it is not fetched here.
# Environment: BENCH_DIR (/var/tmp/keysweep-bench), BENCH_TREE (default
# $BENCH_DIR/tree-20 when bench_tree.sh has built it, else one copy of git's
# source), RUNS (5), STARTS (30).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keysweep=$(realpath "${1:-$here/../../build/keysweep}")
config=${2:-${GITLEAKS_CONFIG:-/tmp/gitleaks-default.toml}}
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-bench}
runs=${RUNS:-5}
starts=${STARTS:-30}
export BENCH_DIR

[ -f "$config" ] || { echo "no gitleaks configuration at $config (pass its path)" >&2; exit 2; }
command -v /usr/bin/time > /dev/null || { echo "installing time" >&2;
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time > /dev/null; }

tree=${BENCH_TREE:-$BENCH_DIR/tree-20}
[ -d "$tree" ] || tree=$("$here/fetch_corpus.sh")
bytes=$(du -sb "$tree" | cut -f1)
find "$tree" -type f -print0 | xargs -0 cat > /dev/null  # page-cache the tree

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KEYSWEEP_CACHE_DIR="$work/cache"
builtin=("$keysweep" scan -j 1 --no-config --format json -o "$work/builtin.json")
gitleaks=("$keysweep" scan -j 1 --no-config --rules "$config" --format json -o "$work/gitleaks.json")
tiny="$work/tiny.env"
echo "nothing here" > "$tiny"
# Fill the cache for both rule sets: every timed run loads its database.
"${builtin[@]}" "$tiny" && "${gitleaks[@]}" "$tiny"

# keysweep exits 1 when it finds something; the time is what counts here.
user_cpu() { /usr/bin/time -f %U -o "$work/time" "$@" > /dev/null 2>&1 || true; cat "$work/time" | tail -n 1; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
for _ in $(seq "$runs"); do
  user_cpu "${builtin[@]}" "$tree" >> "$work/builtin.times"
  user_cpu "${gitleaks[@]}" "$tree" >> "$work/gitleaks.times"
done
builtin_cpu=$(median < "$work/builtin.times")
gitleaks_cpu=$(median < "$work/gitleaks.times")
findings_builtin=$(jq '.summary.findings' "$work/builtin.json")
findings_gitleaks=$(jq '.summary.findings' "$work/gitleaks.json")

# Start-up: user + system CPU of $starts warm scans of one tiny file, per scan.
start_cpu() {
  /usr/bin/time -f '%U %S' -o "$work/time" bash -c \
    'for _ in $(seq "$1"); do "${@:2}" > /dev/null 2>&1; done' _ "$starts" "$@" "$tiny"
  awk -v n="$starts" '{ printf "%.1f", ($1 + $2) * 1000 / n }' "$work/time"
}
start_builtin=$(start_cpu "${builtin[@]}")
start_gitleaks=$(start_cpu "${gitleaks[@]}")

awk -v bytes="$bytes" -v tree="$tree" -v runs="$runs" -v b="$builtin_cpu" -v g="$gitleaks_cpu" \
    -v fb="$findings_builtin" -v fg="$findings_gitleaks" -v sb="$start_builtin" -v sg="$start_gitleaks" \
    -v rules="$(jq -r '.[].id' <("$keysweep" rules list --rules "$config" --format json 2>/dev/null) | wc -l)" 'BEGIN {
  printf "tree:      %s, %.0f MB, page-cached; -j 1, warm database cache, median of %d\n", tree, bytes / 1e6, runs
  printf "built-in:  %.2f s user CPU (%d findings)\n", b, fb
  printf "+gitleaks: %.2f s user CPU (%d findings, %d rules in all)\n", g, fg, rules
  printf "ratio +gitleaks / built-in: %.2f  (goal <= 1.5)\n", g / b
  printf "warm start-up, CPU per scan of one tiny file: built-in %s ms, +gitleaks %s ms (goal < 20)\n", sb, sg
}'
