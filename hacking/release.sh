#!/usr/bin/env bash
# make release VERSION=X.Y.Z: release the collection with antsibull-changelog.
#
# Sets `version:` in galaxy.yml (the one place it is changed: never by hand), then `antsibull-changelog release`
# turns the fragments in changelogs/fragments/ into a release in changelogs/changelog.yaml (new modules, roles and
# playbooks are found by ansible-doc), removes those fragments, and regenerates CHANGELOG.rst. Add a fragment
# with a `release_summary:` first. Fragments added later (other branches) go into the next release.
# Commit the result, then tag it (git tag X.Y.Z) and publish the artifact of `make build`.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$PWD/.venv/bin
new=${1:?usage: hacking/release.sh X.Y.Z}
old=$(sed -n 's/^version: *//p' galaxy.yml)

"$BIN/python" - "$old" "$new" <<'PY'
import re, sys
old, new = sys.argv[1:]
semver = re.compile(r'^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$')
if not semver.match(new):
    sys.exit('release: %s is not a semantic version X.Y.Z' % new)
def key(v):
    return tuple(int(p) for p in v.split('-')[0].split('.'))
released = open('changelogs/changelog.yaml', encoding='utf-8').read()
if re.search(r'^  %s:$' % re.escape(new), released, re.M):
    sys.exit('release: %s is already released (changelogs/changelog.yaml)' % new)
if key(new) < key(old):
    sys.exit('release: %s is older than the current %s' % (new, old))
PY
if ! ls changelogs/fragments/*.yml >/dev/null 2>&1; then
    echo "release: no changelog fragment in changelogs/fragments: nothing to release" >&2
    exit 1
fi
"$BIN/antsibull-changelog" lint

sed -i "s/^version: .*/version: $new/" galaxy.yml
# ansible-doc must see this work tree's collection: antsibull-changelog finds plugins through the built copy
hacking/build.sh >/dev/null
ANSIBLE_COLLECTIONS_PATH=$PWD/.build/collections "$BIN/antsibull-changelog" release --reload-plugins \
    --ansible-doc-bin "$BIN/ansible-doc" --use-ansible-doc
"$BIN/antsibull-changelog" lint-changelog-yaml changelogs/changelog.yaml
hacking/build.sh >/dev/null
echo "release: collab.uc $new: galaxy.yml, changelogs/changelog.yaml and CHANGELOG.rst updated; commit and tag $new"
