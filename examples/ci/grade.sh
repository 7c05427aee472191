#!/usr/bin/env bash
# Grade a submission in any CI: JUnit XML for the CI's test view, a Markdown summary for the
# people reading the job, the full result as JSON. Works wherever `archlab` is installed.
#
#   examples/ci/grade.sh LAB SUBMISSION_DIR [OUT_DIR]      (OUT_DIR: archlab-results)
#
# Environment: ARCHLAB (the command, default `archlab`), ARCHLAB_SANDBOX (docker, process or
# auto), MIN_SCORE (pass from this many points; default: full marks only). On GitHub
# Actions the summary is also appended to $GITHUB_STEP_SUMMARY.
# Exit status: archlab grade's (0 passed, 1 points missing, 2 the sandbox failed).
set -uo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 LAB SUBMISSION_DIR [OUT_DIR]" >&2
  exit 64
fi
lab=$1 submission=$2 out=${3:-archlab-results}
mkdir -p "$out"
args=(grade "$lab" "$submission" --format json -o "$out/result.json"
      --report "junit=$out/junit.xml" --report "markdown=$out/summary.md")
if [ -n "${MIN_SCORE:-}" ]; then
  args+=(--min-score "$MIN_SCORE")
fi
${ARCHLAB:-archlab} "${args[@]}"
status=$?
if [ -f "$out/summary.md" ]; then
  cat "$out/summary.md"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
  fi
fi
exit $status
