#!/usr/bin/env python3
"""Benchmark: refresh-token revocation at company scale (`collab.uc.cucm_refresh_tokens`).

Against the simulator with LATENCY ms added to every request:

1. speed: one task revoking USERS users, against an `ansible.builtin.uri` loop calling the revoke API for a
   sample of other users, scaled up to USERS (target: at least 50 times faster); and the task time against what
   the concurrency allows, ideal = USERS x LATENCY / CONCURRENCY (target: at least 90 % of ideal);
2. throttling: USERS users with 10 % of the revoke calls answered 503: every user revoked, none twice (in the
   simulator's log and in the report);
3. memory: the peak RSS of the module process for MEMORY_USERS users read from a file (target: under 200 MB),
   measured with wait4() by an interpreter wrapper around the module (no latency: memory does not depend on it).

Task times come from bench/callback_plugins/bench_task_timer.py (task start to result), so ansible-playbook's
start-up is not counted; the module process's own wall time and peak RSS come from an interpreter wrapper that
runs it as its child. Writes the figures into bench/README.md between the markers of this benchmark.

    .venv/bin/python bench/bench_revocation.py [--users 10000] [--uri-sample 100] [--memory-users 100000]
        [--latency-ms 20] [--concurrency 8] [--return-results changed] [--skip-memory] [--skip-faults]
        [--no-readme]

Needs the collection built and installed (`make build`) and ucsim installed (`make venv`).
"""

import argparse
import json
import os
import platform
import queue
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))

import helpers  # noqa: E402  (the integration tests' simulator and ansible-playbook helpers)
from readme import update_section  # noqa: E402

LAB = """
sim:
  log_max_entries: 400000
cucm:
  - name: cucm1
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
    generate_users: {prefix: user, digits: 6, count: %d, tokens_per_user: 1, clients: [jabber]}
"""

MODULE_PLAY = """
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: %(interpreter)s
  tasks:
    - name: revoke
      collab.uc.cucm_refresh_tokens:
        users_file: %(users_file)s
        concurrency: %(concurrency)d
        report_path: %(report)s
        return_results: %(return_results)s
      environment:
        BENCH_RSS_FILE: %(rss_file)s
"""

URI_PLAY = """
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: uri loop
      ansible.builtin.uri:
        url: "https://{{ lookup('env', 'CUCM_HOST') }}:{{ lookup('env', 'CUCM_PORT') }}/ssosp/token/revoke?user_id={{ item | urlencode }}"
        url_username: "{{ lookup('env', 'CUCM_USERNAME') }}"
        url_password: "{{ lookup('env', 'CUCM_PASSWORD') }}"
        force_basic_auth: true
        ca_path: "{{ lookup('env', 'CUCM_CA_PATH') }}"
        status_code: 200
      loop: %s
"""

# The interpreter Ansible runs the module with: it runs the module under a child Python and appends the child's
# peak RSS (KiB, from wait4) and wall time (s) to $BENCH_RSS_FILE.
RSS_WRAPPER = """#!%s
import os, resource, subprocess, sys, time
started = time.monotonic()
code = subprocess.call([%r] + sys.argv[1:])
wall = time.monotonic() - started
path = os.environ.get('BENCH_RSS_FILE')
if path:
    with open(path, 'a') as handle:
        handle.write('%%d %%.3f\\n' %% (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, wall))
sys.exit(code)
"""


def users(first, count):
    return ["user%06d" % n for n in range(first, first + count)]


def timed_run(playbook, env, tmp):
    timings = tmp / "timings.jsonl"
    if timings.exists():
        timings.unlink()
    bench_env = dict(env, BENCH_TIMINGS=str(timings),
                     ANSIBLE_CALLBACK_PLUGINS="%s:%s" % (HERE / "callback_plugins", helpers.CALLBACK_DIR),
                     ANSIBLE_CALLBACKS_ENABLED="bench_task_timer,%s" % helpers.CALLBACK_NAME)
    result = helpers.run_playbook(playbook, env=bench_env, timeout=3600, workdir=tmp / "play")
    if result.rc != 0:
        raise SystemExit("benchmark playbook failed:\n%s" % result.output[-5000:])
    rows = [json.loads(line) for line in timings.read_text().splitlines()]
    return result, rows[-1]["seconds"]


def revoke_task(sim, env, tmp, first, count, concurrency, interpreter, return_results="changed"):
    path = tmp / ("leavers-%d.txt" % first)
    path.write_text("".join(u + "\n" for u in users(first, count)))
    report = tmp / ("report-%d.jsonl" % first)
    rss_file = tmp / "rss.txt"
    if rss_file.exists():
        rss_file.unlink()
    play = MODULE_PLAY % dict(interpreter=interpreter, users_file=path, concurrency=concurrency, report=report,
                              return_results=return_results, rss_file=rss_file)
    result, seconds = timed_run(play, env, tmp)
    module = result.task("revoke")["result"]
    # the module ran once (the wrapper measures it): its peak RSS in KiB and its wall time
    rss, wall = rss_file.read_text().split()
    return seconds, module, report, int(rss), float(wall)


def bare_loop(sim, names, concurrency):
    """Seconds a bare loop of revoke requests takes: the collection's HttpSession in ``concurrency`` threads, no
    Ansible, no lookup, no bookkeeping. What this machine and simulator allow at best."""
    sys.path.insert(0, str(helpers.collections_path()))
    from ansible_collections.collab.uc.plugins.module_utils.transport._http import HttpSession

    work = queue.Queue()
    for name in names:
        work.put(name)

    def worker():
        session = HttpSession(sim.host, sim.port, helpers.CUCM_USERNAME, helpers.CUCM_PASSWORD, ca_path=sim.ca)
        while True:
            try:
                name = work.get_nowait()
            except queue.Empty:
                session.close()
                return
            session.request("GET", "/ssosp/token/revoke", "revoke", query=[("user_id", name)])

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started


def check_report(report, expected):
    rows = [json.loads(line) for line in report.read_text().splitlines()]
    names = [r["user"] for r in rows]
    return len(names) == len(set(names)) and sorted(names) == sorted(expected) and \
        all(r["outcome"] == "revoked" for r in rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10000)
    parser.add_argument("--uri-sample", type=int, default=100)
    parser.add_argument("--memory-users", type=int, default=100000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--return-results", default="changed", choices=["all", "changed", "failed", "none"],
                        help="return_results of the timed task (default: the module's default)")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--no-readme", action="store_true", help="print the figures, do not write bench/README.md")
    args = parser.parse_args()

    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    total = max(2 * args.users + args.uri_sample, args.memory_users)
    lines = []
    with tempfile.TemporaryDirectory() as tmp_name, \
            helpers.Simulator.start(lab=LAB % total, state_dir=Path(tmp_name) / "sim") as sim:
        tmp = Path(tmp_name)
        env = sim.cucm_env()

        wrapper = tmp / "python-rss"
        wrapper.write_text(RSS_WRAPPER % (sys.executable, sys.executable))
        wrapper.chmod(0o755)

        # 1. speed ---------------------------------------------------------------------------------------------
        sim.faults(latency_ms=args.latency_ms)
        seconds, module, report, _rss, wall = revoke_task(sim, env, tmp, 1, args.users, args.concurrency, wrapper,
                                                          return_results=args.return_results)
        counters = sim.get_counters()
        assert module["summary"]["revoked"] == args.users, module["summary"]
        ideal = args.users * args.latency_ms / 1000.0 / args.concurrency
        sim.reset(state=True)
        sim.faults(latency_ms=args.latency_ms)
        bare = bare_loop(sim, users(1, args.users), args.concurrency)
        sample = users(args.users + 1, args.uri_sample)
        _result, uri_seconds = timed_run(URI_PLAY % json.dumps(sample), env, tmp)
        uri_scaled = uri_seconds / args.uri_sample * args.users
        speedup = uri_scaled / seconds
        share = ideal / seconds
        lines += [
            "Measured %s on %s, Python %s, %d cores; simulator latency %g ms on every request."
            % (time.strftime("%Y-%m-%d"), platform.machine(), platform.python_version(), os.cpu_count(),
               args.latency_ms),
            "",
            "| measurement | figure | target |",
            "|---|---|---|",
            "| one task, %d users, concurrency %d | %.1f s (%.0f users/s) | |"
            % (args.users, args.concurrency, seconds, args.users / seconds),
            "| `ansible.builtin.uri` loop, %d users, scaled to %d | %.1f s (%.2f s a user) | |"
            % (args.uri_sample, args.users, uri_scaled, uri_seconds / args.uri_sample),
            "| speed-up over the uri loop | %.0f x | at least 50 x: %s |"
            % (speedup, "met" if speedup >= 50 else "NOT met"),
            "| share of the ideal %d x %g ms / %d = %.1f s, task time | %.0f %% | at least 90 %%: %s |"
            % (args.users, args.latency_ms, args.concurrency, ideal, 100 * share,
               "met" if share >= 0.9 else "NOT met"),
            "| share of the ideal, module process alone (%.1f s; the rest of the task time is Ansible's) | %.0f %% | |"
            % (wall, 100 * ideal / wall),
            "| share of the ideal, bare loop of HttpSession requests, %d threads, no Ansible (%.1f s) | %.0f %% | |"
            % (args.concurrency, bare, 100 * ideal / bare),
            "| requests of the task: revoke / executeSQLQuery / Basic auth | %d / %d / %d | |"
            % (counters["by_operation"].get("revoke", 0), counters["by_operation"].get("executeSQLQuery", 0),
               counters["basic_auth"]),
        ]

        # 2. throttling ----------------------------------------------------------------------------------------
        if not args.skip_faults:
            sim.reset(state=True)
            sim.faults(latency_ms=args.latency_ms, http_503_rate=0.1, seed=7)
            expected = users(1, args.users)
            seconds, module, report, _rss, _wall = revoke_task(sim, env, tmp, 1, args.users, args.concurrency,
                                                               wrapper)
            log = [r for r in sim.get_requests() if r["operation"] == "revoke"]
            ok_paths = [r["path"] for r in log if r["status"] == 200]
            throttled = sum(1 for r in log if r["status"] == 503)
            once = len(ok_paths) == len(set(ok_paths)) == args.users
            report_ok = check_report(report, expected)
            holding = sim.state("cucm1")["tokens_by_user"]
            left = [u for u in expected if u in holding]
            good = once and report_ok and not left and module["summary"]["revoked"] == args.users
            lines.append("| 10 %% of revoke calls answered 503 (%d answered 503, retried): %d users | %.1f s; "
                         "every user revoked once in the log and in the report: %s | all, none twice: %s |"
                         % (throttled, args.users, seconds, "yes" if good else "NO", "met" if good else "NOT met"))

        # 3. memory --------------------------------------------------------------------------------------------
        if not args.skip_memory:
            for return_results in ("changed", "none"):
                sim.reset(state=True)
                seconds, module, report, rss, _wall = revoke_task(sim, env, tmp, 1, args.memory_users, 16, wrapper,
                                                                  return_results=return_results)
                assert module["summary"]["revoked"] == args.memory_users, module["summary"]
                megabytes = rss / 1024.0
                lines.append("| peak RSS of the module process, %d users from a file, `return_results: %s` "
                             "(no latency, concurrency 16, %.0f s) | %.0f MB | under 200 MB: %s |"
                             % (args.memory_users, return_results, seconds, megabytes,
                                "met" if megabytes < 200 else "NOT met"))

    lines += [
        "",
        "The ideal counts only the simulator's added latency. Each request also costs CPU in the simulator and in "
        "the client, which here share %d cores: the bare loop of requests above, with nothing but the HTTP layer, "
        "shows what this machine allows at best; the task's share of the ideal is to be read against it. The "
        "uri loop pays a module start-up per user; the module pays one for all users." % os.cpu_count(),
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_revocation.py` (or `make bench`); "
        "`--help` lists the knobs.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        update_section(HERE / "README.md", "bench_revocation", "Refresh-token revocation", text)


if __name__ == "__main__":
    main()
