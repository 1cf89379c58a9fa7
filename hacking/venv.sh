#!/usr/bin/env bash
# Create a virtual environment and fill it, idempotently and fast on re-runs: a stamp inside the venv holds a
# hash of what was asked for (requirement files, extra requirements, ucsim/pyproject.toml, the venv's Python);
# nothing is installed while it matches.
#
#   hacking/venv.sh                      .venv: requirements-dev.txt, then the simulator (pip install -e ucsim)
#   VENV=DIR PYTHON_VERSION=3.13 REQUIREMENTS=requirements-test.txt EXTRA='ansible-core==2.21.5' hacking/venv.sh
#                                        another venv (the ansible-core matrix: hacking/matrix.sh)
#
# PYTHON names the interpreter outright; PYTHON_VERSION finds pythonX.Y on PATH (pyenv shims left out: a shim
# of a Python that is not activated exists but fails) or in pyenv's versions.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
REQUIREMENTS=${REQUIREMENTS:-requirements-dev.txt}
EXTRA=${EXTRA:-}
export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1

usable() {  # a Python that can create a venv with pip in it
    command -v "$1" >/dev/null 2>&1 && "$1" -c 'import venv, ensurepip' >/dev/null 2>&1
}

find_version() {  # pythonX.Y outside pyenv's shims, else in pyenv's versions
    local v=$1 clean cand
    clean=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/shims$' | paste -sd: -)
    for cand in $(PATH=$clean command -v "python$v" 2>/dev/null) \
                "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/"python$v"; do
        if usable "$cand"; then echo "$cand"; return 0; fi
    done
    return 1
}

if [ -n "${PYTHON:-}" ]; then
    py=$PYTHON
elif [ -n "${PYTHON_VERSION:-}" ]; then
    py=$(find_version "$PYTHON_VERSION") || {
        echo "venv: no usable python$PYTHON_VERSION on PATH or in pyenv (install it, e.g. pyenv install $PYTHON_VERSION)" >&2
        exit 1
    }
elif usable python3.11; then
    py=python3.11
elif usable python3; then
    py=python3
else
    echo "venv: no usable python3.11/python3 (on Debian: apt-get install python3 python3-venv)" >&2
    exit 1
fi

# one venv.sh at a time per venv (parallel makes, several people in one work tree)
mkdir -p "$(dirname "$VENV")"
exec 9>"${TMPDIR:-/tmp}/collab-uc-venv-$(realpath -m "$VENV" | sha256sum | cut -c1-12).lock"
flock 9

if [ -n "${PYTHON_VERSION:-}" ] && [ -x "$VENV/bin/python" ] \
   && [ "$("$VENV/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$PYTHON_VERSION" ]; then
    echo "venv: $VENV has another Python than $PYTHON_VERSION: recreating it"
    rm -rf "$VENV"
fi
if ! "$VENV/bin/python" -c 'import pip' >/dev/null 2>&1; then
    echo "venv: creating $VENV with $(command -v "$py") ($("$py" -V 2>&1))"
    rm -rf "$VENV"
    "$py" -m venv "$VENV"
fi

ucsim_key=no-ucsim
[ -f ucsim/pyproject.toml ] && ucsim_key=$(cat ucsim/pyproject.toml)
# every requirement file that may be read (the -r includes too)
key=$( { cat requirements.txt requirements-test.txt requirements-dev.txt; echo "$REQUIREMENTS $EXTRA";
         echo "$ucsim_key"; "$VENV/bin/python" -V; } | sha256sum | cut -c1-32)
stamp=$VENV/.collab-uc-stamp

if [ "$(cat "$stamp" 2>/dev/null)" = "$key" ]; then
    echo "venv: $VENV is up to date"
    exit 0
fi

rm -f "$stamp"
quiet_pip() {  # pip's complaints about the machine's extra (file://) package indexes are noise
    local rc
    set +e
    # pip's own lines (Collecting..., Installing...) are the progress: a fresh venv takes a minute or two
    "$VENV/bin/python" -m pip install --progress-bar off "$@" 2>&1 \
        | grep -v -e "is ignored: it is neither a file nor a directory" -e "^Requirement already satisfied" \
                  -e "^ *Looking in " -e "^ *Downloading " -e "^ *Using cached " -e "^ *Stored in directory" \
        | sed -u 's/^/  /'
    rc=${PIPESTATUS[0]}
    set -e
    return "$rc"
}
echo "venv: installing $REQUIREMENTS${EXTRA:+ $EXTRA} into $VENV (a minute or two on a fresh machine)"
# shellcheck disable=SC2086  # EXTRA is a list of requirement specifiers
quiet_pip -r "$REQUIREMENTS" $EXTRA
if [ -f ucsim/pyproject.toml ]; then
    echo "venv: installing the simulator (pip install -e ./ucsim)"
    quiet_pip -e ./ucsim
else
    echo "venv: WARNING: ucsim/pyproject.toml does not exist yet; the simulator is not installed" >&2
fi
echo "$key" > "$stamp"
echo "venv: $VENV is ready ($("$VENV/bin/python" -V), ansible-core $("$VENV/bin/python" -c 'from ansible.release import __version__ as v; print(v)'))"
