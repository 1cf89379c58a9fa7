#!/usr/bin/env bash
# Run one module of the pytest integration suite (tests/integration/test_*.py) for an ansible-test integration
# target: tests/integration/targets/NAME/runme.sh calls `run_pytest.sh test_NAME.py`. The pytest fixtures start
# the simulator (ucsim) on loopback and run ansible-playbook against it with this collection, so
#
#   ansible-test integration --venv --requirements
#
# tests the collection ansible-test was started for, with its ansible-core. Needs the simulator: `ucsim` on PATH
# or importable (pip install ./ucsim from the collab.uc source repository; hacking/ansible_test.sh does this
# for `make matrix`), or COLLAB_UC_UCSIM set to the command that starts it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)   # .../ansible_collections/collab/uc
test_file=$here/${1:?usage: run_pytest.sh test_FILE.py [pytest options]}
shift

# the Python of the script FILE (its shebang line, split into words, e.g. `/usr/bin/env python3`; `python` if it has
# none) run with ARGS
python_of() {  # FILE ARGS...
    local interpreter=()
    read -ra interpreter < <(sed -n '1s/^#! *//p' "$1") || true
    [ "${#interpreter[@]}" -gt 0 ] || interpreter=(python)
    "${interpreter[@]}" "${@:2}"
}

if [ -z "${COLLAB_UC_UCSIM:-}" ]; then
    if command -v ucsim >/dev/null 2>&1; then
        COLLAB_UC_UCSIM=$(command -v ucsim)
    elif python -c 'import ucsim' >/dev/null 2>&1; then
        COLLAB_UC_UCSIM="python -m ucsim"
    else
        echo "run_pytest.sh: FAIL: the simulator ucsim is not installed: pip install ./ucsim from the collab.uc" \
             "source repository, put ucsim on PATH, or set COLLAB_UC_UCSIM" >&2
        exit 1
    fi
fi
export COLLAB_UC_UCSIM
# some tests import the simulator's package too (its state models): take it from the simulator's own Python
if ! python -c 'import ucsim' >/dev/null 2>&1; then
    ucsim_path=$(python_of "$(command -v "${COLLAB_UC_UCSIM%% *}")" \
                     -c 'import os, ucsim; print(os.path.dirname(os.path.dirname(ucsim.__file__)))')
    export PYTHONPATH=${PYTHONPATH:+$PYTHONPATH:}$ucsim_path
fi
# ansible-test's ansible-playbook (its ansible-core), and the collection it tests rather than a `make build` copy
COLLAB_UC_ANSIBLE_PLAYBOOK=$(command -v ansible-playbook)
COLLAB_UC_COLLECTIONS_PATH=${root%/ansible_collections/collab/uc}
export COLLAB_UC_ANSIBLE_PLAYBOOK COLLAB_UC_COLLECTIONS_PATH PYTHONDONTWRITEBYTECODE=1

# `make matrix` runs the tests marked `matrix` on the other ansible-core releases: hacking/ansible_test.sh writes that
# marker expression into the copy it tests (tests/integration/.markexpr; ansible-test passes no variable of ours on)
if [ -s "$here/.markexpr" ]; then
    set -- -m "$(cat "$here/.markexpr")" "$@"
fi
# the release of that ansible-playbook, from its own Python (`ansible-playbook --version` would import the whole CLI:
# most of a second for each of the 20 targets of a matrix leg)
core=$(python_of "$COLLAB_UC_ANSIBLE_PLAYBOOK" -c 'from ansible.release import __version__; print(__version__)' \
       2>/dev/null || echo unknown)
echo "run_pytest.sh: $(basename "$test_file") with ansible-playbook [core $core], simulator $COLLAB_UC_UCSIM${1:+, pytest options: $*}"
rc=0
python -m pytest "$test_file" -ra -p no:cacheprovider "$@" || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "run_pytest.sh: FAIL: pytest collected no tests in $test_file" >&2
    exit 1
fi
exit "$rc"
