#!/usr/bin/env python3
"""Benchmark: a rolling restart of one service (Cisco CallManager) across a 6-node cluster (a publisher and five
subscribers) whose service takes T seconds to restart, with the role collab.uc.rolling_restart, one node at a
time and in batches of two.

Targets (issue 9): batch 1 within 1.15 x 6T, batch 2 within 1.15 x 3T (the limits are 6T and 3T: every node is
down T); at most one Serviceability poll every 2 s per node (the simulator refuses a request to a node that comes
sooner than 1.9 s after the last one of the same operation it answered, and this benchmark counts the refusals
and the smallest gap it saw between two status reads of one node; the control request follows the status read it
was decided on at once). Writes the figures into bench/README.md between the markers of this benchmark.

    .venv/bin/python bench/bench_rolling_restart.py [--restart-s 20 60] [--no-readme]

Needs the collection built and installed (`make build`) and ucsim installed (`make venv`).
"""

import argparse
import collections
import os
import platform
import sys
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
      - {name: six-sub5, role: subscriber}
    services: {restart_s: %(t)s, min_poll_interval_s: 1.9}
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
"""

PLAY = """
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  module_defaults:
    group/collab.uc.cucm:
      host: "%(host)s"
      port: %(port)d
      username: axladmin
      password: "C1sco12345!"
      ca_path: "%(ca)s"
  roles:
    - role: collab.uc.rolling_restart
      rolling_restart_batch_size: %(batch)d
      rolling_restart_timeout: %(timeout)d
"""


def run(sim, batch, t):
    sim.reset(state=True)
    system = sim.system("six")
    host = system["address"]
    playbook = PLAY % {"host": host, "port": system["port"], "ca": sim.ca, "batch": batch, "timeout": int(4 * t)}
    started = time.monotonic()
    res = helpers.run_playbook(playbook, timeout=40 * t + 600)
    wall = time.monotonic() - started
    if res.rc != 0:
        raise SystemExit("the roll failed:\n%s" % res.describe())
    nodes = sim.state("six")["services"]["nodes"]
    spans = {n: s["Cisco CallManager"]["history"] for n, s in nodes.items()}
    assert all(len(h) == 1 for h in spans.values()), spans
    first = min(h[0]["requested"] for h in spans.values())
    last = max(h[0]["started"] for h in spans.values())
    log = [r for r in sim.get_requests() if r["path"].startswith("/controlcenterservice2/")]
    by_node = collections.defaultdict(list)
    for r in log:
        if r["operation"] == "soapGetServiceStatus":
            by_node[r["node"]].append(r["time"])
    gaps = [b - a for times in by_node.values() for a, b in zip(times, times[1:])]
    refused = sum(1 for r in log if r["status"] != 200)
    restarts = {n: c["service_restarts"].get("Cisco CallManager", 0) for n, c in sim.get_counters()["nodes"].items()}
    return {"wall": wall, "roll": last - first, "requests": len(log), "min_gap": min(gaps) if gaps else None,
            "refused": refused, "restarts": restarts}


LOAD = "?"


def main():
    global LOAD
    LOAD = " ".join("%.2f" % v for v in os.getloadavg())
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--restart-s", type=float, nargs="+", default=[20.0, 60.0],
                    help="T: seconds a restart takes; one roll of each batch size per value (default 20 60)")
    ap.add_argument("--no-readme", action="store_true", help="print the figures only")
    args = ap.parse_args()
    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    rows = []
    for t in args.restart_s:
        with helpers.Simulator.start(lab=LAB % {"t": t}, quiet=True) as sim:
            one = run(sim, 1, t)
            two = run(sim, 2, t)
        for label, r, batches in (("batch 1", one, 6), ("batch 2", two, 3)):
            limit = 1.15 * batches * t
            rows.append("| %g s | %s | %.1f s | %.1f s | %.2f x %dT | %.1f s: %s | %.1f s | %d | %.2f s | %d | %s |" % (
                t, label, r["wall"], r["roll"], r["wall"] / (batches * t), batches, limit,
                "met" if r["wall"] <= limit else "NOT met", (r["wall"] - batches * t) / batches, r["requests"],
                r["min_gap"], r["refused"], "yes" if set(r["restarts"].values()) == {1} else "NO: %s" % r["restarts"]))
    body = "\n".join([
        "Measured %s on %s, Python %s, %d cores, load average %s at the start (the machine is shared); 6 nodes "
        "(a publisher, five subscribers); T is the simulated restart time of Cisco CallManager."
        % (time.strftime("%Y-%m-%d"), platform.machine(), platform.python_version(), os.cpu_count() or 0,
           LOAD),
        "",
        "| T | roll | playbook wall time | first restart to last node back | wall / ideal | target (1.15 x ideal) "
        "| cost per batch beyond T | Serviceability requests | smallest gap between polls of a node | refused for the rate "
        "| each node restarted once |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ] + rows + [
        "",
        "The ideal is every node down T, one batch after the other (6T, 3T). The rest does not grow with T: the "
        "playbook's start and the node listing (about 2 s, once), and per batch the module's start and its status "
        "read (the control request follows it at once), 0 to 2 s until the 2 s polling step notices the node is "
        "back (the simulator's T is a multiple of 2 s, so a poll lands on the very moment it is back and sees it "
        "or not), and for a batch of several nodes their jobs and the job check (every 0.5 s). A batch of one node "
        "runs without a job. The simulator refuses a request to a node sooner than 1.9 s after the last one of "
        "the same operation it answered (the column \"refused\").",
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_rolling_restart.py --restart-s %s` (or `make bench`)."
        % " ".join("%g" % t for t in args.restart_s),
    ])
    print(body)
    if not args.no_readme:
        update_section(HERE / "README.md", "bench_rolling_restart", "Rolling restart of one service, 6 nodes", body)


if __name__ == "__main__":
    main()
