#!/usr/bin/env bash
# Run the molecule scenarios (extensions/molecule/*) from a clean clone: fill .venv if needed, build and install
# the collection into .build/collections, then `molecule test` with that collection and the simulator of .venv.
#   hacking/molecule.sh [molecule test options, e.g. -s oauth_refresh_login]   (default: --all)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
hacking/venv.sh
hacking/build.sh
export PATH="$ROOT/.venv/bin:$PATH"
export ANSIBLE_COLLECTIONS_PATH="$ROOT/.build/collections"
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
export COLLAB_UC_UCSIM="$ROOT/.venv/bin/ucsim"
# molecule keeps each scenario's ephemeral directory (the simulator's state and exports, the rotation's state and
# lock) under $ANSIBLE_HOME/tmp, named by the checkout's directory name only: two checkouts named alike (two clones
# running `make test` side by side) would share them, and each would stop the other's simulator. One per checkout.
export ANSIBLE_HOME="$ROOT/.build/molecule/ansible-home"
export ANSIBLE_NOCOLOR=1 NO_COLOR=1
export MOLECULE_NO_LOG=false
if [ "$#" -eq 0 ]; then
    set -- --all
fi
exec "$ROOT/.venv/bin/molecule" test "$@"
