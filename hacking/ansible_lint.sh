#!/usr/bin/env bash
# make ansible-lint: ansible-lint --profile production on the work tree (configuration: .ansible-lint, strict, no
# rule skipped), with the collection `make build` installed so that collab.uc's modules and roles resolve.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
[ -f "$ROOT/.build/collections/ansible_collections/collab/uc/MANIFEST.json" ] || {
    echo "ansible-lint: collab.uc is not installed in .build/collections: run make build" >&2; exit 1; }
export PATH=$ROOT/.venv/bin:$PATH ANSIBLE_COLLECTIONS_PATH=$ROOT/.build/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
exec "$ROOT/.venv/bin/ansible-lint" --nocolor --profile production
