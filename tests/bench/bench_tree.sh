#!/usr/bin/env bash
# Working-tree benchmark (issue 2). Builds ~1 GB of real source files (git's
# source tree copied BENCH_COPIES times, with one planted Datadog key per copy),
# page-caches it, and times in one invocation on one machine:
#   keysweep scan                                   (built-in rules)
#   rg -c -F -e <every rule keyword>                (the floor: read bytes, find literals)
#   rg -c -e <every rule regex>                     (what a regex scanner pays)
# It prints medians, both ratios, throughput, peak memory, and cold vs warm
# start (without and with the serialized Hyperscan database).
#
#   tests/bench/bench_tree.sh [path/to/keysweep]
# Environment: BENCH_DIR (/var/tmp/keysweep-bench), BENCH_COPIES (20), RUNS (5),
# REGEX_RUNS (3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
keysweep=$(realpath "${1:-$here/../../build/keysweep}")
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-bench}
copies=${BENCH_COPIES:-20}
runs=${RUNS:-5}
regex_runs=${REGEX_RUNS:-3}
export BENCH_DIR

for tool in rg hyperfine /usr/bin/time jq; do
  command -v "$tool" > /dev/null || { echo "installing the benchmark tools" >&2;
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ripgrep hyperfine time jq > /dev/null; break; }
done

source_tree=$("$here/fetch_corpus.sh")
tree="$BENCH_DIR/tree-$copies"
if [ ! -d "$tree" ]; then
  mkdir -p "$tree.partial"
  for i in $(seq -w 1 "$copies"); do
    cp -r "$source_tree" "$tree.partial/copy-$i"
    # One planted key per copy, so the confirm path runs, not only the search.
    printf 'DD_API_KEY=%s\n' "$(printf 'bench-%s' "$i" | md5sum | cut -c1-32)" > "$tree.partial/copy-$i/.env"
  done
  mv "$tree.partial" "$tree"
fi
bytes=$(du -sb "$tree" | cut -f1)
files=$(find "$tree" -type f | wc -l)

# The literal floor: every keyword of every rule, plus "pub" (the RUM rule's literal).
rules_json=$("$keysweep" rules list --format json)
# Pattern rules only: lint checks (rules/lint.toml) have no regex.
mapfile -t keywords < <(jq -r '.[] | select(.check == null) | (.keywords[], .mentions[])' <<< "$rules_json" | sort -u; echo pub)
mapfile -t regexes < <(jq -r '.[] | select(.check == null) | .regex' <<< "$rules_json")
literal_args=(); for k in "${keywords[@]}"; do literal_args+=(-e "$k"); done
regex_args=(); for r in "${regexes[@]}"; do regex_args+=(-e "$r"); done

cache="$BENCH_DIR/cache"
export KEYSWEEP_CACHE_DIR="$cache"
cat_tree() { find "$tree" -type f -print0 | xargs -0 cat > /dev/null; }
cat_tree  # page-cache the tree

out="$BENCH_DIR/results"
mkdir -p "$out"
printf '%s\0' "${literal_args[@]}" > "$out/literal.args"
printf '%s\0' "${regex_args[@]}" > "$out/regex.args"
# An inventory of 220 API keys with known hashes: the 20 planted keys and 200
# others. The sweep anchors on their last four characters.
inventory="$BENCH_DIR/inventory-220.db"
if [ ! -f "$inventory" ]; then
  python3 - "$BENCH_DIR/inventory-fixture" "$copies" <<'PY'
import hashlib, json, os, sys
folder, copies = sys.argv[1], int(sys.argv[2])
os.makedirs(folder, exist_ok=True)
values = [(f"planted-{i}", hashlib.md5(b"bench-%02d" % i).hexdigest()) for i in range(1, copies + 1)]
values += [(f"other-{i}", hashlib.md5(b"other-%d" % i).hexdigest()) for i in range(220 - copies)]
for key_id, value in values:
    with open(os.path.join(folder, key_id + ".json"), "w") as out:
        json.dump({"data": {"type": "api_keys", "id": key_id,
                            "attributes": {"name": key_id, "last4": value[-4:], "key": value}}}, out)
PY
  "$keysweep" inventory import --store "$inventory" "$BENCH_DIR"/inventory-fixture/*.json > /dev/null
fi

hyperfine --style basic --warmup 1 --runs "$runs" -i --export-json "$out/main.json" \
  -n keysweep "$keysweep scan --format json -o /dev/null $tree" \
  -n keysweep-inventory "$keysweep scan --inventory $inventory --format json -o /dev/null $tree" \
  -n rg-literal "xargs -0 -a $out/literal.args rg -uu -c -F $tree > /dev/null" > "$out/main.txt"
hyperfine --style basic --runs "$regex_runs" -i --export-json "$out/regex.json" \
  -n rg-regex "xargs -0 -a $out/regex.args rg -uu -c $tree > /dev/null" > "$out/regex.txt"

median() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$1"; }
ks=$(median "$out/main.json" keysweep)
lit=$(median "$out/main.json" rg-literal)
inv=$(median "$out/main.json" keysweep-inventory)
rx=$(median "$out/regex.json" rg-regex)
# keysweep exits 1 when it finds something, as it will here (the planted keys).
peak_kb=$( (/usr/bin/time -f %M "$keysweep" scan --format json -o /dev/null "$tree" || true) 2>&1 >/dev/null | tail -n 1)
findings=$( ("$keysweep" scan --format json "$tree" || true) | jq '.summary.findings')

# Start-up: a one-line file, with an empty cache (compile) and a warm one (load).
tiny="$BENCH_DIR/tiny.env"; echo "nothing here" > "$tiny"
# One --prepare per command: a single one would apply to both and make "warm" cold too.
"$keysweep" scan "$tiny" > /dev/null  # fills the cache for the warm runs
hyperfine --style basic -N --warmup 3 --runs 30 -i --export-json "$out/start.json" \
  --prepare "rm -rf $cache" --prepare "true" \
  -n cold "$keysweep scan $tiny" \
  -n warm "$keysweep scan $tiny" > "$out/start.txt"
cold=$(median "$out/start.json" cold)
warm=$(median "$out/start.json" warm)

awk -v bytes="$bytes" -v files="$files" -v copies="$copies" -v ks="$ks" -v lit="$lit" -v rx="$rx" -v inv="$inv" \
    -v peak="$peak_kb" -v findings="$findings" -v cold="$cold" -v warm="$warm" \
    -v cpu="$(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')" 'BEGIN {
  printf "machine:     %s\n", cpu
  printf "tree:        %.0f MB, %d files (git source x %d), page-cached\n", bytes/1e6, files, copies
  printf "keysweep:    %.3f s median  (%.0f MB/s, peak RSS %.0f MB, %d findings)\n", ks, bytes/1e6/ks, peak/1024, findings
  printf "rg literal:  %.3f s median  (rg -uu -c -F, every rule keyword)\n", lit
  printf "rg regex:    %.3f s median  (rg -uu -c, every rule regex)\n", rx
  printf "ratio keysweep / rg-literal: %.2f  (goal <= 1.0)\n", ks/lit
  printf "ratio keysweep / rg-regex:   %.3f\n", ks/rx
  printf "with --inventory (220 hashed keys): %.3f s median, ratio to plain scan %.2f\n", inv, inv/ks
  printf "start-up:    cold %.1f ms (compile database), warm %.1f ms (load serialized database)\n", cold*1000, warm*1000
}'
