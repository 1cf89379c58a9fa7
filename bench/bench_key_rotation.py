#!/usr/bin/env python3
"""Benchmark: an AuthZ key rotation (playbook collab.uc.authz_key_rotate) of a 6-node cluster - a publisher, four
subscribers and an IM and Presence node - whose services take T seconds to restart, with one Unity Connection
AuthZ server pointing at it; one node at a time, and in batches of two.

Target (issue 10): within 1.15 x the limit the batch size sets. The services of one node restart together (one
Serviceability request; Cisco CallManager on the CUCM nodes, Cisco XCP Authentication Service on the IM and
Presence node), the CUCM nodes in one roll and the IM and Presence node in the next, so the limit is
(ceil(5 / batch) + 1) x T: 6T for batch 1, 4T for batch 2. The rest (the preflight, the regeneration, the node
listing of each roll, the key sync, the verification and the report) does not grow with T. Writes the figures
into bench/README.md between the markers of this benchmark.

    .venv/bin/python bench/bench_key_rotation.py [--restart-s 40] [--batches 1 2] [--no-readme]

Needs the collection built and installed (`make build`) and ucsim installed (`make venv`).
"""

import argparse
import json
import math
import os
import platform
import shlex
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import helpers  # noqa: E402  (the integration tests' simulator and ansible-playbook helpers)
from readme import update_section  # noqa: E402

LAB = """
cucm:
  - name: six
    nodes:
      - {name: six-pub, role: publisher}
      - {name: six-sub1, role: subscriber}
      - {name: six-sub2, role: subscriber}
      - {name: six-sub3, role: subscriber}
      - {name: six-sub4, role: subscriber}
      - {name: six-imp, role: im_presence}
    services: {restart_s: %(t)s, min_poll_interval_s: 1.9}
    platform:
      admins:
        - {userid: osadmin, password: "Pl4tform-Adm1n!"}
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
cuc:
  - name: cuc
    users:
      - {userid: cucadmin, password: "C1sco12345!", roles: [admin]}
"""
SERVICES = {"cucm": ["Cisco CallManager"], "im_presence": ["Cisco XCP Authentication Service"]}
PLAYBOOK = "- ansible.builtin.import_playbook: collab.uc.authz_key_rotate\n"


def inventory(sim, state_dir, batch, t):
    system = sim.system("six")
    pub = system["nodes"][0]
    cuc = sim.system("cuc")
    cluster = {"ansible_host": pub["address"], "cucm_port": system["port"], "cucm_username": "axladmin",
               "cucm_password": "C1sco12345!", "cucm_ca_path": sim.ca, "cucm_ssh_port": pub["ports"]["ssh"],
               "cucm_ssh_username": "osadmin", "cucm_ssh_password": "Pl4tform-Adm1n!",
               "cucm_ssh_known_hosts": str(sim.known_hosts), "oauth_refresh_login_authz_password": "C1sco12345!"}
    connection = {"ansible_host": cuc["address"], "cuc_port": cuc["port"], "cuc_username": "cucadmin",
                  "cuc_password": "C1sco12345!", "cuc_ca_path": sim.ca, "oauth_refresh_login_serves": ["six"]}

    def line(name, values):
        return " ".join([name] + [shlex.quote("%s=%s" % (k, v if isinstance(v, str) else json.dumps(v)))
                                  for k, v in values.items()])

    return "\n".join([
        "[all:vars]", "ansible_connection=local", "ansible_python_interpreter=%s" % sys.executable,
        "authz_key_rotation_state_dir=%s" % state_dir, "authz_key_rotation_services=%s" % json.dumps(SERVICES),
        "authz_key_rotation_batch_size=%d" % batch, "authz_key_rotation_restart_timeout=%d" % int(4 * t + 60),
        "", "[cucm_clusters]", line("six", cluster), "", "[cuc_systems]", line("cuc", connection), ""])


def run(sim, batch, t):
    sim.reset(state=True)
    system = sim.system("six")
    sim.set_state({"cuc": {"authz_servers": [{"DisplayName": "six", "ServerNodeAddress": system["address"],
                                              "Port": system["port"], "ServerUsername": "axladmin",
                                              "ServerPassword": "C1sco12345!"}]}})
    sim.reset(state=False)
    state_dir = tempfile.mkdtemp(prefix="bench-key-rotation-")
    load = os.getloadavg()
    started = time.monotonic()
    res = helpers.run_playbook(PLAYBOOK, inventory=inventory(sim, state_dir, batch, t), timeout=40 * t + 900)
    wall = time.monotonic() - started
    load_after = os.getloadavg()
    if res.rc != 0:
        raise SystemExit("the rotation failed:\n%s" % res.describe())
    state = sim.state("six")
    assert state["platform"]["authz_key_regenerations"] == {"signing": 1, "encryption": 1}, state["platform"]
    spans = []
    for node, services in state["services"]["nodes"].items():
        for name in SERVICES["im_presence" if node == "six-imp" else "cucm"]:
            history = services[name]["history"]
            assert len(history) == 1, (node, name, history)
            spans.append((history[0]["requested"], history[0]["started"]))
    first = min(s[0] for s in spans)
    last = max(s[1] for s in spans)
    [server] = sim.state("cuc")["authz_servers"]
    assert server["keys_current"] is True, server
    return {"wall": wall, "roll": last - first, "load": (load[0], load_after[0])}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--restart-s", type=float, nargs="+", default=[40.0],
                    help="T: seconds a restart takes; one rotation per batch size per value (default 40)")
    ap.add_argument("--batches", type=int, nargs="+", default=[1, 2], help="batch sizes (default 1 2)")
    ap.add_argument("--no-readme", action="store_true", help="print the figures only")
    args = ap.parse_args()
    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    rows = []
    for t in args.restart_s:
        with tempfile.TemporaryDirectory() as tmp:
            lab = Path(tmp) / "lab.yml"
            lab.write_text(LAB % {"t": t})
            with helpers.Simulator.start(lab=str(lab), quiet=True) as sim:
                for batch in args.batches:
                    r = run(sim, batch, t)
                    slots = math.ceil(5 / batch) + 1
                    ideal = slots * t
                    limit = 1.15 * ideal
                    rows.append("| %g s | %d | %.1f s | %.1f s | %dT = %.0f s | %.2f x | %.1f s: %s | %.1f s | %.2f -> %.2f |"
                                % (t, batch, r["wall"], r["roll"], slots, ideal, r["wall"] / ideal, limit,
                                   "met" if r["wall"] <= limit else "NOT met", r["wall"] - ideal,
                                   r["load"][0], r["load"][1]))
                    print(rows[-1], flush=True)
    body = "\n".join([
        "Measured %s on %s, Python %s, %d cores shared with other jobs (the load average before and after each "
        "run is in the table); a 6-node cluster (a publisher, four subscribers, an IM and Presence node) whose "
        "services take T to restart, one Unity Connection AuthZ server." % (
            time.strftime("%Y-%m-%d"), platform.machine(), platform.python_version(), os.cpu_count() or 0),
        "",
        "| T | batch | playbook wall time | first restart asked to last node back | limit | wall / limit "
        "| target (1.15 x limit) | cost beyond the limit | load average (1 min) |",
        "|---|---|---|---|---|---|---|---|---|",
    ] + rows + [
        "",
        "Every run: each key regenerated once, each node's service restarted once (checked in the simulator's "
        "state), the AuthZ server synced after the restarts. The limit is the time the nodes must be down, one "
        "batch after the other: the CUCM roll (five nodes, ceil(5 / batch) batches) and then the IM and Presence "
        "roll (one node), T each. The cost beyond it does not grow with T: the preflight (node list, key checksums "
        "over SSH, Connection's AuthZ servers), the regeneration, per roll the node listing and its checks, per "
        "batch a module start, the status read and the restart, the 2 s polling step and, for a batch of several "
        "nodes, the job checks (see the rolling restart above), then the key sync, the verification reads and the report. So the target "
        "is met once T is long enough for that cost to fit in 15 % of the limit; a real Cisco CallManager takes "
        "minutes to restart.",
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_key_rotation.py --restart-s %s --batches %s` "
        "(or `make bench`)." % (" ".join("%g" % t for t in args.restart_s), " ".join(str(b) for b in args.batches)),
    ])
    print(body)
    if not args.no_readme:
        update_section(HERE / "README.md", "bench_key_rotation", "AuthZ key rotation, 6 nodes", body)


if __name__ == "__main__":
    main()
