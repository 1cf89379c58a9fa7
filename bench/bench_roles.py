#!/usr/bin/env python3
"""Benchmark: no-change runs of the role collab.uc.oauth_refresh_login (playbook collab.uc.oauth_enable).

1. One CUCM cluster with one Unity Connection system, against one `ansible.builtin.uri` task (a raw AXL
   getServiceParameter) in the same run: the role's play time over the uri task's time (target: at most 3x),
   and the HTTP requests and writes the simulator counts for one no-change run (targets: at most 4 per
   cluster, zero).
2. 50 simulated CUCM clusters and a Connection system serving all of them, forks 10, against the one-cluster
   play (target: at most 3x at 0 ms) and against the one-task `uri` play over the same 50 hosts in the same run
   (target: at most 0.5x).
3. With --scale N (e.g. 500): one no-change run of the role over N clusters (no Connection system): its time,
   its requests and the peak memory (VmHWM) of the controller's ansible-playbook process.

A first run brings every system to the desired state (not timed); then one ansible-playbook run of rounds of
[uri, one cluster, 50 clusters], interleaved so that drift on the machine hits all alike, must change nothing;
medians are reported. A play's time runs from its start to the next play's start.
The whole measurement runs once per simulated latency (`--latency-ms`, default 0 and 100): with none, every cost
is CPU on this machine's cores; with a network's and CUCM's time per request, the forks wait in parallel, as they
do against real clusters.
Writes the figures into bench/README.md between the markers of this benchmark.

    .venv/bin/python bench/bench_roles.py [--rounds 5] [--clusters 50] [--forks 10] [--latency-ms 0 100]
                                          [--no-readme]

Needs the collection built and installed (`make build`) and ucsim installed (`make venv`).
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import helpers  # noqa: E402  (the integration tests' simulator and ansible-playbook helpers)
from readme import update_section  # noqa: E402

PASSWORD = "C1sco12345!"
READ_TASK = "Stop before any write if a system is not ready"  # the run-once reading pass and plan
RAW_AXL = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:ns="http://www.cisco.com/AXL/API/14.0"><soapenv:Header/><soapenv:Body>'
    '<ns:getServiceParameter><processNodeName>EnterpriseWideData</processNodeName>'
    '<name>oAuthWithRefreshLoginFlow</name><service>Enterprise Wide</service>'
    '</ns:getServiceParameter></soapenv:Body></soapenv:Envelope>'
)


def lab(clusters):
    users = '[{userid: axladmin, password: "%s", roles: [axl]}]' % PASSWORD
    cuc_users = '[{userid: cucadmin, password: "%s", roles: [admin]}]' % PASSWORD
    text = "sim:\n  log_max_entries: 200000\ncucm:\n"
    for i in range(1, clusters + 1):
        text += '  - {name: c%02d, version: "14.0.1.13900(155)", users: %s}\n' % (i, users)
    text += "cuc:\n  - {name: cuc-one, users: %s}\n  - {name: cuc-all, users: %s}\n" % (cuc_users, cuc_users)
    return text


def inventory(sim, clusters):
    port = dict((s["name"], s["port"]) for s in sim.systems())
    lines = ["localhost ansible_connection=local ansible_python_interpreter=%s" % sys.executable, "",
             "[all:vars]", "ansible_connection=local", "ansible_python_interpreter=%s" % sys.executable,
             "ansible_host=%s" % sim.host, "ansible_pipelining=true", "", "[cucm_clusters:vars]", "cucm_username=axladmin",
             "cucm_password=%s" % PASSWORD, "cucm_ca_path=%s" % sim.ca, "oauth_refresh_login_authz_username=axladmin",
             "oauth_refresh_login_authz_password=%s" % PASSWORD, "", "[cuc_systems:vars]", "cuc_username=cucadmin",
             "cuc_password=%s" % PASSWORD, "cuc_ca_path=%s" % sim.ca, "", "[cucm_clusters]"]
    names = ["c%02d" % i for i in range(1, clusters + 1)]
    for name in names:
        lines.append("%s cucm_port=%d oauth_refresh_login_publisher_port=%d" % (name, port[name], port[name]))
    lines += ["", "[cuc_systems]",
              "cuc-one cuc_port=%d oauth_refresh_login_serves=c01" % port["cuc-one"],
              "cuc-all cuc_port=%d oauth_refresh_login_serves=%s" % (port["cuc-all"], ",".join(names))]
    return "\n".join(lines) + "\n"


def playbook(sim, rounds):
    """(the first run, the timed run). Per round of the timed run: the uri task as a play on one cluster host, the
    role on one cluster, the role on every cluster, and the uri play on every cluster host (the machine's own
    scaling)."""
    uri = """
- name: uri-%s
  hosts: %s
  gather_facts: false
  tasks:
    - name: uri task
      ansible.builtin.uri:
        url: "https://{{ ansible_host }}:{{ cucm_port }}/axl/"
        method: POST
        url_username: axladmin
        url_password: "%s"
        force_basic_auth: true
        ca_path: "%s"
        headers:
          Content-Type: text/xml; charset=utf-8
          SOAPAction: '"CUCM:DB ver=14.0 getServiceParameter"'
        body: '%s'
        status_code: 200
"""
    uri_one = uri % ("one", "c01", PASSWORD, sim.ca, RAW_AXL)
    uri_many = uri % ("many", "cucm_clusters", PASSWORD, sim.ca, RAW_AXL)
    role = "\n- name: %s\n  ansible.builtin.import_playbook: collab.uc.oauth_enable\n  vars:\n" \
           "    oauth_enable_hosts: %s\n    oauth_refresh_login_checklist: false\n"
    one, many = role % ("one", "c01:cuc-one"), role % ("many", "cucm_clusters:cuc-all")
    return many + one, "".join(uri_one + one + many + uri_many for _ in range(rounds))


def measure(args, latency_ms):
    """One measurement at a simulated latency: a dict of medians, counters and loads."""
    with tempfile.TemporaryDirectory() as tmp, \
            helpers.Simulator.start(lab=lab(args.clusters), state_dir=Path(tmp) / "sim",
                                    quiet=True) as sim:
        tasks, plays = Path(tmp) / "tasks.jsonl", Path(tmp) / "plays.jsonl"
        env = {"BENCH_TIMINGS": str(tasks), "BENCH_PLAY_TIMINGS": str(plays), "ANSIBLE_FORKS": str(args.forks),
               "ANSIBLE_CALLBACK_PLUGINS": "%s:%s" % (HERE / "callback_plugins", helpers.CALLBACK_DIR),
               "ANSIBLE_CALLBACKS_ENABLED": "bench_task_timer,bench_play_timer,%s" % helpers.CALLBACK_NAME}
        inv = inventory(sim, args.clusters)
        prime, timed = playbook(sim, args.rounds)
        primed = helpers.run_playbook(prime, inventory=inv, env={"ANSIBLE_FORKS": str(args.forks)}, timeout=3600)
        if primed.rc != 0 or not primed.changed:
            raise SystemExit("the first run (bringing every system to the desired state) failed:\n%s"
                             % primed.output)
        if latency_ms:
            sim.faults(latency_ms=latency_ms)
        load_before = os.getloadavg()[0]
        started = time.perf_counter()
        result = helpers.run_playbook(timed, inventory=inv, env=env, timeout=3600)
        wall = time.perf_counter() - started
        if result.rc != 0 or result.changed:
            raise SystemExit("the timed no-change runs failed or changed something:\n%s" % result.output)
        timed_plays = [json.loads(line) for line in plays.read_text().splitlines()]
        # the uri task's own time on c01 (the first play of each round)
        records = [json.loads(line) for line in tasks.read_text().splitlines()]
        uri = [r["seconds"] for r in records if r["task"] == "uri task"]
        uri = uri[::args.clusters + 1]
        # the run-once reading pass and plan (every system read on the controller, in threads), per run: per round
        # the one-cluster run comes first, then the many-cluster run
        reads = [r["seconds"] for r in records if r["task"].endswith(READ_TASK)]
        read_many = reads[1::2]
        # plays in order, per round: uri-one, one, many, uri-many
        uri_one, one = [p["seconds"] for p in timed_plays[0::4]], [p["seconds"] for p in timed_plays[1::4]]
        many, uri_many = [p["seconds"] for p in timed_plays[2::4]], [p["seconds"] for p in timed_plays[3::4]]

        sim.reset(state=False)
        if latency_ms:
            sim.faults(latency_ms=latency_ms)
        single = helpers.run_playbook(
            "- ansible.builtin.import_playbook: collab.uc.oauth_enable\n  vars:\n"
            "    oauth_enable_hosts: c01:cuc-one\n", inventory=inv)
        counters = sim.get_counters()
        if single.rc != 0 or single.changed:
            raise SystemExit("the no-change run failed or changed:\n%s" % single.output)
    return {"latency_ms": latency_ms, "uri": statistics.median(uri), "one": statistics.median(one),
            "many": statistics.median(many), "uri_one": statistics.median(uri_one),
            "uri_many": statistics.median(uri_many), "read": statistics.median(read_many), "counters": counters,
            "load_before": load_before, "load_after": os.getloadavg()[0], "wall": wall}


def table(args, m):
    ratio_one, ratio_many = m["one"] / m["uri"], m["many"] / m["one"]
    ratio_uri = m["many"] / m["uri_many"]
    counters = m["counters"]
    cpu = m["latency_ms"] == 0
    return [
        "| run (no change), simulated latency %g ms a request | median | ratio | HTTP requests | writes |"
        % m["latency_ms"],
        "|---|---|---|---|---|",
        "| one `ansible.builtin.uri` task, raw AXL getServiceParameter (task time) | %.3f s | 1.00 | 1 | 0 |"
        % m["uri"],
        "| role, one cluster + one Connection system (play time) | %.3f s | %.2f x uri | %d | %d |"
        % (m["one"], ratio_one, counters["requests"], counters["writes"]),
        "| role, %d clusters + one Connection serving all, forks %d (play time) | %.3f s | %.2f x one cluster, "
        "%.2f x the uri play on %d hosts | | |"
        % (args.clusters, args.forks, m["many"], ratio_many, ratio_uri, args.clusters),
        "| of which the run-once reading pass and plan (%d clusters, %d systems) | %.3f s | | | |"
        % (args.clusters, args.clusters + 1, m["read"]),
        "| for scale: the `uri` task as a play on 1 cluster host (play time) | %.3f s | | 1 | 0 |" % m["uri_one"],
        "| for scale: the same play on %d cluster hosts, forks %d (play time) | %.3f s | %.2f x on 1 host | %d | 0 |"
        % (args.clusters, args.forks, m["uri_many"], m["uri_many"] / m["uri_one"], args.clusters),
        "",
        "Load average %.1f at the start, %.1f at the end; playbook wall %.1f s. Targets: one cluster at most 3 x "
        "the uri task: %s; at most 4 requests (one cluster) and zero writes: %s; %d clusters at most 3 x one "
        "cluster%s: %s; at most 0.5 x the uri play on %d hosts: %s."
        % (m["load_before"], m["load_after"], m["wall"], "met" if ratio_one <= 3 else "NOT met",
           "met" if counters["requests"] <= 4 and counters["writes"] == 0 else "NOT met", args.clusters,
           "" if cpu else " (the target is set at 0 ms)", "met" if ratio_many <= 3 else "NOT met", args.clusters,
           "met" if ratio_uri <= 0.5 else "NOT met"),
        "",
    ]


def scale_lab(clusters):
    users = '[{userid: axladmin, password: "%s", roles: [axl]}]' % PASSWORD
    text = "sim:\n  log_max_entries: 400000\ncucm:\n"
    for i in range(1, clusters + 1):
        text += ('  - {name: s%03d, version: "14.0.1.13900(155)", users: %s, '
                 'enterprise_parameters: {oAuthWithRefreshLoginFlow: Enabled}}\n' % (i, users))
    return text


def peak_rss_kib(pid):
    """The peak resident memory (VmHWM, KiB) of process ``pid``, or None once it is gone."""
    try:
        with open("/proc/%d/status" % pid) as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def measure_scale(args, clusters):
    """One no-change run of the role over ``clusters`` clusters: time, requests, writes, controller peak memory."""
    import threading

    with tempfile.TemporaryDirectory() as tmp, \
            helpers.Simulator.start(lab=scale_lab(clusters), state_dir=Path(tmp) / "sim", quiet=True) as sim:
        port = dict((s["name"], s["port"]) for s in sim.systems())
        lines = ["[all:vars]", "ansible_connection=local", "ansible_python_interpreter=%s" % sys.executable,
                 "ansible_host=%s" % sim.host, "", "[cucm_clusters:vars]", "cucm_username=axladmin",
                 "cucm_password=%s" % PASSWORD, "cucm_ca_path=%s" % sim.ca, "", "[cucm_clusters]"]
        lines += ["s%03d cucm_port=%d oauth_refresh_login_publisher_port=%d" % (i, port["s%03d" % i], port["s%03d" % i])
                  for i in range(1, clusters + 1)]
        play = ("- ansible.builtin.import_playbook: collab.uc.oauth_enable\n  vars:\n"
                "    oauth_refresh_login_checklist: false\n")
        peak = {"kib": 0}
        done = threading.Event()
        me = os.getpid()

        def watch():
            while not done.is_set():
                for entry in os.listdir("/proc"):
                    if not entry.isdigit():
                        continue
                    try:
                        with open("/proc/%s/stat" % entry) as handle:
                            fields = handle.read().rsplit(")", 1)[1].split()
                        with open("/proc/%s/cmdline" % entry, "rb") as handle:
                            cmd = handle.read()
                    except OSError:
                        continue
                    if int(fields[1]) == me and b"ansible-playbook" in cmd:
                        peak["kib"] = max(peak["kib"], peak_rss_kib(int(entry)) or 0)
                done.wait(0.2)

        watcher = threading.Thread(target=watch, daemon=True)
        load_before = os.getloadavg()[0]
        watcher.start()
        started = time.perf_counter()
        result = helpers.run_playbook(play, inventory="\n".join(lines) + "\n",
                                      env={"ANSIBLE_FORKS": str(args.forks)}, timeout=3600)
        wall = time.perf_counter() - started
        done.set()
        watcher.join()
        if result.rc != 0 or result.changed:
            raise SystemExit("the %d-cluster no-change run failed or changed:\n%s" % (clusters, result.output[-5000:]))
        counters = sim.get_counters()
    return {"clusters": clusters, "wall": wall, "requests": counters["requests"], "writes": counters["writes"],
            "peak_mib": peak["kib"] / 1024.0, "load_before": load_before, "load_after": os.getloadavg()[0]}


def ansible_core_version():
    """The ansible-core the benchmark's ansible-playbook runs (the venv's)."""
    out = subprocess.run(helpers.ansible_playbook_command() + ["--version"], capture_output=True, text=True).stdout
    found = re.search(r"core ([0-9][0-9.]*)", out)
    return "ansible-core %s" % (found.group(1) if found else "unknown")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--latency-ms", type=float, nargs="+", default=[0.0, 100.0],
                        help="simulated time of every request, one measurement each (default: 0 and 100)")
    parser.add_argument("--scale", type=int, nargs="*", default=[500],
                        help="also one no-change run over this many clusters each (default: 500; none to skip)")
    parser.add_argument("--no-readme", action="store_true", help="print the figures, do not write bench/README.md")
    args = parser.parse_args()

    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    runs = [measure(args, latency) for latency in args.latency_ms]
    cpu = runs[0]
    lines = [
        "Measured %s on %s, Python %s, %d cores, machine shared with other test runs; %d rounds, interleaved, "
        "medians. One table per simulated latency of every request (the simulator's `latency_ms` fault): 0 ms makes "
        "every cost CPU on this machine; 100 ms (an ASSUMPTION: a WAN round trip and CUCM's own time for an AXL or "
        "REST call, which no public source measures) is closer to a real estate, where the forks wait on the "
        "network in parallel."
        % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), platform.machine(), platform.python_version(),
           os.cpu_count(), args.rounds),
        "",
    ]
    for m in runs:
        lines += table(args, m)
    for scale in [measure_scale(args, n) for n in args.scale]:
        lines += [
            "| no-change run of the role over %d clusters, forks %d | figure |" % (scale["clusters"], args.forks),
            "|---|---|",
            "| playbook wall time | %.1f s |" % scale["wall"],
            "| HTTP requests (per cluster) | %d (%.1f) |" % (scale["requests"], scale["requests"] / scale["clusters"]),
            "| writes | %d |" % scale["writes"],
            "| controller peak memory (VmHWM of ansible-playbook) | %.0f MiB |" % scale["peak_mib"],
            "",
            "Load average %.1f at the start, %.1f at the end." % (scale["load_before"], scale["load_after"]),
            "",
        ]
    lines += [
        "What the role costs: no module reads. One run-once task checks every host's role variables against the "
        "role's argument spec (the playbook imports the role with `rolespec_validate: false`: Ansible's own check "
        "would start a worker process per host), takes the connection each read would get (module_defaults "
        "templated with that host's variables, from the variable manager), reads every system on the controller, "
        "%d threads at most, and plans in Python (%.1f s for %d clusters at 0 ms); modules start only where the "
        "plan changes something. On ansible-core 2.18 and later (this run: %s) a host whose plan writes nothing "
        "then leaves the role (`meta: end_role`, which the strategy evaluates itself: no worker process), so the "
        "include of the writes is dispatched only where the plan writes, and on the first host, which runs the "
        "run-once tasks. What is left per host: in the run-once task, the variable manager's variables of the host "
        "and the templating of its role variables and module_defaults (each template string compiled once for "
        "every host of the task); in the strategy's own process, the variable manager's variables of each host "
        "and its end_role condition, compiled anew by Jinja for each host. The one-task uri play, one "
        "module process per host, grows %.1f x from 1 to %d hosts on this machine: the floor the role no longer "
        "sits on."
        % (32, cpu["read"], args.clusters, ansible_core_version(), cpu["uri_many"] / cpu["uri_one"], args.clusters),
        "",
        "The requests of a no-change run: %s." % ", ".join(
            "%s %d" % (op, n) for op, n in sorted(cpu["counters"]["by_operation"].items())),
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_roles.py` (or `make bench`).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        update_section(HERE / "README.md", "bench_roles", "No-change runs of `collab.uc.oauth_refresh_login`", text)


if __name__ == "__main__":
    main()
