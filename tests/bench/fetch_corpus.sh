#!/usr/bin/env bash
# Prints the path of an extracted real source tree: git's own source, from
# Debian's source package (no other network is needed). Cached in $BENCH_DIR.
set -euo pipefail
BENCH_DIR=${BENCH_DIR:-/var/tmp/keysweep-bench}
package=${BENCH_SOURCE_PACKAGE:-git}
apt_dir="$BENCH_DIR/apt"
src_dir="$BENCH_DIR/src"
if [ -z "$(ls -d "$src_dir"/*/ 2>/dev/null)" ]; then
  mkdir -p "$apt_dir/parts" "$apt_dir/lists/partial" "$src_dir"
  cat > "$apt_dir/parts/deb-src.sources" <<SOURCES
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  apt_options=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$apt_dir/parts"
               -o "Dir::State::Lists=$apt_dir/lists")
  apt-get "${apt_options[@]}" update -qq >&2
  (cd "$apt_dir" && apt-get "${apt_options[@]}" --download-only source "$package" >&2 2>/dev/null)
  tar -xf "$apt_dir"/"${package}"_*.orig.tar.* -C "$src_dir"
fi
ls -d "$src_dir"/*/ | head -n 1 | sed 's:/$::'
