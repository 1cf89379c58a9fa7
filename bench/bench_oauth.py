#!/usr/bin/env python3
"""Benchmark: a no-change `collab.uc.cucm_oauth` task against `ansible.builtin.uri` posting one raw AXL request.

Both run in one ansible-playbook run against the simulator, interleaved (oauth, oauth with axl_version, uri,
repeated), so drift on the machine hits all of them alike. Reports the median task time of each, the ratios
(target: at most 1.2) and the HTTP requests and writes the simulator counted for one no-change run (target:
at most 2, and 1 when axl_version is given; zero writes). Writes the figures into bench/README.md between
the markers of this benchmark.

    .venv/bin/python bench/bench_oauth.py [--rounds 15] [--no-readme]

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

import helpers  # noqa: E402  (the integration tests' simulator and ansible-playbook helpers)
from readme import update_section  # noqa: E402

RAW_AXL = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
    'xmlns:ns="http://www.cisco.com/AXL/API/14.0"><soapenv:Header/><soapenv:Body>'
    '<ns:getServiceParameter><processNodeName>EnterpriseWideData</processNodeName>'
    '<name>oAuthWithRefreshLoginFlow</name><service>Enterprise Wide</service>'
    '</ns:getServiceParameter></soapenv:Body></soapenv:Envelope>'
)

PLAY_HEAD = """
- name: cucm_oauth against ansible.builtin.uri
  hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
  tasks:
    - name: prime (make refresh login enabled, so the timed tasks change nothing)
      collab.uc.cucm_oauth:
        refresh_login: true
"""

ROUND = """
    - name: oauth auto {i}
      collab.uc.cucm_oauth:
        refresh_login: true
    - name: oauth version {i}
      collab.uc.cucm_oauth:
        refresh_login: true
        axl_version: "14.0"
    - name: uri {i}
      ansible.builtin.uri:
        url: "https://{{{{ lookup('env', 'CUCM_HOST') }}}}:{{{{ lookup('env', 'CUCM_PORT') }}}}/axl/"
        method: POST
        url_username: "{{{{ lookup('env', 'CUCM_USERNAME') }}}}"
        url_password: "{{{{ lookup('env', 'CUCM_PASSWORD') }}}}"
        force_basic_auth: true
        ca_path: "{{{{ lookup('env', 'CUCM_CA_PATH') }}}}"
        headers:
          Content-Type: text/xml; charset=utf-8
          SOAPAction: '"CUCM:DB ver=14.0 getServiceParameter"'
        body: '{raw}'
        status_code: 200
        return_content: true
"""

SINGLE = """
- hosts: localhost
  gather_facts: false
  connection: local
  vars:
    ansible_python_interpreter: "{{{{ ansible_playbook_python }}}}"
  tasks:
    - name: one no-change run
      collab.uc.cucm_oauth:
        refresh_login: true
{extra}
"""


def delta(after, before, key):
    return after.get(key, 0) - before.get(key, 0)


def count_run(sim, env, extra):
    before = sim.get_counters()
    result = helpers.run_playbook(SINGLE.format(extra=extra), env=env)
    after = sim.get_counters()
    if result.rc != 0 or result.changed:
        raise SystemExit("the no-change run failed or changed:\n%s" % result.output)
    return {"requests": delta(after, before, "requests"), "writes": delta(after, before, "writes")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-readme", action="store_true", help="print the figures, do not write bench/README.md")
    args = parser.parse_args()

    problem = helpers.check_installed_collection()
    if problem:
        raise SystemExit(problem)
    with tempfile.TemporaryDirectory() as tmp, helpers.Simulator.start(state_dir=Path(tmp) / "sim") as sim:
        env = sim.cucm_env()
        timings = Path(tmp) / "timings.jsonl"
        playbook = PLAY_HEAD + "".join(ROUND.format(i=i, raw=RAW_AXL) for i in range(args.rounds))
        bench_env = dict(env, BENCH_TIMINGS=str(timings),
                         ANSIBLE_CALLBACK_PLUGINS=str(HERE / "callback_plugins"),
                         ANSIBLE_CALLBACKS_ENABLED="bench_task_timer")
        started = time.perf_counter()
        result = helpers.run_playbook(playbook, env=bench_env)
        wall = time.perf_counter() - started
        if result.rc != 0:
            raise SystemExit("benchmark playbook failed:\n%s" % result.output)
        rows = [json.loads(line) for line in timings.read_text().splitlines()]
        series = {"oauth auto": [], "oauth version": [], "uri": []}
        for row in rows:
            for prefix, values in series.items():
                if row["task"].startswith(prefix + " "):
                    if row["changed"] and prefix != "uri":
                        raise SystemExit("a timed cucm_oauth task changed something: %r" % row)
                    values.append(row["seconds"])
        median = {k: statistics.median(v) for k, v in series.items()}
        counts_auto = count_run(sim, env, "")
        counts_version = count_run(sim, env, '        axl_version: "14.0"')

    ratio_auto = median["oauth auto"] / median["uri"]
    ratio_version = median["oauth version"] / median["uri"]
    lines = [
        "Measured %s on %s, Python %s, %d cores; %d rounds, interleaved, median task time (playbook wall %.1f s)."
        % (time.strftime("%Y-%m-%d"), platform.machine(), platform.python_version(), os.cpu_count(),
           args.rounds, wall),
        "",
        "| task | median | ratio to uri | HTTP requests (no-change run) | writes |",
        "|---|---|---|---|---|",
        "| `ansible.builtin.uri`, one raw AXL getServiceParameter | %.3f s | 1.00 | 1 | 0 |" % median["uri"],
        "| `collab.uc.cucm_oauth`, no change, axl_version found with getCCMVersion | %.3f s | %.2f | %d | %d |"
        % (median["oauth auto"], ratio_auto, counts_auto["requests"], counts_auto["writes"]),
        "| `collab.uc.cucm_oauth`, no change, `axl_version: \"14.0\"` | %.3f s | %.2f | %d | %d |"
        % (median["oauth version"], ratio_version, counts_version["requests"], counts_version["writes"]),
        "",
        "Targets: ratio at most 1.2; at most 2 requests (1 with axl_version) and zero writes: %s."
        % ("met" if max(ratio_auto, ratio_version) <= 1.2 and counts_auto["requests"] <= 2
           and counts_version["requests"] <= 1 and counts_auto["writes"] == counts_version["writes"] == 0
           else "NOT met"),
        "",
        "Reproduce: `make build && .venv/bin/python bench/bench_oauth.py` (or `make bench`).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_readme:
        update_section(HERE / "README.md", "bench_oauth", "No-change `cucm_oauth` against `ansible.builtin.uri`", text)


if __name__ == "__main__":
    main()
