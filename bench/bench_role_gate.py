#!/usr/bin/env python3
"""A/B benchmark of the end_role gate of collab.uc.oauth_refresh_login: a no-change run over 50 clusters (and one
Connection system serving all), with the built collection as it is and with a copy whose `tasks/leave.yml` is
`tasks/stay.yml` (every host stays in the role and skips the include of the writes host by host, as before
ansible-core 2.18), alternating so that the machine's load hits both alike; medians of the play times.

    .venv/bin/python bench/bench_role_gate.py [--rounds 4] [--clusters 50] [--forks 10]

Needs `make build` and ucsim (`make venv`). Prints the figures; bench/README.md records them by hand.
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_roles  # noqa: E402  (its lab, inventory and first run)
from bench_roles import helpers  # noqa: E402

ROLE = ("\n- name: %s\n  ansible.builtin.import_playbook: collab.uc.oauth_enable\n  vars:\n"
        "    oauth_enable_hosts: cucm_clusters:cuc-all\n    oauth_refresh_login_checklist: false\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--forks", type=int, default=10)
    args = parser.parse_args()
    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    built = helpers.collections_path()
    with tempfile.TemporaryDirectory() as tmp, \
            helpers.Simulator.start(lab=bench_roles.lab(args.clusters), state_dir=Path(tmp) / "sim",
                                    extra_args=["--quiet"]) as sim:
        ungated = Path(tmp) / "ungated"
        shutil.copytree(built, ungated)
        tasks = ungated / "ansible_collections" / "collab" / "uc" / "roles" / "oauth_refresh_login" / "tasks"
        shutil.copy(tasks / "stay.yml", tasks / "leave.yml")
        inv = bench_roles.inventory(sim, args.clusters)
        prime = bench_roles.playbook(sim, 1)[0]
        primed = helpers.run_playbook(prime, inventory=inv, env={"ANSIBLE_FORKS": str(args.forks)}, timeout=3600)
        if primed.rc != 0:
            raise SystemExit("the first run failed:\n%s" % primed.output)
        times = {"gate": [], "no gate": []}
        for rnd in range(args.rounds):
            for name, path in (("gate", built), ("no gate", ungated)):
                plays = Path(tmp) / ("plays-%d-%s.jsonl" % (rnd, name.replace(" ", "")))
                os.environ["COLLAB_UC_COLLECTIONS_PATH"] = str(path)
                result = helpers.run_playbook(ROLE % name, inventory=inv, timeout=3600, env={
                    "BENCH_PLAY_TIMINGS": str(plays), "ANSIBLE_FORKS": str(args.forks),
                    "ANSIBLE_CALLBACK_PLUGINS": "%s:%s" % (HERE / "callback_plugins", helpers.CALLBACK_DIR),
                    "ANSIBLE_CALLBACKS_ENABLED": "bench_play_timer,%s" % helpers.CALLBACK_NAME})
                if result.rc != 0 or result.changed:
                    raise SystemExit("the no-change run failed or changed something:\n%s" % result.output)
                times[name].append(json.loads(plays.read_text().splitlines()[0])["seconds"])
                print("round %d, %s: %.3f s (load average %.1f)" % (rnd + 1, name, times[name][-1],
                                                                    os.getloadavg()[0]), flush=True)
    gate, ungated_median = statistics.median(times["gate"]), statistics.median(times["no gate"])
    print("median play time, %d clusters: %.2f s with the gate, %.2f s without (%+.0f %%)"
          % (args.clusters, gate, ungated_median, 100.0 * (gate - ungated_median) / ungated_median))


if __name__ == "__main__":
    main()
