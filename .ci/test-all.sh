#!/usr/bin/env bash
# `make test`: run every check in turn, keep going after a failure, then print how long
# each step took and the total of all pytest results. Exit status: non-zero if any step failed.
#   .ci/test-all.sh STEP...      (each STEP is a make target, run as `$MAKE STEP`)
# The last line is the sum over all pytest runs ("total: N passed, N failed, N skipped").
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

make_cmd="${MAKE:-make}"
logs="$BUILD_DIR/test-logs"
rm -rf "$logs"
mkdir -p "$logs"

rows=()
failed_steps=()
passed=0; failed=0; skipped=0; errors=0
start_all=$SECONDS
for step in "$@"; do
    log "===== make $step ====="
    start=$SECONDS
    set +o errexit
    "$make_cmd" --no-print-directory "$step" 2>&1 | tee "$logs/$step.log"
    rc=${PIPESTATUS[0]}
    set -o errexit
    took=$((SECONDS - start))
    status=ok
    if [ "$rc" -ne 0 ]; then status="FAILED (rc=$rc)"; failed_steps+=("$step"); fi
    # pytest summary lines, e.g. "12 passed, 1 skipped in 3.21s" or "== 2 failed, 10 passed in 1.0s =="
    summary="$(sed 's/\x1b\[[0-9;]*m//g' "$logs/$step.log" \
        | grep -E '^=*[[:space:]]*[0-9]+ (passed|failed|skipped|errors?|deselected|xfailed|xpassed|warnings?)\b.* in [0-9.]+s' || true)"
    if [ -n "$summary" ]; then
        while IFS= read -r line; do
            for kind in passed failed skipped error; do
                n="$(echo "$line" | grep -oE "[0-9]+ ${kind}s?\b" | grep -oE '^[0-9]+' || true)"
                n="${n:-0}"
                case "$kind" in
                    passed) passed=$((passed + n)) ;; failed) failed=$((failed + n)) ;;
                    skipped) skipped=$((skipped + n)) ;; error) errors=$((errors + n)) ;;
                esac
            done
        done <<< "$summary"
        summary="$(echo "$summary" | sed 's/=//g; s/^ *//; s/ *$//' | paste -sd';' -)"
    fi
    rows+=("$(printf '%-20s %6ss  %-14s %s' "$step" "$took" "$status" "$summary")")
done

echo
echo "make test summary (logs: ${logs#"$ROOT/"}/)"
printf '%-20s %7s  %-14s %s\n' STEP TIME RESULT PYTEST
printf '%s\n' "${rows[@]}"
printf '%-20s %6ss\n' total "$((SECONDS - start_all))"
if [ "${#failed_steps[@]}" -gt 0 ]; then
    echo "FAILED steps: ${failed_steps[*]}"
fi
echo "total: $passed passed, $((failed + errors)) failed, $skipped skipped"
[ "${#failed_steps[@]}" -eq 0 ]
