#!/usr/bin/env bash
# ansible-test integration target guides: every marked block of the guides against the simulator.
# Thin on purpose: the checks are tests/integration/test_guides.py (pytest; it starts the simulator's labs and runs
# each block marked <!-- guide-test: NAME --> of README.md, docs/ and the role READMEs with bash against them).
set -euo pipefail
# ansible-test runs this from a temporary copy of the target; the suite runs from the collection under test.
root=${ANSIBLE_COLLECTIONS_PATH:?run me with ansible-test integration}
exec "${root%%:*}/ansible_collections/collab/uc/tests/integration/run_pytest.sh" test_guides.py "$@"
