#!/usr/bin/env bash
# make docs: the documentation gates, on the collection `make build` installed into .build/collections.
#  1. the extra docs generated from docs/*.md (hacking/docsite_sources.py) are up to date;
#  2. antsibull-docs lint-collection-docs --plugin-docs: module, role and playbook docs, extra docs, links.yml;
#  3. the docsite: antsibull-docs writes the RST (modules, roles, guides) into .build/docsite/rst, then
#     sphinx-build renders .build/docsite/build/html offline, every warning an error (nitpicky);
#  4. no dead relative link in anything that ships (hacking/check_links.py on the built artifact).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
export PATH=$BIN:$PATH ANSIBLE_COLLECTIONS_PATH=$ROOT/.build/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
INSTALLED=$ANSIBLE_COLLECTIONS_PATH/ansible_collections/collab/uc
SITE=$ROOT/.build/docsite
[ -f "$INSTALLED/MANIFEST.json" ] || { echo "docs: collab.uc is not installed in $ANSIBLE_COLLECTIONS_PATH: run make build" >&2; exit 1; }

"$BIN/python" hacking/docsite_sources.py --check

echo "docs: antsibull-docs lint-collection-docs --plugin-docs"
(cd "$INSTALLED" && "$BIN/antsibull-docs" lint-collection-docs --plugin-docs .)

echo "docs: antsibull-docs collection -> $SITE/rst"
rm -rf "$SITE"
mkdir -p "$SITE/rst"
chmod 700 "$SITE" "$SITE/rst"   # antsibull-docs wants its output directory writable by its owner only
"$BIN/antsibull-docs" --config-file hacking/docsite/antsibull-docs.cfg collection --use-current --squash-hierarchy \
    --fail-on-error --cleanup everything --dest-dir "$SITE/rst" collab.uc

echo "docs: sphinx-build (warnings are errors)"
"$BIN/python" hacking/docsite/inventory.py "$SITE/ansible_devel.inv"
export COLLAB_UC_ANSIBLE_INV=$SITE/ansible_devel.inv
"$BIN/sphinx-build" -M html "$SITE/rst" "$SITE/build" -c hacking/docsite -W --keep-going -q -n

"$BIN/python" hacking/check_links.py "$(ls "$ROOT"/.build/collab-uc-*.tar.gz)"
echo "docs: OK: lint clean, docsite built without warnings in $SITE/build/html/index.html, no dead relative links"
