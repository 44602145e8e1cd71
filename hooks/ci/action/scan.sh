#!/bin/sh
# The action's scan step (action.yml). Inputs arrive as INPUT_* variables;
# outputs (sarif, report, exit-code) go to $GITHUB_OUTPUT. The exit code is
# keysweep's: 1 (findings) fails the step; the upload step still runs.
set -u
path=${INPUT_PATH:-.}
if [ -n "${INPUT_RANGE:-}" ]; then
  set -- --range "$INPUT_RANGE" "$path"
elif [ "${INPUT_HISTORY:-false}" = true ]; then
  set -- --history "$path"
elif [ -n "${GITHUB_BASE_REF:-}" ]; then
  # A pull request: what its commits add (actions/checkout with fetch-depth: 0).
  set -- --range "origin/$GITHUB_BASE_REF..HEAD" "$path"
else
  set -- "$path"
fi
[ -n "${INPUT_FAIL_ON:-}" ] && set -- "$@" --fail-on "$INPUT_FAIL_ON"
[ -n "${INPUT_BASELINE:-}" ] && set -- "$@" --baseline "$INPUT_BASELINE"
# Extra arguments are split at whitespace, on purpose (no glob expansion).
set -f
# shellcheck disable=SC2086
set -- "$@" ${INPUT_ARGS:-}
set +f

sarif=${INPUT_SARIF_FILE:-keysweep.sarif}
mkdir -p "$(dirname "$sarif")"
keysweep scan "$@" --no-progress --format sarif -o "$sarif"
status=$?
report=""
format=${INPUT_FORMAT:-text}
if [ "$status" -le 1 ] && [ "$format" != sarif ]; then
  # The same scan again (rules are cached) for people: in the log, or as a file.
  case "$format" in
    text) keysweep scan "$@" --no-progress --color never ;;
    json) report=keysweep-report.json ;;
    junit) report=keysweep-report.xml ;;
    *) echo "keysweep action: format: '$format' is not one of text, json, junit, sarif" >&2; status=2 ;;
  esac
  if [ -n "$report" ]; then keysweep scan "$@" --no-progress --format "$format" -o "$report"; fi
fi
[ "$status" -le 1 ] || sarif=""  # an error wrote no report
{
  echo "sarif=$sarif"
  echo "report=$report"
  echo "exit-code=$status"
} >> "${GITHUB_OUTPUT:-/dev/null}"
exit "$status"
