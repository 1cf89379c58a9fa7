#!/usr/bin/env bash
# make demo: start the simulator (default lab) on a free port, run playbooks/enable_oauth_refresh_login.yml
# twice with the connection in CUCM_* environment variables only, and check that the first run changed
# something and the second did not. The simulator is stopped however the demo ends.
# Expects `make build` to have installed the collection into .build/collections.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
DEMO=$ROOT/.build/demo
PLAYBOOK=playbooks/enable_oauth_refresh_login.yml

rm -rf "$DEMO"
mkdir -p "$DEMO/state"

PYTHONUNBUFFERED=1 "$BIN/ucsim" serve --listen 127.0.0.1:0 --state-dir "$DEMO/state" \
    >"$DEMO/ucsim.out" 2>"$DEMO/ucsim.log" </dev/null &
sim_pid=$!
stop_sim() {
    if kill -0 "$sim_pid" 2>/dev/null; then
        kill -TERM "$sim_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$sim_pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$sim_pid" 2>/dev/null || true
    fi
    wait "$sim_pid" 2>/dev/null || true
}
trap stop_sim EXIT

ready=
for _ in $(seq 600); do   # 60 s
    ready=$(grep -m1 '^ready ' "$DEMO/ucsim.out" || true)
    [ -n "$ready" ] && break
    kill -0 "$sim_pid" 2>/dev/null || break
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "demo: FAIL: the simulator did not get ready; its log:" >&2
    tail -40 "$DEMO/ucsim.log" >&2
    exit 1
fi
# ready https://127.0.0.1:PORT ca=PATH
url=$(awk '{print $2}' <<<"$ready")
port=${url##*:}
ca=$(sed -n 's/.* ca=//p' <<<"$ready")
echo "demo: simulator ready at $url (ca=$ca, pid $sim_pid)"

export CUCM_HOST=127.0.0.1 CUCM_PORT=$port CUCM_USERNAME=axladmin CUCM_PASSWORD='C1sco12345!' CUCM_CA_PATH=$ca
export ANSIBLE_COLLECTIONS_PATH=$ROOT/.build/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
export ANSIBLE_LOCALHOST_WARNING=False ANSIBLE_INVENTORY_UNPARSED_WARNING=False ANSIBLE_RETRY_FILES_ENABLED=False

recap_of() {  # the "changed=N failed=N" of localhost in a run's PLAY RECAP
    sed -n 's/^localhost *: .*changed=\([0-9]*\).*failed=\([0-9]*\).*/changed=\1 failed=\2/p' "$1" | tail -1
}

declare -A recap=()
for run in 1 2; do
    echo
    echo "demo: run $run: ansible-playbook $PLAYBOOK"
    rc=0
    "$BIN/ansible-playbook" "$PLAYBOOK" </dev/null 2>&1 | tee "$DEMO/run$run.log" || rc=$?
    [ "$rc" -eq 0 ] || { echo "demo: FAIL: run $run exited $rc" >&2; exit 1; }
    recap[$run]=$(recap_of "$DEMO/run$run.log")
done

echo
echo "demo: run 1: ${recap[1]} (expected changed=1 failed=0)"
echo "demo: run 2: ${recap[2]} (expected changed=0 failed=0)"
if [ "${recap[1]}" != "changed=1 failed=0" ] || [ "${recap[2]}" != "changed=0 failed=0" ]; then
    echo "demo: FAIL: the first run must change the cluster and the second must find nothing to change" >&2
    exit 1
fi
if grep -q -- "$CUCM_PASSWORD" "$DEMO"/run*.log; then
    echo "demo: FAIL: the password appears in the playbook output" >&2
    exit 1
fi
echo "demo: OK: first run changed, second run ok (idempotent); the simulator is stopped on exit"
