#!/usr/bin/env bash
# Run make targets, time each, go on after a failure, print a summary, and exit non-zero if any failed.
#
#   hacking/steps.sh [-j N] TARGET...
#
# With -j 1 (the default) the targets run one after the other and their output streams as it comes. With -j N,
# up to N run side by side, started in the order given (put the long ones first); each one's output goes to
# .build/steps/TARGET.log and is printed whole, framed by its name, when it ends, so logs never interleave.
# The summary gives each step's wall time and the CPU time (user + system) of the processes it ran and waited for
# (bash's `times`), so a step's share of the machine shows beside its length.
# Targets that share something guard it themselves: the build (hacking/build.sh) and each ansible-test copy
# (hacking/ansible_test.sh) take a lock, and the build replaces the installed collection only when it changed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
jobs=1
if [ "${1:-}" = -j ]; then jobs=${2:?-j needs a number}; shift 2; fi
[ "$jobs" -ge 1 ] 2>/dev/null || { echo "steps.sh: -j wants a whole number of at least 1, not '$jobs'" >&2; exit 2; }

declare -A result=() took=() cpu=()
failed=0
start_all=$(date +%s)
logs=.build/steps
mkdir -p "$logs"

child_cpu() {  # sets cpu_now: the CPU seconds (user + system) of this shell's waited-for children so far
    # (`times` in this very shell: in a pipeline or $(...), a subshell's children's times start at zero)
    local f="$logs/.times.$BASHPID"
    times >"$f"
    cpu_now=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
                           printf "%d", t + 0.5 }' "$f")
    rm -f "$f"
}

finish() {  # STEP RC SECS CPU: record, print the framed log (parallel runs), the end line
    local step=$1 rc=$2 secs=$3
    if [ "$rc" -eq 0 ]; then result[$step]=ok; else result[$step]=FAILED; failed=1; fi
    took[$step]=$secs cpu[$step]=$4
    if [ "$jobs" -gt 1 ]; then
        echo
        echo "------------------- make $step -------------------"
        cat "$logs/$step.log"
    fi
    echo "------------------- make $step: ${result[$step]} (${secs}s, CPU ${4}s) -------------------"
}

if [ "$jobs" -eq 1 ]; then
    for step in "$@"; do
        echo
        echo "------------------- make $step -------------------"
        start=$(date +%s)
        child_cpu; c0=$cpu_now
        make --no-print-directory "$step"
        rc=$?
        child_cpu
        finish "$step" "$rc" $(( $(date +%s) - start )) $(( cpu_now - c0 ))
    done
else
    echo "steps: $# targets, $jobs at a time; each one's log is printed when it ends (.build/steps/TARGET.log)"
    declare -A pid_step=()
    run_one() {  # STEP: in the background; writes STEP.rc "RC SECS CPU"
        local step=$1 s rc cpu_now
        s=$(date +%s)
        make --no-print-directory "$step" >"$logs/$step.log" 2>&1 </dev/null
        rc=$?
        child_cpu
        echo "$rc $(( $(date +%s) - s )) $cpu_now" >"$logs/$step.rc"
    }
    reap() {  # wait for one background step to end and report it
        local pid rc secs cpu_s
        wait -n -p pid "${!pid_step[@]}" || true
        read -r rc secs cpu_s <"$logs/${pid_step[$pid]}.rc" || { rc=1; secs=0; cpu_s=0; }
        finish "${pid_step[$pid]}" "$rc" "$secs" "${cpu_s:-0}"
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
printf '%-16s %-7s %6s %9s\n' step result wall CPU
total_cpu=0
for step in "$@"; do
    printf '%-16s %-7s %5ss %8ss\n' "$step" "${result[$step]}" "${took[$step]}" "${cpu[$step]}"
    total_cpu=$(( total_cpu + cpu[$step] ))
done
echo "total: $(( $(date +%s) - start_all ))s, CPU ${total_cpu}s (user + system of every step's processes)"
exit "$failed"
