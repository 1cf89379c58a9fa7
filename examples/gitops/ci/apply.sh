#!/usr/bin/env bash
# Merge to the default branch: bring every system to the state in Git. Writes apply.md and apply.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export COLLAB_UC_GITOPS_SUMMARY="${COLLAB_UC_GITOPS_SUMMARY:-$PWD/apply.md}"
export COLLAB_UC_GITOPS_SUMMARY_JSON="${COLLAB_UC_GITOPS_SUMMARY_JSON:-$PWD/apply.json}"
exec ansible-playbook collab.uc.oauth_enable --diff "$@"
