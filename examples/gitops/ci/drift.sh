#!/usr/bin/env bash
# Schedule (nightly): fail, naming each system and setting, when a system differs from Git. Writes nothing on the
# systems (check mode); writes drift.md and drift.json.
set -euo pipefail
cd "$(dirname "$0")/.."
export COLLAB_UC_GITOPS_SUMMARY="${COLLAB_UC_GITOPS_SUMMARY:-$PWD/drift.md}"
export COLLAB_UC_GITOPS_SUMMARY_JSON="${COLLAB_UC_GITOPS_SUMMARY_JSON:-$PWD/drift.json}"
exec ansible-playbook collab.uc.oauth_enable --check --diff -e '{"oauth_refresh_login_fail_on_change": true}' "$@"
