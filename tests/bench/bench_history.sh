#!/usr/bin/env bash
# History benchmark (issue 3; the staged benchmark is bench_staged.sh).
#
# History: `keysweep scan --history` against `git cat-file --batch-all-objects
# --batch > /dev/null` (git merely reading every object) on the same
# repository, page-cached, in one invocation. By default make_history.py
# builds a large history from git's real source (Debian's source package):
# edits, adds, deletes, renames, branches, tags, and a planted key every 1000
# commits; then it is repacked like a clone. BENCH_REPO names an existing
# repository instead (a bare clone of git.git: 850k objects).
#
#   tests/bench/bench_history.sh [path/to/keysweep]
# Environment: BENCH_DIR (/var/tmp/keysweep-bench), BENCH_COMMITS (12000),
# BENCH_REPO (unset: the built history), RUNS (5).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keysweep=$(realpath "${1:-$here/../../build/keysweep}")
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-bench}
commits=${BENCH_COMMITS:-12000}
runs=${RUNS:-5}
export BENCH_DIR

for tool in hyperfine /usr/bin/time jq; do
  command -v "$tool" > /dev/null || { echo "installing the benchmark tools" >&2;
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine time jq > /dev/null; break; }
done

repo=${BENCH_REPO:-$BENCH_DIR/history-$commits.git}
if [ -n "${BENCH_REPO:-}" ]; then
  commits=$(git -C "$repo" rev-list --all --count)
elif [ ! -d "$repo" ]; then
  source_tree=$("$here/fetch_corpus.sh")
  rm -rf "$repo.partial"
  echo "building a $commits-commit history (once)..." >&2
  python3 "$here/make_history.py" "$source_tree" "$repo.partial" --commits "$commits" < /dev/null
  # Repack like a clone's pack. On some machines the first repack right after
  # fast-import fails spuriously and a second succeeds; fast-import's own pack
  # is a valid (if less compact) fallback.
  for attempt in 1 2; do
    git -C "$repo.partial" repack -a -d -q --depth=50 --window=10 < /dev/null 2>/dev/null && break
    [ "$attempt" = 2 ] && echo "repack failed; using fast-import's pack" >&2
  done
  mv "$repo.partial" "$repo"
fi
read -r blobs blob_bytes < <(git -C "$repo" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
  awk '$1 == "blob" { n++; s += $2 } END { print n, s }')
objects=$(git -C "$repo" cat-file --batch-all-objects --batch-check | wc -l)
pack_bytes=$(du -sb "$repo/objects/pack" | cut -f1)
cat "$repo"/objects/pack/* > /dev/null  # page-cache the pack

export KEYSWEEP_CACHE_DIR="$BENCH_DIR/cache"
out="$BENCH_DIR/results"
mkdir -p "$out"
hyperfine --style basic --warmup 1 --runs "$runs" -i --export-json "$out/history.json" \
  -n keysweep "$keysweep scan --history --format json -o /dev/null $repo" \
  -n git-cat-file "git -C $repo cat-file --batch-all-objects --batch > /dev/null" > "$out/history.txt"

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$1"; }
ks=$(median "$out/history.json" keysweep)
cat_file=$(median "$out/history.json" git-cat-file)
peak_kb=$( (/usr/bin/time -f %M "$keysweep" scan --history --format json -o /dev/null "$repo" || true) 2>&1 >/dev/null | tail -n 1)
summary=$( ("$keysweep" scan --history --format json "$repo" || true) | jq -c '.summary')

awk -v blobs="$blobs" -v bytes="$blob_bytes" -v objects="$objects" -v pack="$pack_bytes" \
    -v commits="$commits" -v ks="$ks" -v cf="$cat_file" -v peak="$peak_kb" -v summary="$summary" \
    -v cpu="$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" 'BEGIN {
  printf "machine:        %s\n", cpu
  printf "repository:     %d commits, %d objects, %d blobs, %.0f MB of blob content, %.0f MB pack, page-cached\n", commits, objects, blobs, bytes/1e6, pack/1e6
  printf "keysweep:       %.2f s median  (%.0f MB/s of blob content, %.0f blobs/s, peak RSS %.0f MB)\n", ks, bytes/1e6/ks, blobs/ks, peak/1024
  printf "git cat-file:   %.2f s median  (--batch-all-objects --batch > /dev/null)\n", cf
  printf "ratio keysweep / git cat-file: %.2f  (goal <= 1.0)\n", ks/cf
  printf "scan summary:   %s\n", summary
}'
