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


def private_data_dir(base: Path, playbook: str, inventory: str, extravars=None, envvars=None,
                     cmdline=None) -> Path:
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
    if cmdline:  # what a job template's "Show Changes" / job type add to the command line
        (pdd / "env" / "cmdline").write_text(cmdline)
    return pdd


def run(base: Path, playbook: str, inventory: str, extravars=None, envvars=None, cmdline=None):
    pdd = private_data_dir(base, playbook, inventory, extravars, envvars, cmdline)
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


@pytest.mark.matrix
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
    """The INI inventory as AWX's job slicing splits it. AWX orders an inventory's hosts by name and gives slice k
    of ``count`` the hosts k, k + count, k + 2 count... of that order (awx/main/models/inventory.py:
    Inventory.get_script_data, ``order_by('name')``, and get_sliced_hosts, ``hosts[slice_number - 1::slice_count]``);
    "the inventory fed into ansible-playbook is a pared-down version of the original inventory that only contains
    the hosts in that particular slice" (AWX user guide, Job Slicing). Each slice keeps the groups (with only its
    hosts) and every variable section."""
    hosts, section = set(), None
    for line in inventory.splitlines():
        if line.startswith("["):
            section = line
        elif line.strip() and (section is None or not section.endswith(":vars]")):
            hosts.add(line.split()[0])
    hosts = sorted(hosts)
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


def run_side_by_side(base: Path, playbook: str, inventories, extravars=None, envvars=None, cmdline=None):
    """One ansible-runner job per slice, started together (as AWX's workflow of slice jobs); their runners. Each
    job gets AWX's own extra variable ``awx_job_id`` (1001, 1002...), as AWX gives every job."""
    jobs = []
    for number, inventory in enumerate(inventories, 1):
        pdd = private_data_dir(base / ("slice-%d" % number), playbook, inventory,
                               dict(extravars or {}, awx_job_id=1000 + number), envvars, cmdline)
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
    assert [hosts for _inv, hosts in slices] == [["cucm1", "localhost"], ["cucm2"]]   # round-robin, by name
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
    """Without oauth_refresh_login_slicing, the enablement role needs its cross-host facts (a Connection host is
    planned against the clusters it serves); a slice that holds a Connection host without its cluster stops in the
    preflight, says why, and writes nothing to it."""
    slices = awx_slices(enablement.inventory(sim, {"cuc1": ["cucm1"]}), 2)
    assert [hosts for _inv, hosts in slices] == [["cuc1"], ["cucm1"]]
    runners = run_side_by_side(tmp_path, "oauth_enable.yml", [inv for inv, _hosts in slices])
    assert [r.status for r in runners] == ["failed", "successful"]
    failed = [e["event_data"]["res"].get("msg", "") for e in runners[0].events if e["event"] == "runner_on_failed"]
    assert any("serves cucm1, which is not a host of the group cucm_clusters (an AWX job slice holds only some "
               "hosts: run this role with job slicing off, or sliced as docs/aap.md says)" in str(msg)
               for msg in failed), failed
    assert not sim.state("cuc1")["authz_servers"]
    assert not [r for r in sim.get_requests("cuc1") if r["kind"] == "write"]


# -- the enablement in slices, and its combine step ----------------------------------------------------------------
def artifacts(runner):
    """The job's artifacts as AWX keeps them: the set_stats data of its playbook_on_stats event."""
    [event] = [e for e in runner.events if e["event"] == "playbook_on_stats"]
    return event["event_data"].get("artifact_data") or {}


def estate_state(sim):
    """What the enablement sets on every system of the lab, without times."""
    out = {}
    for system in sim.systems():
        state = sim.state(system["name"])
        if system["kind"] == "cucm":
            out[system["name"]] = state["enterprise_parameters"]
        elif system["kind"] == "cuc":
            out[system["name"]] = sorted(
                (s["DisplayName"], s["ServerNodeAddress"], s["Port"], s["ServerUsername"], s["IgnoreCertificateError"],
                 s["LastSyncStatus"].split()[0] if s.get("LastSyncStatus") else None)
                for s in state["authz_servers"])
        else:
            out[system["name"]] = dict((k, v) for k, v in state["xconfiguration"].items()
                                       if k.startswith("CollaborationEdge"))
    return out


def work(sim):
    """Every request of every system, by operation and outcome: the work a run did."""
    out = {}
    for entry in sim.get_requests():
        key = (entry["system"], entry["operation"], entry["kind"], entry["status"])
        out[key] = out.get(key, 0) + 1
    return out


def summary_outputs(base: Path):
    md, js = base / "summary.md", base / "summary.json"
    return md, js, {"ANSIBLE_CALLBACKS_ENABLED": "collab.uc.gitops_summary", "COLLAB_UC_GITOPS_SUMMARY": str(md),
                    "COLLAB_UC_GITOPS_SUMMARY_JSON": str(js)}


@pytest.mark.sim_lab(enablement.AUDIT_LAB)
@pytest.mark.parametrize("count", [2, 3])
def test_enablement_in_awx_slices_and_a_combine_step_does_the_work_of_one_run(sim, installed_collection, tmp_path,
                                                                              count):
    """The audit lab (cucm-a, cucm-b; cuc-a serving both; expc-a serving cucm-a) as one job, then, from the same
    state, as ``count`` slices side by side (each with its own awx_job_id) and the combine step after them, fed the
    slices' artifacts merged as AWX merges them for the next job of a workflow. The slices split every Connection and
    Expressway-C host from a cluster it serves. Same state, same requests, nothing twice, one summary."""
    inventory = enablement.audit_inventory(sim)
    start = {"expc-a": {"xconfiguration": {"CollaborationEdge LegacyCred": "Off"}}}
    sim.set_state(start)
    one_md, one_json, one_env = summary_outputs(tmp_path / "one")
    (tmp_path / "one").mkdir()
    one = run(tmp_path / "one", "oauth_enable.yml", inventory, envvars=one_env, cmdline="--diff")
    one_state, one_work = estate_state(sim), work(sim)
    assert any(key[2] == "write" for key in one_work), one_work
    one_plan = ok_events(one, "Show the plan")
    one_summary = ok_events(one, "Print the summary")

    sim.reset(state=True)
    sim.set_state(start)
    slices = awx_slices(inventory, count)
    if count == 2:
        assert [hosts for _inv, hosts in slices] == [["cuc-a", "cucm-b"], ["cucm-a", "expc-a"]]
    else:
        assert [hosts for _inv, hosts in slices] == [["cuc-a", "expc-a"], ["cucm-a"], ["cucm-b"]]
    runners = run_side_by_side(tmp_path / "sliced", "oauth_enable.yml", [inv for inv, _hosts in slices],
                               extravars={"oauth_refresh_login_slicing": "slice"}, cmdline="--diff")
    assert [r.status for r in runners] == ["successful"] * count
    # the slices wrote the clusters only
    assert not [e for e in sim.get_requests() if e["system"] in ("cuc-a", "expc-a")]
    merged = {}
    for runner in runners:  # AWX: the artifacts of the slice jobs, merged for the next node of the workflow
        merged.update(artifacts(runner))
    assert sorted(merged) == ["__oauth_refresh_login_slice_%d" % (1000 + n) for n in range(1, count + 1)]
    md, js, env = summary_outputs(tmp_path / "sliced")
    if count == 3:  # a slice's artifact missing (its job failed): the combine step stops before any request
        before = len(sim.get_requests())
        partial = dict((k, v) for k, v in merged.items() if not k.endswith("1002"))
        pdd = private_data_dir(tmp_path / "partial", "oauth_enable.yml", inventory,
                               dict(partial, oauth_refresh_login_slicing="combine"))
        failed = ansible_runner.run(private_data_dir=str(pdd), playbook="oauth_enable.yml", quiet=True, ident="job")
        assert failed.status == "failed"
        [message] = [e["event_data"]["res"]["msg"] for e in failed.events if e["event"] == "runner_on_failed"]
        assert message.startswith("Preflight found 1 problem(s); nothing was written on any system."), message
        assert "cucm-a (CUCM cluster): no slice output holds it: its slice failed or did not run" in message
        assert len(sim.get_requests()) == before
    combine = run(tmp_path / "sliced" / "combine", "oauth_enable.yml", inventory, envvars=env, cmdline="--diff",
                  extravars=dict(merged, oauth_refresh_login_slicing="combine"))
    # the same state and the same requests as the one job: every system read, planned and written once
    assert estate_state(sim) == one_state
    assert work(sim) == one_work
    # one plan, one summary, one GitOps summary, equal to the one job's
    assert ok_events(combine, "Show the plan")[next(iter(ok_events(combine, "Show the plan")))]["msg"] == \
        one_plan[next(iter(one_plan))]["msg"]
    assert [r["msg"] for r in ok_events(combine, "Print the summary").values()] == \
        [r["msg"] for r in one_summary.values()]
    assert json.loads(js.read_text()) == json.loads(one_json.read_text())
    assert md.read_text() == one_md.read_text()
    assert "### cucm-b" in md.read_text() and "### expc-a" in md.read_text()  # a slice's cluster, the combine's


@pytest.mark.matrix
@pytest.mark.sim_lab(enablement.AUDIT_LAB)
def test_a_sliced_check_run_and_its_combine_step_write_nothing_and_plan_as_one_check_job(
        sim, installed_collection, tmp_path):
    """Check mode (the job templates' job type Check): the slices and the combine step write nothing, and the
    combine step's plan and GitOps summary are those of one check job; a combine step run for real on the slices'
    check-mode outputs stops before any request."""
    inventory = enablement.audit_inventory(sim)
    md_one, js_one, env_one = summary_outputs(tmp_path / "one")
    (tmp_path / "one").mkdir()
    one = run(tmp_path / "one", "oauth_enable.yml", inventory, envvars=env_one, cmdline="--check --diff")
    one_plan = [r["msg"] for r in ok_events(one, "Show the plan").values()]
    sim.reset(state=False)
    slices = awx_slices(inventory, 2)
    runners = run_side_by_side(tmp_path / "sliced", "oauth_enable.yml", [inv for inv, _hosts in slices],
                               extravars={"oauth_refresh_login_slicing": "slice"}, cmdline="--check --diff")
    assert [r.status for r in runners] == ["successful", "successful"]
    merged = {}
    for runner in runners:
        merged.update(artifacts(runner))
    before = len(sim.get_requests())
    pdd = private_data_dir(tmp_path / "for-real", "oauth_enable.yml", inventory,
                           dict(merged, oauth_refresh_login_slicing="combine"))
    refused = ansible_runner.run(private_data_dir=str(pdd), playbook="oauth_enable.yml", quiet=True, ident="job")
    assert refused.status == "failed" and len(sim.get_requests()) == before
    [message] = [e["event_data"]["res"]["msg"] for e in refused.events if e["event"] == "runner_on_failed"]
    assert "ran in check mode and this combine step runs for real" in message, message
    md, js, env = summary_outputs(tmp_path / "sliced")
    combine = run(tmp_path / "sliced" / "combine", "oauth_enable.yml", inventory, envvars=env,
                  cmdline="--check --diff", extravars=dict(merged, oauth_refresh_login_slicing="combine"))
    assert [r["msg"] for r in ok_events(combine, "Show the plan").values()] == one_plan
    assert json.loads(js.read_text()) == json.loads(js_one.read_text()) and md.read_text() == md_one.read_text()
    assert json.loads(js.read_text())["mode"] == "plan" and "### cucm-b" in md.read_text()
    assert sim.get_counters()["writes"] == 0 and sim.get_counters()["write_attempts"] == 0
