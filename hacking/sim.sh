#!/usr/bin/env bash
# A lab in one command: start the simulator (ucsim) in the background with a shipped lab, wait until it listens,
# print what to export (hosts, ports, accounts, CA, known_hosts) and how to stop it.
#
#   hacking/sim.sh [LAB]        (make sim LAB=audit); LAB: default, cluster, multi, audit (ucsim labs), or a file
#   hacking/sim.sh stop [LAB]   (make sim-stop LAB=audit)
#
# State (CA, certificates, host keys, env.sh, log, pid) in $UCSIM_STATE_DIR, default .build/sim/LAB.
set -euo pipefail
cd "$(dirname "$0")/.."

action=start
if [ "${1:-}" = stop ]; then action=stop; shift; fi
LAB=${1:-${LAB:-default}}
STATE=${UCSIM_STATE_DIR:-$PWD/.build/sim/$(basename "$LAB" .yml)}
UCSIM=${UCSIM:-$PWD/.venv/bin/ucsim}

running() { [ -f "$STATE/pid" ] && kill -0 "$(cat "$STATE/pid")" 2>/dev/null; }

if [ "$action" = stop ]; then
    if running; then kill "$(cat "$STATE/pid")"; echo "sim: stopped the $LAB lab ($STATE)"; else echo "sim: no $LAB lab running"; fi
    rm -f "$STATE/pid"
    exit 0
fi

[ -x "$UCSIM" ] || { echo "sim: $UCSIM does not exist: run make venv first" >&2; exit 1; }
if running; then
    echo "sim: the $LAB lab already runs (pid $(cat "$STATE/pid")); make sim-stop LAB=$LAB stops it"
else
    mkdir -p "$STATE"
    rm -f "$STATE/env.sh"
    nohup "$UCSIM" serve --lab "$LAB" --listen 127.0.0.1:0 --state-dir "$STATE" --quiet \
        >"$STATE/ucsim.log" 2>&1 </dev/null &
    echo $! >"$STATE/pid"
    for _ in $(seq 1 300); do
        [ -f "$STATE/env.sh" ] && break
        running || { echo "sim: ucsim stopped:" >&2; cat "$STATE/ucsim.log" >&2; exit 1; }
        sleep 0.1
    done
    [ -f "$STATE/env.sh" ] || { echo "sim: ucsim did not start within 30 s ($STATE/ucsim.log)" >&2; exit 1; }
    echo "sim: the $LAB lab runs (pid $(cat "$STATE/pid"), log $STATE/ucsim.log)"
fi
echo "sim: export its hosts, ports, accounts, CA and known_hosts into your shell with:"
echo
echo "    . $STATE/env.sh"
echo
grep '^export' "$STATE/env.sh"
echo
echo "sim: the inventory of examples/lab/ reads them (ansible-playbook -i examples/lab/hosts.yml ...)."
echo "sim: stop it with: make sim-stop LAB=$LAB"
