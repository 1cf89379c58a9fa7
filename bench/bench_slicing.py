#!/usr/bin/env python3
"""Benchmark: the enablement (playbook collab.uc.oauth_enable) over CLUSTERS clusters as AWX job slicing runs it.

The lab: CLUSTERS CUCM clusters with refresh login off, and one Unity Connection system serving SERVED of them
(every SLICES-th cluster by name, so that each slice holds some and the Connection host is split from most of
them). From the same state, twice, under ansible-runner as AWX runs a job template:

1. one job over the whole inventory;
2. SLICES slice jobs side by side on the inventory as AWX slices it (hosts by name, dealt out in turn; each job
   with its own awx_job_id, oauth_refresh_login_slicing=slice), then the combine step (oauth_refresh_login_slicing=
   combine) with the slices' set_stats artifacts merged as AWX hands them to the next node of a workflow.

Checked (the targets): each cluster read once (one getCCMVersion, the reading pass) and planned once (in the
states of exactly one slice's artifact, and taken from there by the combine step); every system got the same
requests, per operation and outcome, as from the one job; the same state; the combined plan, summary and GitOps
summary (the gitops_summary callback's JSON and Markdown) equal to the one job's. Times are reported, not targets.

    .venv/bin/python bench/bench_slicing.py [--clusters 200] [--slices 4] [--served 8] [--forks 10] [--no-readme]

Needs `make build` and ucsim (`make venv`). Writes the figures into bench/README.md between its markers.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import helpers  # noqa: E402  (the integration tests' simulator)
import test_ansible_runner as awx  # noqa: E402  (ansible-runner as AWX runs a job, AWX's slicing, artifacts)
from readme import update_section  # noqa: E402

PASSWORD = "C1sco12345!"
PLAYBOOK = "oauth_enable.yml"
GATE = "Stop before any write if a system is not ready"  # the plan step's task


def lab(clusters):
    users = '[{userid: axladmin, password: "%s", roles: [axl]}]' % PASSWORD
    text = "sim:\n  log_max_entries: 400000\ncucm:\n"
    for i in range(1, clusters + 1):
        text += '  - {name: c%03d, version: "14.0.1.13900(155)", users: %s}\n' % (i, users)
    text += "cuc:\n  - {name: cuc, users: [{userid: cucadmin, password: \"%s\", roles: [admin]}]}\n" % PASSWORD
    return text


def inventory(sim, clusters, served):
    port = dict((s["name"], s["port"]) for s in sim.systems())
    names = ["c%03d" % i for i in range(1, clusters + 1)]
    lines = ["[all:vars]", "ansible_connection=local", "ansible_python_interpreter=%s" % sys.executable,
             "ansible_host=%s" % sim.host, "", "[cucm_clusters:vars]", "cucm_username=axladmin",
             "cucm_password=%s" % PASSWORD, "cucm_ca_path=%s" % sim.ca, "oauth_refresh_login_authz_username=axladmin",
             "oauth_refresh_login_authz_password=%s" % PASSWORD, "", "[cuc_systems:vars]", "cuc_username=cucadmin",
             "cuc_password=%s" % PASSWORD, "cuc_ca_path=%s" % sim.ca, "", "[cucm_clusters]"]
    lines += ["%s cucm_port=%d oauth_refresh_login_publisher_port=%d" % (n, port[n], port[n]) for n in names]
    lines += ["", "[cuc_systems]", "cuc cuc_port=%d oauth_refresh_login_serves=%s" % (port["cuc"], ",".join(served))]
    return "\n".join(lines) + "\n"


def summary_env(base):
    base.mkdir(parents=True, exist_ok=True)
    md, js, env = awx.summary_outputs(base)
    return md, js, env


def msg(runner, task):
    return [r["msg"] for r in awx.ok_events(runner, task).values()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=200)
    parser.add_argument("--slices", type=int, default=4)
    parser.add_argument("--served", type=int, default=8, help="clusters the Connection system serves")
    parser.add_argument("--forks", type=int, default=10, help="forks of each job")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    load_start = os.getloadavg()
    cmdline = "--diff --forks %d" % args.forks
    names = ["c%03d" % i for i in range(1, args.clusters + 1)]
    served = names[::args.slices][:args.served]
    with tempfile.TemporaryDirectory() as tmp_name, \
            helpers.Simulator.start(lab=lab(args.clusters), state_dir=Path(tmp_name) / "sim",
                                    extra_args=["--quiet"]) as sim:
        tmp = Path(tmp_name)
        inv = inventory(sim, args.clusters, served)

        # 1. one job ------------------------------------------------------------------------------------------------
        one_md, one_json, env = summary_env(tmp / "one")
        started = time.perf_counter()
        one = awx.run(tmp / "one", PLAYBOOK, inv, envvars=env, cmdline=cmdline)
        one_seconds = time.perf_counter() - started
        print("one job: %.1f s" % one_seconds, file=sys.stderr)
        one_state, one_work = awx.estate_state(sim), awx.work(sim)

        # 2. slices side by side, then the combine step ------------------------------------------------------------
        sim.reset(state=True)
        slices = awx.awx_slices(inv, args.slices)
        started = time.perf_counter()
        runners = awx.run_side_by_side(tmp / "sliced", PLAYBOOK, [i for i, _hosts in slices],
                                       extravars={"oauth_refresh_login_slicing": "slice"}, cmdline=cmdline)
        slices_seconds = time.perf_counter() - started
        print("slices: %.1f s" % slices_seconds, file=sys.stderr)
        if [r.status for r in runners] != ["successful"] * args.slices:
            raise SystemExit("a slice failed: %s" % [r.status for r in runners])
        merged = {}
        for runner in runners:
            merged.update(awx.artifacts(runner))
        md, js, env = summary_env(tmp / "sliced")
        started = time.perf_counter()
        combine = awx.run(tmp / "sliced" / "combine", PLAYBOOK, inv, envvars=env, cmdline=cmdline,
                          extravars=dict(merged, oauth_refresh_login_slicing="combine"))
        combine_seconds = time.perf_counter() - started
        state, work = awx.estate_state(sim), awx.work(sim)
        # the systems each job's reading pass read (the plan step's ``reads``)
        reads = {}
        for runner in runners + [combine]:
            for result in awx.ok_events(runner, GATE).values():
                for host in result["reads"]:
                    reads[host] = reads.get(host, 0) + 1
        [one_reads] = [r["reads"] for r in awx.ok_events(one, GATE).values()]

        planned = {}
        for output in merged.values():
            for host in output["states"]:
                planned[host] = planned.get(host, 0) + 1
        [combine_plan] = [r["slicing"] for r in awx.ok_events(combine, GATE).values()]
        read_once = all(reads.get(n) == 1 for n in names + ["cuc"]) and sorted(reads) == sorted(one_reads)
        planned_once = all(planned.get(n) == 1 for n in names) and sorted(combine_plan["done"]) == names
        same_work = work == one_work and state == one_state
        same_report = (msg(combine, "Show the plan") == msg(one, "Show the plan")
                       and msg(combine, "Print the summary") == msg(one, "Print the summary")
                       and json.loads(js.read_text()) == json.loads(one_json.read_text())
                       and md.read_text() == one_md.read_text())

    writes = sum(n for key, n in one_work.items() if key[2] == "write")
    sizes = sorted(len(hosts) for _inv, hosts in slices)
    load_end = os.getloadavg()

    def verdict(good):
        return "met" if good else "NOT met"

    lines = [
        "Measured %s on %s, Python %s, %d cores, load average %.1f %.1f %.1f at the start; no simulated latency. "
        "%d CUCM clusters with refresh login off and one Unity Connection system serving %d of them (%s: every "
        "%d-th by name, so each slice holds some and the Connection host is split from most), under ansible-runner; "
        "forks %d in every job." % (
            time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), platform.machine(), platform.python_version(),
            os.cpu_count(), *load_start, args.clusters, len(served), ", ".join(served), args.slices, args.forks),
        "",
        "| measurement | figure | target |",
        "|---|---|---|",
        "| one job over the whole inventory: wall time | %.1f s | |" % one_seconds,
        "| %d slices side by side (hosts per slice %s, AWX's split by name): wall time of the slowest | %.1f s | |"
        % (args.slices, "/".join(str(n) for n in sizes), slices_seconds),
        "| then the combine step (the Connection system, the run's plan, summary, GitOps summary): wall time | "
        "%.1f s | |" % combine_seconds,
        "| each system read once by a reading pass (the plan step's reads: each cluster by its slice, the "
        "Connection system by the combine step) | %s | once each: %s |"
        % ("%d of %d" % (sum(1 for n in names + ["cuc"] if reads.get(n) == 1), len(names) + 1), verdict(read_once)),
        "| each cluster planned once: in the states of one slice's artifact, taken from there by the combine step "
        "| %s | once each: %s |" % ("%d of %d" % (sum(1 for n in names if planned.get(n) == 1), args.clusters),
                                    verdict(planned_once)),
        "| the requests of every system (per operation, kind and status; %d writes) and the state of every system "
        "equal to the one job's | %s | equal: %s |" % (writes, "yes" if same_work else "NO", verdict(same_work)),
        "| the combined plan, summary and GitOps summary (JSON and Markdown) equal to the one job's | %s | equal: %s |"
        % ("yes" if same_report else "NO", verdict(same_report)),
        "",
        "Load average %.1f %.1f %.1f at the end (2 cores shared with other work: the times are the machine's, and "
        "the slices, meant for several execution nodes, share it here)." % load_end,
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_slicing.py` (`--help` lists the knobs).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        update_section(HERE / "README.md", "bench_slicing",
                       "The enablement in AWX job slices: %d clusters in %d slices (issue 22)"
                       % (args.clusters, args.slices), text)
    if not (read_once and planned_once and same_work and same_report):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
