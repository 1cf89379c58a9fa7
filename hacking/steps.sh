#!/usr/bin/env bash
# Run make targets one after the other, time each, go on after a failure, print a summary, and exit
# non-zero if any failed.   hacking/steps.sh TARGET...
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
declare -a summary=()
failed=0
start_all=$(date +%s)
for step in "$@"; do
    echo
    echo "------------------- make $step -------------------"
    start=$(date +%s)
    if make --no-print-directory "$step"; then result=ok; else result=FAILED; failed=1; fi
    secs=$(( $(date +%s) - start ))
    summary+=("$(printf '%-16s %-7s %5ss' "$step" "$result" "$secs")")
    echo "------------------- make $step: $result (${secs}s) -------------------"
done
echo
echo "------------------- summary -------------------"
printf '%s\n' "${summary[@]}"
echo "total: $(( $(date +%s) - start_all ))s"
exit "$failed"
