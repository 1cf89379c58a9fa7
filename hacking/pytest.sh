#!/usr/bin/env bash
# Run pytest on one test directory from .venv; pytest's exit 5 ("no tests collected") is turned into a
# loud failure: a test step that ran nothing must neither pass nor fail without saying so.
#   hacking/pytest.sh DIR [pytest options...]
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
dir=$1; shift
[ -d "$dir" ] || { echo "pytest.sh: FAIL: $dir does not exist" >&2; exit 1; }
.venv/bin/python -m pytest "$dir" -ra -p no:cacheprovider "$@"
rc=$?
if [ "$rc" -eq 5 ]; then
    echo "pytest.sh: FAIL: pytest collected no tests in $dir (pytest exit 5); failing on purpose" >&2
    exit 1
fi
exit "$rc"
