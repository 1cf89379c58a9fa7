#!/usr/bin/env bash
# make ee: the execution environment, without a container engine.
#  1. `ansible-builder introspect` on the collection `make build` installed: meta/execution-environment.yml is
#     found and yields the Python (requirements.txt: paramiko) and system (bindep.txt) needs;
#  2. `ansible-builder create` on the shipped example docs/aap/execution-environment.yml writes a build context
#     (.build/ee/context), which is checked: the Containerfile starts from the example's base image, installs
#     ansible-core and the collection from the context's requirements.yml, and runs the introspection that pulls
#     in the collection's needs.
# Building the image itself (`ansible-builder build`) needs podman or docker and network access: not run here.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
OUT=$ROOT/.build/ee
[ -f "$ROOT/.build/collections/ansible_collections/collab/uc/MANIFEST.json" ] || {
    echo "ee: collab.uc is not installed in .build/collections: run make build" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"

fail() { echo "ee: FAIL: $*" >&2; exit 1; }

"$BIN/ansible-builder" introspect "$ROOT/.build/collections" --write-pip "$OUT/requirements.txt" \
    --write-bindep "$OUT/bindep.txt" >"$OUT/introspect.log"
cat "$OUT/introspect.log"
grep -q '^paramiko.*# from collection collab.uc$' "$OUT/requirements.txt" \
    || fail "introspection does not list paramiko from collab.uc (meta/execution-environment.yml, requirements.txt)"
grep -q '^ca-certificates .*# from collection collab.uc$' "$OUT/bindep.txt" \
    || fail "introspection does not list the system needs of collab.uc (bindep.txt)"

"$BIN/ansible-builder" create -f docs/aap/execution-environment.yml -c "$OUT/context" --output-filename Containerfile
cf=$OUT/context/Containerfile
[ -f "$cf" ] || fail "no Containerfile in $OUT/context"
base=$("$BIN/python" -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["images"]["base_image"]["name"])' \
       docs/aap/execution-environment.yml)
grep -qF "ARG EE_BASE_IMAGE=\"$base\"" "$cf" || fail "the Containerfile does not start from $base"
grep -q 'ansible-core>=2.16.0' "$cf" || fail "the Containerfile does not install ansible-core"
grep -q 'ansible-galaxy collection install .*-r requirements.yml' "$cf" || fail "the Containerfile installs no collection"
grep -q 'introspect.py introspect' "$cf" || fail "the Containerfile does not introspect the collections' needs"
"$BIN/python" - "$OUT/context/_build/requirements.yml" <<'PY'
import sys, yaml
names = [c["name"] for c in yaml.safe_load(open(sys.argv[1]))["collections"]]
if "collab.uc" not in names:
    sys.exit("ee: FAIL: the build context's requirements.yml lists %s, not collab.uc" % names)
PY
echo "ee: OK: introspection finds collab.uc's needs; build context for $base in $OUT/context (Containerfile checked)"
