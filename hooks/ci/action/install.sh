#!/bin/sh
# The action's install step (action.yml): a .deb the workflow names (a path or
# a URL), else keysweep already on PATH, else a build of the action's own
# source ($GITHUB_ACTION_PATH) added to $GITHUB_PATH for the next steps.
set -eu
sudo=""
if [ "$(id -u)" -ne 0 ] && command -v sudo > /dev/null; then sudo="sudo"; fi

if [ -n "${INPUT_PACKAGE:-}" ]; then
  case "$INPUT_PACKAGE" in
    http://* | https://*)
      deb="${RUNNER_TEMP:-/tmp}/keysweep.deb"
      curl --fail --silent --show-error --location --output "$deb" "$INPUT_PACKAGE"
      ;;
    *) deb=$(realpath "$INPUT_PACKAGE") ;;
  esac
  # apt-get installs a local file (with its dependencies) when the name has a slash.
  $sudo apt-get install -y --no-install-recommends "$deb"
  keysweep --version
elif command -v keysweep > /dev/null; then
  echo "keysweep $(keysweep --version) from $(command -v keysweep)"
else
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends build-essential meson ninja-build pkg-config \
    python3 libhyperscan-dev libre2-dev nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libyaml-dev \
    libgit2-dev libsqlite3-dev libcurl4-openssl-dev git > /dev/null
  build="${RUNNER_TEMP:-/tmp}/keysweep-build"
  meson setup "$build" "$GITHUB_ACTION_PATH" > /dev/null
  ninja -C "$build" keysweep > /dev/null
  echo "$build" >> "$GITHUB_PATH"
  "$build/keysweep" --version
fi
