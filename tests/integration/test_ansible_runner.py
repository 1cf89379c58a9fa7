"""The playbooks as AWX and Ansible Automation Platform run them: through ansible-runner, from a private data dir
(env/, inventory/, project/ holding the playbook files), against the simulator. Each test checks the runner's
artifacts (the job events runner_on_ok and playbook_on_stats, the status and rc files, the stdout), the
collection's gitops_summary callback output where the role feeds it, the reports, and the simulator's state.

Process isolation: ansible-runner 2 isolates with a container engine (an execution environment image), which a
test machine may lack; the runs here use the controller's Python and the built collection
(ANSIBLE_COLLECTIONS_PATH), as `ansible-runner run` without --process-isolation does. The execution environment
itself is built and checked by `make ee`.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import ansible_runner
import pytest
import yaml

import helpers
import test_authz_key_rotation as rotation
import test_oauth_refresh_login_role as enablement
import test_revocation_role as revocation

PLAYBOOKS = helpers.REPO_ROOT / "playbooks"


def private_data_dir(base: Path, playbook: str, inventory: str, extravars=None, envvars=None) -> Path:
    """The layout AWX hands to ansible-runner: env/envvars, env/extravars, inventory/hosts, project/<playbook>."""
    pdd = base / "runner"
    for sub in ("env", "inventory", "project"):
        (pdd / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy(PLAYBOOKS / playbook, pdd / "project" / playbook)
    (pdd / "inventory" / "hosts").write_text(inventory)
    env = {"ANSIBLE_COLLECTIONS_PATH": str(helpers.collections_path()),
           "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
           "ANSIBLE_HOME": str(base / "ansible-home"),
           "ANSIBLE_LOCAL_TEMP": str(base / "tmp"),
           "ANSIBLE_NOCOLOR": "1",
           # ansible-playbook of the test's ansible-core (the venv, or ansible-test's)
           "PATH": os.path.dirname(helpers.ansible_playbook_command()[0]) + os.pathsep + os.environ.get("PATH", "")}
    env.update(envvars or {})
    (pdd / "env" / "envvars").write_text(yaml.safe_dump(env))
    (pdd / "env" / "extravars").write_text(yaml.safe_dump(extravars or {}))
    return pdd


def run(base: Path, playbook: str, inventory: str, extravars=None, envvars=None):
    pdd = private_data_dir(base, playbook, inventory, extravars, envvars)
    runner = ansible_runner.run(private_data_dir=str(pdd), playbook=playbook, quiet=True, ident="job",
                                process_isolation=False, timeout=600)
    artifacts = pdd / "artifacts" / "job"
    # what AWX reads besides the events: the status, the rc and the stdout, kept as files
    assert (artifacts / "status").read_text() == runner.status
    assert (artifacts / "rc").read_text() == str(runner.rc)
    assert (artifacts / "stdout").is_file()
    assert runner.status == "successful" and runner.rc == 0, (artifacts / "stdout").read_text()[-4000:]
    return runner


def ok_events(runner, task):
    """{host: result} of the runner_on_ok events of a task (by the name ansible-runner reports)."""
    return {e["event_data"]["host"]: e["event_data"]["res"] for e in runner.events
            if e["event"] == "runner_on_ok" and e["event_data"].get("task") == task}


def stats(runner):
    [event] = [e for e in runner.events if e["event"] == "playbook_on_stats"]
    return event["event_data"]


def task_name(qualified):
    """The task name of a test module's "role : task" constant, as the events carry it (role apart)."""
    return qualified.split(" : ", 1)[1]


def test_enablement_under_ansible_runner(sim, installed_collection, tmp_path):
    summary_md, summary_json = tmp_path / "summary.md", tmp_path / "summary.json"
    runner = run(tmp_path, "oauth_enable.yml", enablement.inventory(sim, {"cuc1": ["cucm1"]}), envvars={
        "ANSIBLE_CALLBACKS_ENABLED": "collab.uc.gitops_summary",
        "COLLAB_UC_GITOPS_SUMMARY": str(summary_md), "COLLAB_UC_GITOPS_SUMMARY_JSON": str(summary_json)})
    applied = ok_events(runner, task_name(enablement.CUCM_TASK))
    assert applied["cucm1"]["changed"] is True
    assert ok_events(runner, task_name(enablement.CUC_TASK))["cuc1"]["changed"] is True
    assert stats(runner)["changed"].keys() >= {"cucm1", "cuc1"} and not stats(runner)["failures"]
    # the simulator's state, and the collection's callback output
    assert sim.state("cucm1")["enterprise_parameters"]["oAuthWithRefreshLoginFlow"] in ("true", "t", "1", "T")
    [server] = sim.state("cuc1")["authz_servers"]
    assert server["LastSyncStatus"].startswith("Passed")
    assert "### cucm1" in summary_md.read_text() and "### cuc1" in summary_md.read_text()
    assert json.loads(summary_json.read_text())
    # a second job changes nothing
    sim.reset(state=False)
    again = run(tmp_path / "again", "oauth_enable.yml", enablement.inventory(sim, {"cuc1": ["cucm1"]}))
    assert not any(stats(again)["changed"].values()) and sim.get_counters()["writes"] == 0


@pytest.mark.sim_lab(None, time_scale=rotation.SIM_TIME_SCALE)  # the default lab, as fast as test_authz_key_rotation's
def test_rotation_under_ansible_runner(sim, installed_collection, tmp_path):
    rotation.prepare(sim)
    state_dir = tmp_path / "state"
    runner = run(tmp_path, "authz_key_rotate.yml", rotation.inventory(sim, state_dir), envvars=sim.time_env())
    assert ok_events(runner, task_name(rotation.REGEN_TASK))["cucm1"]["changed"] is True
    assert stats(runner)["changed"].get("cucm1") and not stats(runner)["failures"]
    rotation.assert_rotated_once(sim, state_dir)        # the simulator: one regeneration, each restart once
    report, markdown = rotation.report(state_dir)       # the rotation's report, in JSON and Markdown
    assert report and "cucm1" in markdown


@pytest.mark.sim_lab(revocation.SIM_LAB)
def test_revocation_under_ansible_runner(sim, installed_collection, tmp_path):
    leavers = tmp_path / "leavers.txt"
    leavers.write_text("\n".join(revocation.LEAVERS) + "\n", encoding="utf-8")
    report_dir = tmp_path / "reports"
    runner = run(tmp_path, "revoke_refresh_tokens.yml", revocation.inventory(sim), extravars={
        "refresh_token_revocation_leavers_file": str(leavers), "refresh_token_revocation_report_dir": str(report_dir)})
    revoked = ok_events(runner, task_name(revocation.REVOKE_TASK))
    assert revoked["cucm1"]["changed"] is True and revoked["cucm1"]["summary"]["revoked"] == 52
    assert stats(runner)["changed"].keys() >= {"cucm1", "cucm2"}
    assert len(revocation.revoke_paths(sim, "cucm1")) == 52 and len(revocation.revoke_paths(sim, "cucm2")) == 1
    assert sim.state("cucm1")["tokens_by_user"] == {"stays": 1}
    [report] = revocation.reports(report_dir, "cucm1")
    assert [r["user"] for r in revocation.read_csv(report)] == revocation.LEAVERS


# -- job slicing --------------------------------------------------------------------------------------------------
def awx_slices(inventory: str, count: int):
    """The INI inventory as AWX's job slicing splits it: the hosts in inventory order, slice k of ``count`` gets
    every host whose index i has i % count == k - 1; each slice keeps the groups (with only its hosts) and every
    variable section."""
    hosts, section = [], None
    for line in inventory.splitlines():
        if line.startswith("["):
            section = line
        elif line.strip() and (section is None or not section.endswith(":vars]")):
            name = line.split()[0]
            if name not in hosts:
                hosts.append(name)
    slices = []
    for k in range(count):
        mine = set(hosts[k::count])
        lines, section = [], None
        for line in inventory.splitlines():
            if line.startswith("["):
                section = line
            elif line.strip() and (section is None or not section.endswith(":vars]")) and line.split()[0] not in mine:
                continue
            lines.append(line)
        slices.append(("\n".join(lines) + "\n", sorted(mine)))
    return slices


def run_side_by_side(base: Path, playbook: str, inventories, extravars=None):
    """One ansible-runner job per slice, started together (as AWX's workflow of slice jobs); their runners."""
    jobs = []
    for number, inventory in enumerate(inventories, 1):
        pdd = private_data_dir(base / ("slice-%d" % number), playbook, inventory, extravars)
        thread, runner = ansible_runner.run_async(private_data_dir=str(pdd), playbook=playbook, quiet=True,
                                                  ident="job", process_isolation=False, timeout=600)
        jobs.append((thread, runner))
    for thread, _runner in jobs:
        thread.join()
    return [runner for _thread, runner in jobs]


@pytest.mark.sim_lab(revocation.SIM_LAB)
def test_revocation_in_two_awx_slices_side_by_side_does_the_work_of_one_run(sim, installed_collection, tmp_path):
    leavers = tmp_path / "leavers.txt"
    leavers.write_text("\n".join(revocation.LEAVERS) + "\n", encoding="utf-8")
    report_dir = tmp_path / "reports"
    slices = awx_slices(revocation.inventory(sim), 2)
    assert [hosts for _inv, hosts in slices] == [["cucm2", "localhost"], ["cucm1"]]   # round-robin, in order
    runners = run_side_by_side(tmp_path, "revoke_refresh_tokens.yml", [inv for inv, _hosts in slices], extravars={
        "refresh_token_revocation_leavers_file": str(leavers), "refresh_token_revocation_report_dir": str(report_dir)})
    assert [r.status for r in runners] == ["successful", "successful"]
    # the same work as one run (test_revocation_under_ansible_runner), nothing twice
    paths = revocation.revoke_paths(sim, "cucm1")
    assert len(paths) == len(set(paths)) == 52 and len(revocation.revoke_paths(sim, "cucm2")) == 1
    assert sim.state("cucm1")["tokens_by_user"] == {"stays": 1} and sim.state("cucm2")["tokens_by_user"] == {}
    # one report per cluster, each written by the slice that holds it: together, the one run's reports
    assert len(revocation.reports(report_dir, "cucm1")) == 1 and len(revocation.reports(report_dir, "cucm2")) == 1


def test_enablement_in_awx_slices_that_split_a_connection_from_its_cluster_writes_nothing_there(
        sim, installed_collection, tmp_path):
    """The enablement role needs its cross-host facts (a Connection host is planned against the clusters it
    serves), so it is not run sliced (docs/aap.md); a slice that holds a Connection host without its cluster stops
    in the preflight, says why, and writes nothing to it."""
    slices = awx_slices(enablement.inventory(sim, {"cuc1": ["cucm1"]}), 2)
    assert [hosts for _inv, hosts in slices] == [["cucm1"], ["cuc1"]]
    runners = run_side_by_side(tmp_path, "oauth_enable.yml", [inv for inv, _hosts in slices])
    assert [r.status for r in runners] == ["successful", "failed"]
    failed = [e["event_data"]["res"].get("msg", "") for e in runners[1].events if e["event"] == "runner_on_failed"]
    assert any("serves cucm1, which is not a host of the group cucm_clusters (an AWX job slice holds only some "
               "hosts: run this role with job slicing off)" in str(msg) for msg in failed), failed
    assert not sim.state("cuc1")["authz_servers"]
    assert not [r for r in sim.get_requests("cuc1") if r["kind"] == "write"]
