"""Tests of the integration harness itself: simulator fixture, run_playbook, the results callback.

They use only ansible.builtin modules, so they break when the harness (or the simulator's control API)
breaks, not when a collab.uc module does.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

import helpers
from ucsim.client import SimulatorProcess

COUNTERS_PLAYBOOK = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: read the simulator's counters
      ansible.builtin.uri:
        url: "https://{{ lookup('env', 'CUCM_HOST') }}:{{ lookup('env', 'CUCM_PORT') }}/_sim/counters"
        ca_path: "{{ lookup('env', 'CUCM_CA_PATH') }}"
        return_content: true
      check_mode: false
      register: counters

    - name: show what the playbook saw
      ansible.builtin.debug:
        msg: "requests={{ counters.json.requests }} check={{ ansible_check_mode }} who={{ who | default('nobody') }}"
"""


@pytest.mark.matrix
def test_simulator_is_up(sim):
    assert sim.running
    assert sim.url == "https://%s:%d" % (sim.host, sim.port)
    assert sim.port > 0
    assert Path(sim.ca).is_file(), sim.ca
    systems = sim.systems()
    assert systems and all({"name", "kind", "url", "port"} <= set(s) for s in systems), systems
    assert any(s["kind"] == "cucm" for s in systems), systems
    counters = sim.get_counters()
    assert {"requests", "reads", "writes", "auth_failures", "faults", "by_operation", "systems"} <= set(counters)


@pytest.mark.matrix
def test_uri_playbook_against_control_api(sim, cucm_env, run_playbook):
    res = run_playbook(COUNTERS_PLAYBOOK, env=cucm_env, extravars={"who": "harness"})
    assert res.rc == 0, res.describe()

    read = res.task("read the simulator's counters")
    assert read["status"] == "ok" and read["host"] == "localhost" and not read["failed"], read
    assert read["action"] == "ansible.builtin.uri"
    assert read["result"]["status"] == 200
    # the control API is neither logged nor counted
    assert read["result"]["json"]["requests"] == 0

    shown = res.task("show what the playbook saw")
    assert shown["msg"] == "requests=0 check=False who=harness"

    # default stdout callback output is kept, so tests can search it (e.g. for leaked secrets)
    assert "TASK [read the simulator's counters]" in res.stdout
    assert "PLAY RECAP" in res.stdout
    assert res.stats["localhost"]["ok"] == 2 and res.stats["localhost"]["failures"] == 0, res.stats
    assert cucm_env["CUCM_PASSWORD"] not in res.output


def test_check_mode_and_failures_are_reported(sim, cucm_env, run_playbook):
    res = run_playbook(COUNTERS_PLAYBOOK, env=cucm_env, check=True, diff=True, verbosity=1)
    assert res.rc == 0, res.describe()
    assert res.task("show what the playbook saw")["msg"].endswith("check=True who=nobody")

    failing = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: this one fails
      ansible.builtin.fail:
        msg: deliberately
    - name: never reached
      ansible.builtin.debug:
        msg: unreachable
"""
    res = run_playbook(failing)
    assert res.rc == 2, res.describe()
    assert res.failed
    failed = res.task("this one fails")
    assert failed["failed"] and failed["status"] == "failed" and failed["msg"] == "deliberately"
    assert not res.tasks("never reached")


@pytest.mark.matrix
def test_environment_is_scrubbed(sim, run_playbook, monkeypatch):
    monkeypatch.setenv("CUCM_PASSWORD", "leaked-from-the-test-process")
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: env
      ansible.builtin.debug:
        msg: "[{{ lookup('env', 'CUCM_PASSWORD') }}] [{{ lookup('env', 'CUCM_HOST') }}]"
"""
    res = run_playbook(playbook, env={"CUCM_HOST": sim.host})
    assert res.rc == 0, res.describe()
    assert res.task("env")["msg"] == "[] [%s]" % sim.host


def test_control_api_round_trip(sim, run_playbook, cucm_env):
    # a real (non-control) request is logged and counted; reset() forgets it
    playbook = """
- hosts: localhost
  gather_facts: false
  tasks:
    - name: SSO status, no authentication needed
      ansible.builtin.uri:
        url: "https://{{ lookup('env', 'CUCM_HOST') }}:{{ lookup('env', 'CUCM_PORT') }}/ssosp/ws/public/singleSignOn"
        ca_path: "{{ lookup('env', 'CUCM_CA_PATH') }}"
        return_content: true
"""
    res = run_playbook(playbook, env=cucm_env)
    assert res.rc == 0, res.describe()
    requests = sim.get_requests()
    assert [r["path"] for r in requests] == ["/ssosp/ws/public/singleSignOn"], json.dumps(requests, indent=1)
    assert sim.get_counters()["requests"] == 1

    sim.faults(latency_ms=1)
    assert sim.faults().get("latency_ms") == 1
    sim.reset(state=True)
    assert sim.get_requests() == []
    assert sim.get_counters()["requests"] == 0
    assert not sim.faults().get("latency_ms")

    cucm = sim.system("cucm")
    assert isinstance(sim.state(cucm["name"]), dict)


def test_the_harness_simulator_is_ucsim_client_and_points_at_the_labs_accounts(sim):
    # one client of the control API for the tests, the benchmarks and `ucsim ctl`: ucsim.client
    assert isinstance(sim, SimulatorProcess) and sim.process.pid and sim.log_path.is_file()
    # the harness's connection variables agree with what `ucsim serve` tells a user to export (env.sh)
    exported = sim.env()
    for env in (sim.cucm_env(), sim.cucm_ssh_env(), sim.cuc_env(), sim.expressway_env()):
        assert env == {key: exported[key] for key in env}, (env, exported)
    assert sim.node("cucm1-sub1") == sim.nodes()[1] and sim.node() == sim.nodes("cucm1")[0]


def test_sim_factory_starts_independent_simulators(sim, sim_factory):
    other = sim_factory()
    assert other.port != sim.port and other.running
    other.stop()
    assert not other.running
    assert sim.running


def test_installed_collection_is_the_work_tree(installed_collection):
    installed = installed_collection / "ansible_collections" / "collab" / "uc"
    if (installed / "MANIFEST.json").exists():   # a build installed by `make build`
        info = json.loads((installed / "MANIFEST.json").read_text())["collection_info"]
    else:                                         # the source tree ansible-test integration runs in
        info = yaml.safe_load((installed / "galaxy.yml").read_text())
    assert info["namespace"] == "collab"
    assert info["name"] == "uc"
    assert helpers.check_installed_collection() is None
