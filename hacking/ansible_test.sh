#!/usr/bin/env bash
# Run ansible-test on a copy of the collection.
#
#   hacking/ansible_test.sh sanity --venv --requirements ...
#   hacking/ansible_test.sh units --venv --requirements --python 3.11 ...
#   hacking/ansible_test.sh integration --venv --requirements --python 3.11 ...
#   VENV=.build/matrix/ansible-core-2.16.19 hacking/ansible_test.sh sanity ...   (another ansible-core)
#   PYTEST_MARKEXPR=matrix hacking/ansible_test.sh integration ...   (only the integration tests marked matrix)
#
# ansible-test wants the collection under a path ending in ansible_collections/collab/uc and resolves the
# real working directory, so a symlink will not do: this script copies what git tracks plus untracked,
# non-ignored files (git ls-files -co --exclude-standard) to .build/ansible-test[-TAG]/ansible_collections/collab/uc,
# leaving out what is not part of the collection (ucsim/, bench/, .ci/, .github/, hacking/). TAG is the
# ansible-core version of VENV when VENV is not .venv, so that matrix runs do not share a copy.
#
# It also
# * turns the copy into a throw-away git repository (git init, nothing added): ansible-test lists content
#   with `git ls-files --others --exclude-standard` from the nearest .git, and without one it would find the
#   project's own repository, in which .build/ is ignored, and so see no files at all;
# * puts an offline stand-in for ansible-test's pip bootstrap script in ~/.ansible/test/cache when it is
#   missing (ansible-test would download it from a host this machine cannot reach);
# * puts every Python that ansible-test supports and that really runs first on PATH, and drops pyenv's
#   shims from PATH (a shim for a Python that is not activated exists but fails);
# * puts VENV's ucsim on PATH: the integration targets (tests/integration/targets/*/runme.sh) start it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=$(realpath -m "${VENV:-$ROOT/.venv}")
ANSIBLE_TEST=$VENV/bin/ansible-test

[ -x "$ANSIBLE_TEST" ] || { echo "ansible_test.sh: $ANSIBLE_TEST missing: run make venv (or make matrix-venvs)" >&2; exit 1; }

TAG=
if [ "$(realpath -m "$VENV")" != "$(realpath -m "$ROOT/.venv")" ]; then
    TAG=-$("$VENV/bin/python" -c 'from ansible.release import __version__ as v; print(v)')
fi
WORK=$ROOT/.build/ansible-test$TAG
DEST=$WORK/ansible_collections/collab/uc

# One ansible-test run at a time per copy: the lock is held until ansible-test exits.
mkdir -p "$ROOT/.build"
exec 9>"$ROOT/.build/ansible-test$TAG.lock"
if ! flock -n 9; then
    echo "ansible_test.sh: another ansible-test run uses $DEST; waiting for it" >&2
    flock 9
fi

# Sanity runs with no ignore entries at all.
if [ "${1:-}" = sanity ]; then
    for f in tests/sanity/ignore-*.txt; do
        [ -f "$f" ] || continue
        if grep -qvE '^[[:space:]]*(#|$)' "$f"; then
            echo "ansible_test.sh: FAIL: $f has entries; fix the code instead of ignoring sanity errors" >&2
            exit 1
        fi
    done
fi

# --- 1. the copy ------------------------------------------------------------------------------------------
# ansible-test's own virtual environments (tests/output/.tmp/delegation, made for --venv, reused when their marker is
# there) outlive the copy: without them every sanity, units and integration run would build them again.
KEEP=$WORK/delegation.keep
rm -rf "$KEEP"
if [ -d "$DEST/tests/output/.tmp/delegation" ]; then mv "$DEST/tests/output/.tmp/delegation" "$KEEP"; fi
rm -rf "$DEST"
mkdir -p "$DEST"
git ls-files -z -co --exclude-standard \
    | { grep -zvE '^(ucsim|bench|\.ci|\.github|hacking|tests/output)(/|$)' || true; } \
    | while IFS= read -r -d '' f; do
          [ -f "$f" ] && printf '%s\0' "$f"   # tracked but deleted in the work tree: skip
      done \
    | tar --null -T - -cf - | tar -xf - -C "$DEST"
git -C "$DEST" init -q
if [ -d "$KEEP" ]; then mkdir -p "$DEST/tests/output/.tmp" && mv "$KEEP" "$DEST/tests/output/.tmp/delegation"; fi
# PYTEST_MARKEXPR (make matrix): the integration targets run only the pytest tests that match it (run_pytest.sh)
if [ -n "${PYTEST_MARKEXPR:-}" ]; then
    printf '%s\n' "$PYTEST_MARKEXPR" >"$DEST/tests/integration/.markexpr"
fi
echo "ansible_test.sh: $(git -C "$DEST" ls-files -co --exclude-standard | wc -l) files copied to $DEST"

# --- 2. the pip bootstrap stand-in ---------------------------------------------------------------------------
ANSIBLE_TEST_PY=$("$VENV/bin/python" -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')
pip_version=$(sed -n "s/^ *pip='\([0-9.]*\)',.*/\1/p" "$ANSIBLE_TEST_PY/_internal/python_requirements.py" | head -1)
[ -n "$pip_version" ] || { echo "ansible_test.sh: cannot find ansible-test's pip version" >&2; exit 1; }
get_pip=$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py
if [ ! -f "$get_pip" ]; then
    mkdir -p "$(dirname "$get_pip")"
    cp hacking/get_pip_standin.py "$get_pip"
    echo "ansible_test.sh: installed the pip bootstrap stand-in as $get_pip"
fi

# --- 3. the Pythons ----------------------------------------------------------------------------------------
PYBIN=$WORK/pybin
rm -rf "$PYBIN"
mkdir -p "$PYBIN"
clean_path=$(printf '%s' "$PATH" | tr ':' '\n' | grep -v '/shims$' | paste -sd: -)
versions=${ANSIBLE_TEST_PYTHONS:-$("$VENV/bin/python" -c 'from ansible_test._internal.constants import SUPPORTED_PYTHON_VERSIONS as v; print(" ".join(v))')}
found=()
for v in $versions; do
    for cand in $(PATH=$clean_path command -v "python$v" 2>/dev/null) \
                "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$v".*/bin/"python$v"; do
        if [ -x "$cand" ] && "$cand" -c 'import venv' >/dev/null 2>&1; then
            ln -sf "$cand" "$PYBIN/python$v"
            found+=("$v")
            break
        fi
    done
done
echo "ansible_test.sh: Pythons for ansible-test: ${found[*]:-none}"
if [ -x "$VENV/bin/ucsim" ]; then ln -sf "$VENV/bin/ucsim" "$PYBIN/ucsim"; fi
export PATH=$VENV/bin:$PYBIN:$clean_path

# --- 4. run ------------------------------------------------------------------------------------------------
cd "$DEST"
# pip's complaints about the machine's extra (file://) package indexes are noise: leave them out.
set +e
"$ANSIBLE_TEST" "$@" 2>&1 | grep --line-buffered -v "is ignored: it is neither a file nor a directory"
exit "${PIPESTATUS[0]}"
