#!/usr/bin/env bash
# Merge request: what the merge would change, per system, without writing anything.
# Writes plan.md (Markdown for the merge request) and plan.json; fails only if the plan cannot be made.
set -euo pipefail
cd "$(dirname "$0")/.."
export COLLAB_UC_GITOPS_SUMMARY="${COLLAB_UC_GITOPS_SUMMARY:-$PWD/plan.md}"
export COLLAB_UC_GITOPS_SUMMARY_JSON="${COLLAB_UC_GITOPS_SUMMARY_JSON:-$PWD/plan.json}"
exec ansible-playbook collab.uc.oauth_enable --check --diff "$@"
