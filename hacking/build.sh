#!/usr/bin/env bash
# make build: build the collection artifact into .build/ and install it into .build/collections
# (after writing the docsite's extra docs from docs/*.md: hacking/docsite_sources.py)
# (ANSIBLE_COLLECTIONS_PATH=.build/collections then finds collab.uc). One build at a time per work tree.
#
# Idempotent: the artifact is built into a temporary folder and replaces the one in .build/ (and is installed)
# only when its FILES.json (every file's checksum) differs from what is installed. So steps that run side by
# side (make test runs several at once) can each ask for a build without pulling the collection away from
# under a step that is using it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
COLLECTIONS=$ROOT/.build/collections
INSTALLED=$COLLECTIONS/ansible_collections/collab/uc
version=$(sed -n 's/^version: *//p' galaxy.yml)
artifact=$ROOT/.build/collab-uc-$version.tar.gz

mkdir -p .build
exec 9>.build/build.lock
flock 9

tmp=$(mktemp -d "$ROOT/.build/build.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# the docsite's extra docs (docs/docsite/rst, extra-docs.yml) are generated from docs/*.md and shipped
"$BIN/python" hacking/docsite_sources.py
"$BIN/ansible-galaxy" collection build --force --output-path "$tmp" . >/dev/null
new=$tmp/collab-uc-$version.tar.gz
files_json() { tar -xzOf "$1" FILES.json 2>/dev/null | sha256sum | cut -c1-64; }
if [ -f "$artifact" ] && [ -f "$INSTALLED/FILES.json" ] \
   && [ "$(files_json "$new")" = "$(files_json "$artifact")" ] \
   && [ "$(files_json "$new")" = "$(sha256sum <"$INSTALLED/FILES.json" | cut -c1-64)" ]; then
    echo "build: collab.uc $version in $COLLECTIONS is up to date with the tree"
    exit 0
fi
rm -f .build/collab-uc-*.tar.gz
mv "$new" "$artifact"
echo "Created collection for collab.uc at $artifact"
ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS \
    "$BIN/ansible-galaxy" collection install --offline --force -p "$COLLECTIONS" "$artifact" >/dev/null
echo "build: installed collab.uc $version into $COLLECTIONS (ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS)"
