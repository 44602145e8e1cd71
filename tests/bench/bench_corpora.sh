#!/usr/bin/env bash
# Detection benchmark on code that names Datadog on every page (issue 10): the
# three public DataDog repositories in ../shared/data/corpora (git bundles of
# helm-charts, ansible-datadog, chef-datadog), used in place (cloned into
# BENCH_DIR, never copied into the project). In one invocation, on one machine:
#   tree:     their HEAD trees copied COPIES times (~150 MB): keysweep scan
#             against `rg -uu -c -i -F` with the rules' literal keywords and the
#             contexts' mentions (the floor for reading and searching those bytes);
#             and keysweep --inventory with 1,000 hashed keys against no inventory;
#   history:  keysweep scan --history of helm-charts against
#             `git cat-file --batch-all-objects --batch` (git merely reading every
#             object), peak memory;
#   worst:    two generated 100 MB files, a Datadog name and a 32-hex value on
#             every line (short lines; 1 MB lines), every value judged in full
#             and then dropped by the entropy floor, with -j 1: MB/s on one core.
#
#   tests/bench/bench_corpora.sh [path/to/keysweep]
# Environment: CORPORA (../shared/data/corpora beside the project),
# BENCH_DIR (/var/tmp/keysweep-corpora), COPIES (12), RUNS (7).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keysweep=$(realpath "${1:-$here/../../build/keysweep}")
CORPORA=${CORPORA:-$(realpath "$here/../../../shared/data/corpora")}
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-corpora}
copies=${COPIES:-12}
runs=${RUNS:-7}
mkdir -p "$BENCH_DIR"
export KEYSWEEP_CACHE_DIR="$BENCH_DIR/cache"

for tool in rg hyperfine /usr/bin/time jq; do
  command -v "$tool" > /dev/null || { echo "installing the benchmark tools" >&2;
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep hyperfine time jq > /dev/null; break; }
done

repos=(helm-charts ansible-datadog chef-datadog)
for repo in "${repos[@]}"; do
  [ -d "$BENCH_DIR/$repo" ] || git clone -q "$CORPORA/$repo.bundle" "$BENCH_DIR/$repo"
done
tree="$BENCH_DIR/tree-$copies"
if [ ! -d "$tree" ]; then
  for i in $(seq -w 1 "$copies"); do
    for repo in "${repos[@]}"; do
      mkdir -p "$tree.partial/copy-$i/$repo"
      git -C "$BENCH_DIR/$repo" archive HEAD | tar -x -C "$tree.partial/copy-$i/$repo"
    done
  done
  mv "$tree.partial" "$tree"
fi
bytes=$(du -sb "$tree" | cut -f1)
find "$tree" -type f -print0 | xargs -0 cat > /dev/null  # page-cache it

# The literal floor: every keyword of the regex rules, every mention of the
# token rules' contexts, and "pub" (the RUM token's prefix).
out="$BENCH_DIR/results"; mkdir -p "$out"
"$keysweep" rules list --format json |
  jq -r '.[] | select(.check == null) | (.keywords[], .mentions[])' | sort -u |
  { cat; echo pub; } | while read -r word; do printf -- '-e\0%s\0' "$word"; done > "$out/literal.args"

# An inventory of 1,000 API keys whose hashes are known (none of them in the tree).
inventory="$BENCH_DIR/inventory-1000.db"
if [ ! -f "$inventory" ]; then
  python3 - "$BENCH_DIR/inventory-fixture" <<'PY'
import hashlib, json, os, sys
folder = sys.argv[1]
os.makedirs(folder, exist_ok=True)
records = [{"type": "api_keys", "id": f"k{i}", "attributes": {"name": f"k{i}", "last4": v[-4:], "key": v}}
           for i, v in ((i, hashlib.md5(b"inventory-%d" % i).hexdigest()) for i in range(1000))]
with open(os.path.join(folder, "api_keys.json"), "w") as out:
    json.dump({"data": records, "meta": {"page": {"total_count": len(records)}}}, out)
PY
  "$keysweep" inventory import --store "$inventory" "$BENCH_DIR/inventory-fixture/api_keys.json" > /dev/null
fi
report="$BENCH_DIR/report.json"  # never -o /dev/null: see the README
hyperfine --style basic --warmup 1 --runs "$runs" -i --export-json "$out/tree.json" \
  -n keysweep "$keysweep scan --no-config --format json -o $report $tree" \
  -n keysweep-inventory "$keysweep scan --no-config --inventory $inventory --format json -o $report $tree" \
  -n rg-literal "xargs -0 -a $out/literal.args rg -uu -c -i -F $tree > /dev/null" > "$out/tree.txt"

helm="$BENCH_DIR/helm-charts"
hyperfine --style basic --warmup 1 --runs "$runs" -i --export-json "$out/history.json" \
  -n keysweep-history "$keysweep scan --no-config --history --format json -o $report $helm" \
  -n git-cat-file "git -C $helm cat-file --batch-all-objects --batch > /dev/null" > "$out/history.txt"
history_peak=$( (/usr/bin/time -f %M "$keysweep" scan --no-config --history --format json -o "$report" "$helm" || true) 2>&1 | tail -n 1)
blob_bytes=$(git -C "$helm" cat-file --batch-all-objects --batch-check='%(objecttype) %(objectsize)' |
             awk '$1 == "blob" { s += $2 } END { print s }')

if [ ! -f "$BENCH_DIR/worst-lines.txt" ]; then
  python3 - "$BENCH_DIR" <<'PY'
import random, sys
folder = sys.argv[1]
random.seed(2)
def low():  # 32 hex of 7 symbols: judged in full, then under the entropy floor
    symbols = random.sample("0123456789abcdef", 7)
    return "".join(random.choice(symbols) for _ in range(32))
with open(f"{folder}/worst-lines.txt", "w") as out:
    size = 0
    while size < 100 << 20:
        line = "  datadog:\n    api_key: %s\n" % low(); out.write(line); size += len(line)
with open(f"{folder}/worst-longlines.txt", "w") as out:
    size = 0
    while size < 100 << 20:
        parts = []; width = 0
        while width < 1 << 20:
            part = '{"datadog": {"api_key": "%s"}} ' % low(); parts.append(part); width += len(part)
        line = "".join(parts) + "\n"; out.write(line); size += len(line)
PY
fi
hyperfine --style basic --runs 3 -i --export-json "$out/worst.json" \
  -n worst-lines "$keysweep scan --no-config -j 1 --max-file-size 200M --format json -o $report $BENCH_DIR/worst-lines.txt" \
  -n worst-longlines "$keysweep scan --no-config -j 1 --max-file-size 200M --format json -o $report $BENCH_DIR/worst-longlines.txt" \
  > "$out/worst.txt"

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$1"; }
awk -v bytes="$bytes" -v blob_bytes="$blob_bytes" -v peak="$history_peak" \
    -v ks="$(median "$out/tree.json" keysweep)" -v inv="$(median "$out/tree.json" keysweep-inventory)" \
    -v rg="$(median "$out/tree.json" rg-literal)" \
    -v hist="$(median "$out/history.json" keysweep-history)" -v cat="$(median "$out/history.json" git-cat-file)" \
    -v w1="$(median "$out/worst.json" worst-lines)" -v w2="$(median "$out/worst.json" worst-longlines)" \
    -v cpu="$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" 'BEGIN {
  printf "machine:          %s\n", cpu
  printf "tree:             %.0f MB (helm-charts, ansible-datadog, chef-datadog HEAD x copies), page-cached\n", bytes/1e6
  printf "keysweep:         %.3f s median (%.0f MB/s)\n", ks, bytes/1e6/ks
  printf "rg -uu -c -i -F:  %.3f s median (the rules keywords and mentions)\n", rg
  printf "ratio keysweep / rg: %.2f (goal <= 1.0)\n", ks/rg
  printf "--inventory, 1,000 hashed keys: %.3f s, ratio to no inventory %.2f (goal <= 1.1)\n", inv, inv/ks
  printf "history helm-charts (%.0f MB of blobs): keysweep %.3f s, git cat-file %.3f s, ratio %.2f (goal <= 1.0), peak RSS %.0f MB\n", blob_bytes/1e6, hist, cat, hist/cat, peak/1024
  printf "worst case, -j 1: short lines %.0f MB/s, 1 MB lines %.0f MB/s (goal >= 50)\n", 104.9/w1, 104.9/w2
}'
