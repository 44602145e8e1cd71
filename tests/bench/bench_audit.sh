#!/usr/bin/env bash
# Audit benchmark (issue 13): an organisation of 50 repositories in one
# datastore, first run against second run, in one invocation. The
# repositories are shallow clones, each of a different depth, of the three
# public DataDog repositories in ../shared/data/corpora (helm-charts,
# ansible-datadog, chef-datadog), each with one commit of its own on top, so
# every history differs while forks of one project share most blobs, as in a
# real organisation. Goal: the second run (nothing changed) costs at most 5%
# of the first.
#
#   tests/bench/bench_audit.sh [path/to/keysweep]
# Environment: CORPORA (../shared/data/corpora beside the project),
# BENCH_DIR (/var/tmp/keysweep-audit), REPOS (50), RUNS (3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keysweep=$(realpath "${1:-$here/../../build/keysweep}")
CORPORA=${CORPORA:-$(realpath "$here/../../../shared/data/corpora")}
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-audit}
count=${REPOS:-50}
runs=${RUNS:-3}
mkdir -p "$BENCH_DIR"
export KEYSWEEP_CACHE_DIR="$BENCH_DIR/cache" CI=true

for tool in hyperfine jq; do
  command -v "$tool" > /dev/null || { echo "installing the benchmark tools" >&2;
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine jq > /dev/null; break; }
done

corpora=(helm-charts ansible-datadog chef-datadog)
for corpus in "${corpora[@]}"; do
  [ -d "$BENCH_DIR/$corpus.git" ] || git clone -q --bare "$CORPORA/$corpus.bundle" "$BENCH_DIR/$corpus.git"
done
org="$BENCH_DIR/org-$count"
list="$org/repositories.txt"
if [ ! -f "$list" ]; then
  rm -rf "$org"
  mkdir -p "$org"
  echo "building $count repositories (once)..." >&2
  for i in $(seq 1 "$count"); do
    corpus=${corpora[$(( i % 3 ))]}
    repo="$org/$corpus-$i.git"
    git clone -q --bare --no-local --depth $(( 20 + (i * 37) % 400 )) "file://$BENCH_DIR/$corpus.git" "$repo"
    blob=$(printf 'repository %d of the benchmark organisation\n' "$i" | git -C "$repo" hash-object -w --stdin)
    tree=$(printf '100644 blob %s\tORG-%d.md\n' "$blob" "$i" | git -C "$repo" mktree)
    head=$(git -C "$repo" rev-parse HEAD)
    commit=$(GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.invalid GIT_COMMITTER_NAME=bench \
      GIT_COMMITTER_EMAIL=bench@example.invalid git -C "$repo" commit-tree "$tree" -p "$head" -m "repository $i")
    git -C "$repo" update-ref HEAD "$commit"
    echo "$repo" >> "$list"
  done
fi
objects=0
for repo in $(cat "$list"); do
  objects=$(( objects + $(git -C "$repo" count-objects -v | awk '/^(count|in-pack):/ { n += $2 } END { print n }') ))
done
cat "$org"/*.git/objects/pack/* > /dev/null 2>&1 || true  # page-cache the packs

db="$BENCH_DIR/audit.db"
fresh="rm -rf $db $db-wal $db-shm $db.mirrors"
scan="$keysweep scan --history --datastore $db --repos-from $list --no-progress --format json -o $BENCH_DIR/audit.json"
out="$BENCH_DIR/results"
mkdir -p "$out"
# The datastore that the second runs start from: one first run's.
$fresh; $scan || [ $? = 1 ]
cp "$db" "$db.done"
first_summary=$(jq -c '.summary | {findings, files_scanned, blobs_known, commits}' "$BENCH_DIR/audit.json")

hyperfine --style basic --runs "$runs" -i --export-json "$out/audit.json" \
  -n first --prepare "$fresh" "$scan" \
  -n second --prepare "$fresh && cp $db.done $db" "$scan" > "$out/audit.txt"
second_summary=$(jq -c '.summary | {findings, files_scanned, blobs_known, commits}' "$BENCH_DIR/audit.json")

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$1"; }
first=$(median "$out/audit.json" first)
second=$(median "$out/audit.json" second)
awk -v n="$count" -v objects="$objects" -v first="$first" -v second="$second" \
    -v s1="$first_summary" -v s2="$second_summary" \
    -v cpu="$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" 'BEGIN {
  printf "machine:        %s\n", cpu
  printf "organisation:   %d repositories, %d objects in all\n", n, objects
  printf "first run:      %.2f s median  %s\n", first, s1
  printf "second run:     %.3f s median  %s\n", second, s2
  printf "ratio second / first: %.3f  (goal <= 0.05)\n", second/first
}'
