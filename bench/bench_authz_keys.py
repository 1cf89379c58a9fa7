#!/usr/bin/env python3
"""Benchmark: the SSH login to the platform CLI and a read of both AuthZ key checksums, with CUCM's login delay.

The simulator sleeps `login_delay_s` (default 8.6 s, the public log of a real CUCM) in the login banner and
`command_delay_s` before each command. Measures: the bare login (`_ssh.CliSession.open`, no Ansible), a
`collab.uc.cucm_authz_keys` read task (`state: gathered`, both checksums) through ansible-playbook, and the same
task with the simulator's short default delay (what the collection adds); counts SSH logins and commands per
task from the simulator (target: one login per task). Writes the figures into bench/README.md.

    .venv/bin/python bench/bench_authz_keys.py [--rounds 3] [--login-delay 8.6] [--command-delay 0] [--no-readme]

Needs the collection built and installed (`make build`) and ucsim installed (`make venv`).
"""

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / ".build" / "collections"))

import helpers  # noqa: E402  (the integration tests' simulator and ansible-playbook helpers)
from readme import update_section  # noqa: E402

PLAY = """
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
"""
TASK = """
    - name: read {i}
      collab.uc.cucm_authz_keys: {{}}
"""


def bare_logins(env, rounds):
    """Seconds of CliSession.open() (connect, host key, keyboard-interactive, banner, prompt, pagination off)."""
    from ansible_collections.collab.uc.plugins.module_utils.transport._ssh import CliSession
    seconds = []
    for _ in range(rounds):
        session = CliSession(env["CUCM_SSH_HOST"], env["CUCM_SSH_USERNAME"], env["CUCM_SSH_PASSWORD"],
                             port=int(env["CUCM_SSH_PORT"]), known_hosts=env["CUCM_SSH_KNOWN_HOSTS"])
        started = time.perf_counter()
        session.open()
        seconds.append(time.perf_counter() - started)
        session.close()
    return seconds


def timed_tasks(sim, env, rounds, tmp, label):
    timings = Path(tmp) / ("timings-%s.jsonl" % label)
    bench_env = dict(env, BENCH_TIMINGS=str(timings), ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
                     ANSIBLE_CALLBACKS_ENABLED="bench_task_timer")
    before = sim.get_counters()
    result = helpers.run_playbook(PLAY + "".join(TASK.format(i=i) for i in range(rounds)), env=bench_env)
    after = sim.get_counters()
    if result.rc != 0 or result.changed:
        raise SystemExit("the read tasks failed or changed:\n%s" % result.output)
    rows = [json.loads(line) for line in timings.read_text().splitlines()]
    seconds = [row["seconds"] for row in rows if row["task"].startswith("read ")]
    per_task = {key: (after[key] - before[key]) / float(rounds) for key in ("ssh_logins", "ssh_commands", "writes")}
    return seconds, per_task


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--login-delay", type=float, default=8.6)
    parser.add_argument("--command-delay", type=float, default=0.0)
    parser.add_argument("--no-readme", action="store_true", help="print the figures, do not write bench/README.md")
    args = parser.parse_args()

    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    with tempfile.TemporaryDirectory() as tmp, helpers.Simulator.start(state_dir=Path(tmp) / "sim") as sim:
        env = sim.cucm_ssh_env()
        short = sim.state("cucm")["platform"]["login_delay_s"]
        fast, fast_counts = timed_tasks(sim, env, args.rounds, tmp, "short")
        sim.set_state({sim.system("cucm")["name"]: {"platform": {
            "login_delay_s": args.login_delay, "command_delay_s": args.command_delay}}})
        logins = bare_logins(env, args.rounds)
        slow, slow_counts = timed_tasks(sim, env, args.rounds, tmp, "realistic")

    login, task, quick = statistics.median(logins), statistics.median(slow), statistics.median(fast)
    met = slow_counts["ssh_logins"] == 1 and fast_counts["ssh_logins"] == 1 and slow_counts["writes"] == 0
    lines = [
        "Measured %s on %s, Python %s, %d cores; median of %d rounds. Simulator: login delay %.1f s (a real CUCM's, "
        "public log), %.1f s before each command (a real `show version active` took 4.8 s in the same log)."
        % (time.strftime("%Y-%m-%d"), platform.machine(), platform.python_version(), os.cpu_count(), args.rounds,
           args.login_delay, args.command_delay),
        "",
        "| measurement | figure |",
        "|---|---|",
        "| SSH login to the `admin:` prompt, pagination off (`CliSession.open`, no Ansible) | %.2f s |" % login,
        "| `cucm_authz_keys` read of both checksums, task time, realistic login | %.2f s |" % task,
        "| the same task, simulator login delay %.2f s (what the collection and Ansible add) | %.2f s |" % (short, quick),
        "| SSH logins per task (target: one) | %g |" % slow_counts["ssh_logins"],
        "| CLI commands per task (`set cli pagination off`, two `show key authz`) | %g |" % slow_counts["ssh_commands"],
        "| writes per read task | %g |" % slow_counts["writes"],
        "",
        "The login dominates: a task that reads both keys costs one login and about %.1f s more. Target of one "
        "login per task and no writes: %s." % (max(task - login, 0.0), "met" if met else "NOT met"),
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_authz_keys.py` (or `make bench`); `--help` lists "
        "the knobs.",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        update_section(HERE / "README.md", "bench_authz_keys", "AuthZ keys over SSH: login cost and a read of both "
                       "checksums", text)


if __name__ == "__main__":
    main()
