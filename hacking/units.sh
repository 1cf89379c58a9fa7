#!/usr/bin/env bash
# ansible-test units on the ansible-test copy of the collection. ansible-test exits 0 with
# "All targets skipped." when there is no unit test: that is turned into a loud failure.
#   hacking/units.sh [ansible-test units options...]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if [ -z "$(find tests/unit -name 'test_*.py' 2>/dev/null | head -1)" ]; then
    echo "units.sh: FAIL: no unit tests (no tests/unit/**/test_*.py)" >&2
    exit 1
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
hacking/ansible_test.sh units "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" -eq 0 ] && grep -q 'All targets skipped' "$log"; then
    echo "units.sh: FAIL: ansible-test ran no unit test (All targets skipped)" >&2
    exit 1
fi
exit "$rc"
