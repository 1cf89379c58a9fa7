#!/usr/bin/env bash
# Create .venv and fill it: requirements-dev.txt, then the simulator (pip install -e ucsim).
# Idempotent and fast on re-runs: a stamp inside the venv holds a hash of the requirement files
# (and of ucsim/pyproject.toml and the venv's Python version); nothing is installed while it matches.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

usable() {  # a Python that can create a venv with pip in it
    command -v "$1" >/dev/null 2>&1 && "$1" -c 'import venv, ensurepip' >/dev/null 2>&1
}

if [ -n "${PYTHON:-}" ]; then
    py=$PYTHON
elif usable python3.11; then
    py=python3.11
elif usable python3; then
    py=python3
else
    echo "venv: no usable python3.11/python3 (on Debian: apt-get install python3 python3-venv)" >&2
    exit 1
fi

# one venv.sh at a time (parallel makes, several people in one work tree)
exec 9>"${TMPDIR:-/tmp}/collab-uc-venv-$(pwd | sha256sum | cut -c1-12).lock"
flock 9

if ! "$VENV/bin/python" -c 'import pip' >/dev/null 2>&1; then
    echo "venv: creating $VENV with $(command -v "$py") ($("$py" -V 2>&1))"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
fi

ucsim_key=no-ucsim
[ -f ucsim/pyproject.toml ] && ucsim_key=$(cat ucsim/pyproject.toml)
key=$( { cat requirements.txt requirements-dev.txt; echo "$ucsim_key"; "$VENV/bin/python" -V; } \
       | sha256sum | cut -c1-32)
stamp=$VENV/.collab-uc-stamp

if [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    echo "venv: $VENV is up to date"
    exit 0
fi

rm -f "$stamp"
quiet_pip() {  # pip's complaints about the machine's extra (file://) package indexes are noise
    local rc
    set +e
    "$VENV/bin/python" -m pip install -q "$@" 2>&1 | grep -v "is ignored: it is neither a file nor a directory"
    rc=${PIPESTATUS[0]}
    set -e
    return "$rc"
}
quiet_pip -r requirements-dev.txt
if [ -f ucsim/pyproject.toml ]; then
    quiet_pip -e ./ucsim
else
    echo "venv: WARNING: ucsim/pyproject.toml does not exist yet; the simulator is not installed" >&2
fi
echo "$key" > "$stamp"
echo "venv: $VENV is ready ($("$VENV/bin/python" -V), ansible-core $("$VENV/bin/python" -c 'from ansible.release import __version__ as v; print(v)'))"
