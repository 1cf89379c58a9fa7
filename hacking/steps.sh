#!/usr/bin/env bash
# Run make targets, time each, go on after a failure, print a summary, and exit non-zero if any failed.
#
#   hacking/steps.sh [-j N] TARGET...
#
# With -j 1 (the default) the targets run one after the other and their output streams as it comes. With -j N,
# up to N run side by side, started in the order given (put the long ones first); each one's output goes to
# .build/steps/TARGET.log and is printed whole, framed by its name, when it ends, so logs never interleave.
# Targets that share something guard it themselves: the build (hacking/build.sh) and each ansible-test copy
# (hacking/ansible_test.sh) take a lock, and the build replaces the installed collection only when it changed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
jobs=1
if [ "${1:-}" = -j ]; then jobs=${2:?-j needs a number}; shift 2; fi
[ "$jobs" -ge 1 ] 2>/dev/null || { echo "steps.sh: -j wants a whole number of at least 1, not '$jobs'" >&2; exit 2; }

declare -A result=() took=()
failed=0
start_all=$(date +%s)
logs=.build/steps
mkdir -p "$logs"

finish() {  # STEP RC SECS: record, print the framed log (parallel runs), the end line
    local step=$1 rc=$2 secs=$3
    if [ "$rc" -eq 0 ]; then result[$step]=ok; else result[$step]=FAILED; failed=1; fi
    took[$step]=$secs
    if [ "$jobs" -gt 1 ]; then
        echo
        echo "------------------- make $step -------------------"
        cat "$logs/$step.log"
    fi
    echo "------------------- make $step: ${result[$step]} (${secs}s) -------------------"
}

if [ "$jobs" -eq 1 ]; then
    for step in "$@"; do
        echo
        echo "------------------- make $step -------------------"
        start=$(date +%s)
        make --no-print-directory "$step"
        finish "$step" $? $(( $(date +%s) - start ))
    done
else
    echo "steps: $# targets, $jobs at a time; each one's log is printed when it ends (.build/steps/TARGET.log)"
    declare -A pid_step=()
    run_one() {  # STEP: in the background; writes STEP.rc "RC SECS"
        local step=$1 s rc
        s=$(date +%s)
        make --no-print-directory "$step" >"$logs/$step.log" 2>&1 </dev/null
        rc=$?
        echo "$rc $(( $(date +%s) - s ))" >"$logs/$step.rc"
    }
    reap() {  # wait for one background step to end and report it
        local pid rc secs
        wait -n -p pid "${!pid_step[@]}" || true
        read -r rc secs <"$logs/${pid_step[$pid]}.rc" || { rc=1; secs=0; }
        finish "${pid_step[$pid]}" "$rc" "$secs"
        unset "pid_step[$pid]"
    }
    for step in "$@"; do
        while [ "${#pid_step[@]}" -ge "$jobs" ]; do reap; done
        rm -f "$logs/$step.rc"
        run_one "$step" &
        pid_step[$!]=$step
        echo "steps: make $step started"
    done
    while [ "${#pid_step[@]}" -gt 0 ]; do reap; done
fi

echo
echo "------------------- summary -------------------"
for step in "$@"; do printf '%-16s %-7s %5ss\n' "$step" "${result[$step]}" "${took[$step]}"; done
echo "total: $(( $(date +%s) - start_all ))s"
exit "$failed"
