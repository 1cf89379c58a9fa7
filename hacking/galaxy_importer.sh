#!/usr/bin/env bash
# make galaxy-importer: what Galaxy and Automation Hub run on an uploaded collection, on the artifact of
# `make build`: galaxy-importer (PyPI) with ansible-doc and ansible-lint on, offline, no container engine
# (configuration: hacking/galaxy-importer.cfg). Fails on any error, and on any warning the importer logs
# (ansible-lint findings and ansible-doc failures are logged as warnings): zero of either is the bar.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
shopt -s nullglob
artifacts=("$ROOT"/.build/collab-uc-*.tar.gz)
[ "${#artifacts[@]}" -eq 1 ] || { echo "galaxy-importer: expected one .build/collab-uc-*.tar.gz (run make build)" >&2; exit 1; }
OUT=$ROOT/.build/galaxy-importer
rm -rf "$OUT"
mkdir -p "$OUT/tmp"

rc=0
# the importer writes importer_result.json into the working directory; ansible-lint must come from the venv
(cd "$OUT" && PATH=$BIN:$PATH GALAXY_IMPORTER_CONFIG=$ROOT/hacking/galaxy-importer.cfg \
    GALAXY_IMPORTER_TMP_ROOT_DIR=$OUT/tmp GALAXY_IMPORTER_ANSIBLE_LOCAL_TMP=$OUT/tmp \
    "$BIN/python" -m galaxy_importer.main "${artifacts[0]}") 2>&1 | tee "$OUT/importer.log" || rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
    echo "galaxy-importer: FAIL: the importer exited $rc" >&2
    exit 1
fi
if grep -E '^(ERROR|WARNING|CRITICAL)' "$OUT/importer.log" >&2; then
    echo "galaxy-importer: FAIL: the importer logged the errors or warnings above" >&2
    exit 1
fi
grep -q '^Importer processing completed successfully' "$OUT/importer.log" || {
    echo "galaxy-importer: FAIL: the importer did not report success" >&2; exit 1; }
"$BIN/python" - "$OUT/importer_result.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
contents = result["contents"]
names = sorted("%s:%s" % (c["content_type"], c["name"]) for c in contents)
print("galaxy-importer: OK: %s, requires_ansible %s, %d contents: %s" % (
    result["metadata"]["version"], result["requires_ansible"], len(contents), ", ".join(names)))
PY
