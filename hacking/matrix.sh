#!/usr/bin/env bash
# The ansible-core matrix: the oldest ansible-core the collection claims (meta/runtime.yml requires_ansible) and the
# newest release, each in a venv of its own built from the requirement files (nothing installed by hand).
#
#   hacking/matrix.sh venvs                 build or update every venv (.build/matrix/ansible-core-X.Y.Z)
#   hacking/matrix.sh leg X.Y.Z PY          sanity, units and integration (ansible-test, --venv) on one of them
#   hacking/matrix.sh run                   every leg, in parallel (one per core), then each leg's log and a summary
#
# MATRIX (Makefile: ANSIBLE_CORE_MATRIX) lists VERSION:PYTHON pairs; PYTHON is the controller Python of the venv.
# A leg runs `ansible-test sanity`, `ansible-test units` and `ansible-test integration` (tests/integration/targets:
# the pytest suite against the simulator, its tests marked `matrix` unless MATRIX_MARKEXPR says otherwise) on PY:
# `make sanity` runs sanity on every Python the modules support (tests/config.yml) that is found, and a leg adds
# this ansible-core's own rules (validate-modules, pylint, ansible-doc...), which do not depend on the Python.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT=$PWD
MATRIX=${MATRIX:-2.16.19:3.11 2.21.5:3.13}
JOBS=${MATRIX_JOBS:-$(nproc)}
# The integration tests a leg runs: those marked `matrix` (at least one per test module, each module, plugin and role
# once; the whole suite runs on .venv's ansible-core in `make integration`). MATRIX_MARKEXPR= (empty) runs them all.
MARKEXPR=${MATRIX_MARKEXPR-matrix}

venv_of() { echo "$ROOT/.build/matrix/ansible-core-$1"; }

make_venv() {  # VERSION PYTHON
    VENV=$(venv_of "$1") PYTHON_VERSION=$2 REQUIREMENTS=requirements-test.txt EXTRA="ansible-core==$1" hacking/venv.sh
}

leg() {  # VERSION PYTHON: sanity, units, integration; every step runs, the leg fails if one did
    local version=$1 py=$2 venv rc=0 step start
    venv=$(venv_of "$version")
    make_venv "$version" "$py" || return 1
    for step in sanity units integration; do
        start=$(date +%s)
        echo "matrix: ansible-core $version: $step"
        case $step in
            sanity) VENV=$venv hacking/ansible_test.sh sanity --venv --requirements --python "$py" --color no || rc=1 ;;
            units) VENV=$venv hacking/units.sh --venv --requirements --python "$py" --color no || rc=1 ;;
            integration) VENV=$venv PYTEST_MARKEXPR=$MARKEXPR \
                             hacking/ansible_test.sh integration --venv --requirements --python "$py" --continue-on-error \
                             --color no || rc=1 ;;
        esac
        echo "matrix: ansible-core $version: $step done in $(( $(date +%s) - start ))s (leg status so far: $rc)"
    done
    return "$rc"
}

case ${1:-run} in
    venvs)
        for pair in $MATRIX; do make_venv "${pair%%:*}" "${pair##*:}" || exit 1; done
        ;;
    leg)
        leg "${2:?version}" "${3:?python}"
        ;;
    run)
        mkdir -p .build/matrix
        # the venvs one after the other (pip), then the legs side by side
        for pair in $MATRIX; do make_venv "${pair%%:*}" "${pair##*:}" || exit 1; done
        declare -A results=() secs=()
        start_all=$(date +%s)
        running=0
        for pair in $MATRIX; do
            version=${pair%%:*}
            if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
            ( s=$(date +%s); leg "$version" "${pair##*:}" >".build/matrix/leg-$version.log" 2>&1; rc=$?
              echo "$rc $(( $(date +%s) - s ))" >".build/matrix/leg-$version.rc" ) &
            running=$((running + 1))
            echo "matrix: ansible-core $version (Python ${pair##*:}) started, log .build/matrix/leg-$version.log"
        done
        wait
        failed=0
        for pair in $MATRIX; do
            version=${pair%%:*}
            echo
            echo "=================== matrix leg ansible-core $version (Python ${pair##*:}) ==================="
            cat ".build/matrix/leg-$version.log"
            read -r rc took <".build/matrix/leg-$version.rc" || { rc=1; took="?"; }
            results[$version]=$rc; secs[$version]=$took
            [ "$rc" -eq 0 ] || failed=1
        done
        echo
        for pair in $MATRIX; do
            version=${pair%%:*}
            printf 'matrix: ansible-core %-8s %-6s %5ss\n' "$version" \
                "$([ "${results[$version]}" -eq 0 ] && echo ok || echo FAILED)" "${secs[$version]}"
        done
        echo "matrix: $(( $(date +%s) - start_all ))s for every leg, $JOBS at a time"
        exit "$failed"
        ;;
    *)
        echo "usage: hacking/matrix.sh venvs | leg VERSION PYTHON | run" >&2
        exit 2
        ;;
esac
