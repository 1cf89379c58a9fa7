#!/usr/bin/env bash
# make build: build the collection artifact into .build/ and install it into .build/collections
# (after writing the docsite's extra docs from docs/*.md: hacking/docsite_sources.py)
# (ANSIBLE_COLLECTIONS_PATH=.build/collections then finds collab.uc). One build at a time per work tree.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
COLLECTIONS=$ROOT/.build/collections
version=$(sed -n 's/^version: *//p' galaxy.yml)
artifact=$ROOT/.build/collab-uc-$version.tar.gz

mkdir -p .build
exec 9>.build/build.lock
flock 9

rm -f .build/collab-uc-*.tar.gz
# the docsite's extra docs (docs/docsite/rst, extra-docs.yml) are generated from docs/*.md and shipped
"$BIN/python" hacking/docsite_sources.py
"$BIN/ansible-galaxy" collection build --force --output-path .build .
ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS \
    "$BIN/ansible-galaxy" collection install --offline --force -p "$COLLECTIONS" "$artifact" >/dev/null
echo "build: installed collab.uc $version into $COLLECTIONS (ANSIBLE_COLLECTIONS_PATH=$COLLECTIONS)"
