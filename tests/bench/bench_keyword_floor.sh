#!/usr/bin/env bash
# The floor under issue 15's speed goal (a tree scan with gitleaks' rules
# added costs <= 1.5x the built-in rules alone): what a single Hyperscan pass
# over one copy of git's source costs just to learn which of gitleaks'
# keywords occur in each file, with nothing done per hit, against keysweep's
# whole built-in scan of the same copy. gitleaks' semantics need that for
# every file (a rule applies only where one of its keywords occurs), so a
# scan that learns it with Hyperscan costs at least (built-in + pass) /
# built-in. generic-api-key's keywords are printed apart: its matches start
# with one, and the rest of its match (an `=` or `:`, then 10 word
# characters) is on 2.5 times as many lines of git's source as its keywords
# (41,519 against 16,342), so the keyword is its rarest part to search for.
#
#   tests/bench/bench_keyword_floor.sh [path/to/keysweep] [path/to/gitleaks.toml]
# Environment: GITLEAKS_CONFIG, BENCH_DIR (/var/tmp/keysweep-bench), RUNS (20 scans each).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keysweep=$(realpath "${1:-$here/../../build/keysweep}")
config=${2:-${GITLEAKS_CONFIG:-/tmp/gitleaks-default.toml}}
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-bench}
runs=${RUNS:-20}
export BENCH_DIR
[ -f "$config" ] || { echo "no gitleaks configuration at $config (pass its path)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tree=$("$here/fetch_corpus.sh")
find "$tree" -type f -print0 > "$work/files"
xargs -0 cat < "$work/files" > /dev/null  # page-cache the tree
g++ -O2 -std=c++20 -o "$work/keyword_pass" "$here/keyword_pass.cpp" -lhs

# Every keyword of the pack, and generic-api-key's alone (lowercased, distinct).
python3 - "$config" "$work" <<'PY'
import sys, tomllib
rules = tomllib.load(open(sys.argv[1], "rb")).get("rules", [])
def write(name, words):
    open(f"{sys.argv[2]}/{name}", "w").write("".join(w + "\n" for w in sorted(set(words))))
write("all", [k.lower() for r in rules for k in r.get("keywords", [])])
write("generic", [k.lower() for r in rules if r.get("id") == "generic-api-key" for k in r.get("keywords", [])])
PY

export KEYSWEEP_CACHE_DIR="$work/cache"
builtin=("$keysweep" scan -j 1 --no-config --format json -o "$work/builtin.json")
echo "nothing here" > "$work/tiny.env"
"${builtin[@]}" "$work/tiny.env" || true
# User CPU in ms of $runs runs of a command: bash's `times` for the
# subshell's children. The kernel splits user from system time by ticks, so
# one short run is too coarse; many runs average it out.
user_ms() {
  ( for _ in $(seq "$runs"); do "$@" > /dev/null 2>&1 || true; done; times ) |
    awk 'NR == 2 { split($1, t, /[ms]/); print (t[1] * 60 + t[2]) * 1000 }'
}
scan=$(user_ms "${builtin[@]}" "$tree")
start=$(user_ms "${builtin[@]}" "$work/tiny.env")
all=$("$work/keyword_pass" "$work/all" "$work/files")
generic=$("$work/keyword_pass" "$work/generic" "$work/files")

awk -v runs="$runs" -v tree="$tree" -v files="$(tr -cd '\0' < "$work/files" | wc -c)" -v scan="$scan" -v start="$start" \
    -v all="$all" -v generic="$generic" -v n_all="$(wc -l < "$work/all")" \
    -v n_generic="$(wc -l < "$work/generic")" 'BEGIN {
  b = (scan - start) / runs
  printf "tree: %s (%d files), page-cached; keysweep: mean user CPU of %d runs; Hyperscan: median of 7 passes\n", tree, files, runs
  printf "keysweep, built-in rules, -j 1: %.1f ms user CPU a scan, %.1f ms of it start-up: %.1f ms of scanning\n", scan / runs, start / runs, b
  printf "one Hyperscan pass, %d caseless keywords (all of the pack), nothing per hit: %.1f ms\n", n_all, all
  printf "one Hyperscan pass, generic-api-key'\''s %d keywords alone: %.1f ms\n", n_generic, generic
  printf "floor of the ratio, all keywords:  (%.1f + %.1f) / %.1f = %.2f  (goal <= 1.5)\n", b, all, b, (b + all) / b
  printf "floor of the ratio, generic alone: (%.1f + %.1f) / %.1f = %.2f\n", b, generic, b, (b + generic) / b
}'
