"""The role collab.uc.oauth_refresh_login and the playbook collab.uc.oauth_enable against the simulator: the plan in
check mode, the change, the second run, the preflight that stops before any write, the connection from
module_defaults or from the environment alone, a run interrupted half-way and run again, and Expressway-C set over
its admin CLI (the audit lab: seed 003's Expressway with OAuth off) or left to the checklist."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import ucsim

from helpers import EXPRESSWAY_PASSWORD, EXPRESSWAY_USERNAME, expressway_discovery_lab, shipped_lab

MULTI_LAB = Path(ucsim.__file__).resolve().parent / "labs" / "multi.yml"
AUDIT_LAB = shipped_lab("audit")
# the audit lab's expc-a without the assumed "with refresh" leaf, and with a leaf the collection does not know
NO_REFRESH_LAB = expressway_discovery_lab(extra={"CollaborationEdge SomeNewLeaf": "On"})
PLAYBOOK = "- ansible.builtin.import_playbook: collab.uc.oauth_enable\n"
ROLE = "collab.uc.oauth_refresh_login : "
PLAN_TASK = ROLE + "Show the plan"
GATE_TASK = ROLE + "Stop before any write if a system is not ready"
CUCM_TASK = ROLE + "Set refresh login and the token expiry timers"
CUC_TASK = ROLE + "Point Unity Connection at each cluster it serves and sync the keys"
VERIFY_TASK = ROLE + "Check Token reuse (CUCM), the key syncs (Unity Connection) and the MRA authorization (Expressway-C)"
EXPRESSWAY_TASK = ROLE + "Set Expressway-C's MRA authorization (OAuthLocal, LegacyCred, OAuth token with refresh)"
CHECKLIST_TASK = ROLE + "Print what no API can do"

PASSWORDS = {"cucm1": ("axladmin", "C1sco12345!"), "cucm-a": ("axladmin", "C1sco12345!"),
             "cucm-b": ("axladmin-b", "B-Sec ret1")}


def inventory(sim, serves, connection=True, cluster_vars=None, expressways=None, passwords=None):
    """INI inventory: every CUCM system of the lab a cluster host, every Connection system in `serves`
    ({name: [clusters]}) a Connection host, every Expressway-C in `expressways` ({name: [clusters, variable=value
    ...]}) an Expressway-C host; with `connection`, the variables the playbook turns into module_defaults."""
    lines = ["[all:vars]", "ansible_connection=local", "ansible_python_interpreter=%s" % sys.executable,
             "ansible_host=%s" % sim.host, "", "[cucm_clusters]"]
    for system in sim.systems():
        if system["kind"] != "cucm":
            continue
        user, password = (passwords or PASSWORDS)[system["name"]]
        fields = ["oauth_refresh_login_publisher_port=%d" % system["port"],
                  "oauth_refresh_login_authz_username=%s" % user,
                  "'oauth_refresh_login_authz_password=%s'" % password]
        if connection:
            fields += ["cucm_port=%d" % system["port"], "cucm_username=%s" % user,
                       "'cucm_password=%s'" % password, "cucm_ca_path=%s" % sim.ca]
        fields += ["%s=%s" % item for item in (cluster_vars or {}).get(system["name"], {}).items()]
        lines.append(" ".join([system["name"]] + fields))
    lines += ["", "[cuc_systems]"]
    for name, clusters in serves.items():
        fields = ["oauth_refresh_login_serves=%s" % ",".join(clusters)]
        if connection:
            fields += ["cuc_port=%d" % sim.system(name)["port"], "cuc_username=cucadmin",
                       "'cuc_password=C1sco12345!'", "cuc_ca_path=%s" % sim.ca]
        lines.append(" ".join([name] + fields))
    lines += ["", "[expressway_systems]"]
    for name, clusters in (expressways or {}).items():
        fields = ["oauth_refresh_login_serves=%s" % ",".join(c for c in clusters if "=" not in c)]
        fields += [c for c in clusters if "=" in c]
        if connection and not any(c.startswith("expressway_port=") for c in clusters):
            fields.append("expressway_port=%d" % sim.system(name)["nodes"][0]["ports"]["ssh"])
        if connection:
            fields += ["expressway_username=%s" % EXPRESSWAY_USERNAME, "'expressway_password=%s'" % EXPRESSWAY_PASSWORD,
                       "expressway_known_hosts=%s" % sim.known_hosts]
        lines.append(" ".join([name] + fields))
    return "\n".join(lines) + "\n"


def writes(sim):
    return sim.get_counters()["writes"]


@pytest.mark.matrix
def test_check_mode_plans_apply_changes_and_second_run_changes_nothing(sim, run_playbook):
    inv = inventory(sim, {"cuc1": ["cucm1"]})
    cucm_port = sim.system("cucm1")["port"]

    plan = run_playbook(PLAYBOOK, inventory=inv, check=True, diff=True)
    assert plan.rc == 0, plan.describe()
    assert writes(sim) == 0
    lines = plan.task(PLAN_TASK)["result"]["msg"]
    assert lines[0] == "Plan (check mode: nothing is written):"
    assert "cucm1: refresh_login: False -> True" in lines
    for setting, to in (("server_address", sim.host), ("server_port", cucm_port), ("server_username", "axladmin"),
                        ("ignore_certificate_errors", False)):
        assert "cuc1: AuthZ server cucm1: %s: None -> %s" % (setting, to) in lines
    assert "cuc1: AuthZ server cucm1: key sync: absent -> passed" in lines
    assert len(lines) == 7, lines
    assert plan.task(CUCM_TASK, "cucm1")["diff"], "check mode shows the diff"
    assert not sim.state("cuc1")["authz_servers"]

    apply = run_playbook(PLAYBOOK, inventory=inv, diff=True)
    assert apply.rc == 0, apply.describe()
    assert apply.task(CUCM_TASK, "cucm1")["changed"]
    assert apply.task(CUC_TASK, "cuc1")["changed"]
    verified = apply.task(VERIFY_TASK)
    assert verified["status"] == "ok" and verified["result"]["msg"] == "verified: cucm1, cuc1", verified
    assert sim.state("cucm1")["enterprise_parameters"]["oAuthWithRefreshLoginFlow"] in ("true", "t", "1", "T")
    [server] = sim.state("cuc1")["authz_servers"]
    assert server["DisplayName"] == "cucm1" and server["Port"] == cucm_port
    assert server["LastSyncStatus"].startswith("Passed")
    checklist = "\n".join(apply.task(CHECKLIST_TASK)["result"]["msg"])
    assert '"Authorize by OAuth token with refresh" = On' in checklist
    assert 'Unity Connection cuc1' in checklist and '"OAuth with Refresh Login Flow" = Enabled' in checklist

    sim.reset(state=False)
    again = run_playbook(PLAYBOOK, inventory=inv)
    assert again.rc == 0, again.describe()
    assert not again.changed, [r["task"] for r in again.results if r.get("changed")]
    counters = sim.get_counters()
    assert counters["writes"] == 0
    assert counters["requests"] <= 8, counters["by_operation"]
    assert again.task(PLAN_TASK)["result"]["msg"][1:] == ["cucm1: no change", "cuc1: no change"]


@pytest.mark.matrix
@pytest.mark.sim_lab(MULTI_LAB)
def test_preflight_lists_every_problem_in_one_message_and_writes_nothing(sim, run_playbook):
    sim.set_state({"cucm-a": {"version": "11.5.1.12900(1)"}})
    inv = inventory(sim, {"cuc-a": ["cucm-a", "nowhere"]}, cluster_vars={"cucm-b": {"cucm_password": "wrong"}})
    res = run_playbook(PLAYBOOK, inventory=inv, extravars={"oauth_refresh_login_refresh_token_expiry": 400})
    assert res.rc != 0
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [GATE_TASK], res.describe()
    message = failed[0]["msg"]
    assert message.startswith("Preflight found 5 problem(s); nothing was written on any system."), message
    for expected in ("cucm-a (CUCM cluster): version 11.5.1.12900(1) is below 11.5.1.13900",
                     "cucm-a (CUCM cluster): oauth_refresh_login_refresh_token_expiry is 400, outside 1-365 days",
                     "cucm-b (CUCM cluster): oauth_refresh_login_refresh_token_expiry is 400",
                     "cucm-b (CUCM cluster): cannot read it: CUCM %s:%d: getCCMVersion failed: authentication failed"
                     % (sim.host, sim.system("cucm-b")["port"]),
                     "cuc-a (Unity Connection): serves nowhere, which is not a host of the group cucm_clusters"):
        assert expected in message, message
    assert writes(sim) == 0
    assert not [r for r in res.results if r["task"] in (CUCM_TASK, CUC_TASK) and r["status"] != "skipped"]


@pytest.mark.matrix
def test_connection_from_the_environment_alone(sim, run_playbook, cucm_env, cuc_env):
    """No module_defaults, no connection variable: the modules take CUCM_* and CUC_* from the environment."""
    play = """
- name: The role with the connection from the environment
  hosts: cucm_clusters:cuc_systems
  gather_facts: false
  roles:
    - role: collab.uc.oauth_refresh_login
"""
    inv = inventory(sim, {"cuc1": ["cucm1"]}, connection=False)
    res = run_playbook(play, inventory=inv, env=dict(cucm_env, **cuc_env))
    assert res.rc == 0, res.describe()
    assert res.task(CUCM_TASK, "cucm1")["changed"] and res.task(CUC_TASK, "cuc1")["changed"]
    assert sim.state("cuc1")["authz_servers"][0]["LastSyncStatus"].startswith("Passed")


def test_interrupted_run_resumes_without_writing_twice(sim, run_playbook):
    """The Connection sync fails after CUCM was written (wrong AXL password for Connection); once the password is
    fixed, the next run writes nothing on CUCM, sends the password again and syncs."""
    bad = inventory(sim, {"cuc1": ["cucm1"]},
                    cluster_vars={"cucm1": {"oauth_refresh_login_authz_password": "'not the password'"}})
    first = run_playbook(PLAYBOOK, inventory=bad)
    assert first.rc != 0
    assert first.task(CUCM_TASK, "cucm1")["changed"]
    assert first.task(CUC_TASK, "cuc1")["failed"]
    assert "Invalid Username or Password" in sim.state("cuc1")["authz_servers"][0]["LastSyncStatus"]
    cucm_writes = sim.get_counters("cucm1")["writes"]
    assert cucm_writes == 1

    second = run_playbook(PLAYBOOK, inventory=inventory(sim, {"cuc1": ["cucm1"]}))
    assert second.rc == 0, second.describe()
    assert sim.get_counters("cucm1")["writes"] == cucm_writes, "CUCM is not written again"
    assert second.task(CUC_TASK, "cuc1")["changed"]
    assert sim.state("cuc1")["authz_servers"][0]["LastSyncStatus"].startswith("Passed")
    assert second.task(VERIFY_TASK)["status"] == "ok"


AUDIT_PASSWORDS = {"cucm-a": ("axladmin", "C1sco12345!"), "cucm-b": ("axladmin", "C1sco12345!")}


def audit_inventory(sim, expressways=None, **kwargs):
    """The audit lab: both clusters, cuc-a serving both, expc-a (seed 003: OAuth off) serving cucm-a."""
    return inventory(sim, {"cuc-a": ["cucm-a", "cucm-b"]}, passwords=AUDIT_PASSWORDS,
                     expressways=expressways or {"expc-a": ["cucm-a"]}, **kwargs)


def ssh_writes(sim, system="expc-a"):
    return [e["operation"] for e in sim.get_requests(system) if e.get("transport") == "ssh" and e["kind"] == "write"]


def checklist_lines(run):
    return run.task(CHECKLIST_TASK)["result"]["msg"]


@pytest.mark.sim_lab(AUDIT_LAB)
def test_expressway_is_planned_set_after_cucm_verified_and_left_alone_the_second_time(sim, run_playbook):
    # seed 003's Expressway, with "Authorize by user credentials" off as well (Cisco's default)
    sim.set_state({"expc-a": {"xconfiguration": {"CollaborationEdge LegacyCred": "Off"}}})
    inv = audit_inventory(sim)

    plan = run_playbook(PLAYBOOK, inventory=inv, check=True, diff=True)
    assert plan.rc == 0, plan.describe()
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0, counters
    for name in ("cucm-a", "cucm-b", "cuc-a", "expc-a"):
        assert sim.get_counters(name)["writes"] == 0, name
    assert sim.get_counters("expc-a")["ssh_logins"] == 2  # the preflight's read and the check-mode task
    lines = plan.task(PLAN_TASK)["result"]["msg"]
    for line in ("expc-a: oauth_token_with_refresh (CollaborationEdge OAuthWithRefresh): Off -> On",
                 "expc-a: oauth_token (CollaborationEdge OAuthLocal): Off -> On"):
        assert line in lines, lines
    # "Authorize by user credentials" is left alone by default (it opens password logins at the edge)
    assert not [line for line in lines if "LegacyCred" in line], lines
    planned = plan.task(EXPRESSWAY_TASK, "expc-a")
    assert planned["changed"] and planned["diff"]["before"]["oauth_token"] == "Off", planned
    assert planned["diff"]["after"]["oauth_token"] == "On", planned
    assert sim.state("expc-a")["xconfiguration"]["CollaborationEdge OAuthLocal"] == "Off"

    sim.reset(state=False)
    apply = run_playbook(PLAYBOOK, inventory=inv)
    assert apply.rc == 0, apply.describe()
    assert apply.task(EXPRESSWAY_TASK, "expc-a")["changed"]
    assert sorted(ssh_writes(sim)) == ["xConfiguration CollaborationEdge OAuthLocal: On",
                                       "xConfiguration CollaborationEdge OAuthWithRefresh: On"]
    xconf = sim.state("expc-a")["xconfiguration"]
    assert [xconf["CollaborationEdge " + leaf] for leaf in ("OAuthWithRefresh", "OAuthLocal", "LegacyCred")] == [
        "On", "On", "Off"]
    # Expressway is written after CUCM (the request log is in time order)
    log = sim.get_requests()
    written = [i for i, e in enumerate(log) if e["kind"] == "write"]
    cucm = [i for i in written if log[i]["system"] in ("cucm-a", "cucm-b")]
    expressway = [i for i in written if log[i]["system"] == "expc-a"]
    assert cucm and expressway and max(cucm) < min(expressway), [(log[i]["system"], log[i]["operation"]) for i in written]
    verified = apply.task(VERIFY_TASK)
    assert verified["status"] == "ok" and verified["result"]["msg"] == "verified: cucm-a, cucm-b, cuc-a, expc-a"
    # the checklist keeps "Refresh servers" for expc-a, and no MRA setting for it
    lines = checklist_lines(apply)
    assert [line for line in lines if "expc-a" in line] == [
        '[ ] Expressway (expc-a): Configuration > Unified Communications > Unified CM servers (and IM and Presence '
        'Service nodes, Unity Connection servers): "Refresh servers"'], lines
    assert not [line for line in lines if "MRA Access Control" in line and "cucm-a" in line], lines

    sim.reset(state=False)
    again = run_playbook(PLAYBOOK, inventory=inv)
    assert again.rc == 0, again.describe()
    assert not again.changed, [r["task"] for r in again.results if r.get("changed")]
    assert sim.get_counters()["writes"] == 0
    assert sim.get_counters("expc-a")["ssh_logins"] == 1, "only the preflight's read"
    assert "expc-a: no change" in again.task(PLAN_TASK)["result"]["msg"]

    # asked for, "Authorize by user credentials" is planned like the others
    sim.reset(state=False)
    legacy = run_playbook(PLAYBOOK, inventory=inv, check=True,
                          extravars={"oauth_refresh_login_expressway_user_credentials": True})
    assert legacy.rc == 0, legacy.describe()
    assert sim.get_counters()["writes"] == 0
    assert ["expc-a: user_credentials (CollaborationEdge LegacyCred): Off -> On"] == [
        line for line in legacy.task(PLAN_TASK)["result"]["msg"] if "expc-a:" in line], legacy.task(PLAN_TASK)


@pytest.mark.sim_lab(AUDIT_LAB)
def test_expressway_problems_join_the_one_preflight_message(sim, run_playbook):
    sim.set_state({"expc-a": {"version": "X8.9.2"}})
    inv = audit_inventory(sim, expressways={"expc-a": ["cucm-a", "cucm-b"],
                                            "expc-gone": ["cucm-a", "expressway_port=1"]},
                          cluster_vars={"cucm-b": {"oauth_refresh_login_enabled": "false"}})
    res = run_playbook(PLAYBOOK, inventory=inv,
                       extravars={"oauth_refresh_login_expressway_refresh_setting": "OAuthRefreshElsewhere"})
    assert res.rc != 0
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [GATE_TASK], res.describe()
    message = failed[0]["msg"]
    assert message.startswith("Preflight found 4 problem(s); nothing was written on any system."), message
    for expected in ("expc-a (Expressway-C): serves clusters that disagree on refresh login (cucm-a on, cucm-b off)",
                     "expc-a (Expressway-C): version X8.9.2 is below X8.10.1",
                     "expc-a (Expressway-C): has no setting xConfiguration CollaborationEdge OAuthRefreshElsewhere",
                     "expc-gone (Expressway-C): cannot read it: "):
        assert expected in message, message
    assert "cannot connect" in message and "checklist" in message, message
    assert sim.get_counters()["writes"] == 0 and sim.get_counters()["write_attempts"] == 0


@pytest.mark.sim_lab(NO_REFRESH_LAB)
@pytest.mark.parametrize("check", [False, True], ids=["apply", "check_mode"])
def test_expressway_without_the_assumed_leaf_stops_in_preflight_with_zero_writes_anywhere(sim, run_playbook, check):
    """Acceptance (issue 18, item 5): an Expressway without the assumed leaf: the enablement role stops in
    preflight, naming the leaves it found, with zero writes on every system (CUCM, Connection and Expressway)."""
    inv = audit_inventory(sim)
    res = run_playbook(PLAYBOOK, inventory=inv, check=check)
    assert res.rc != 0, res.describe()
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [GATE_TASK], res.describe()
    message = failed[0]["msg"]
    assert message.startswith("Preflight found 1 problem(s); nothing was written on any system."), message
    assert ("expc-a (Expressway-C): has no setting xConfiguration CollaborationEdge OAuthWithRefresh; its "
            "xConfiguration CollaborationEdge section shows 5 leaves: Enabled, OAuthLocal, LegacyCred, "
            "InternalAuthAvailability, SomeNewLeaf") in message, message
    assert "oauth_refresh_login_expressway_refresh_setting" in message and "assumption" in message, message
    # no system's apply ran, and not one write (nor attempt) reached any system, over HTTPS or SSH
    for task in (CUCM_TASK, CUC_TASK, EXPRESSWAY_TASK):
        assert not [r for r in res.results if r["task"] == task and r["status"] != "skipped"], task
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0, counters
    for name in ("cucm-a", "cucm-b", "cuc-a", "expc-a"):
        assert sim.get_counters(name)["writes"] == 0, name
        assert not [e for e in sim.get_requests(name) if e["kind"] == "write"], name
    assert sim.get_counters("cucm-a")["requests"] > 0 and sim.get_counters("cuc-a")["requests"] > 0
    assert sim.get_counters("expc-a")["ssh_logins"] == 1, "only the preflight's read"
    assert sim.state("expc-a")["xconfiguration_writes"] == 0
    assert [e["operation"] for e in sim.get_requests("expc-a") if e["operation"].startswith("xConfiguration")] == [
        "xConfiguration CollaborationEdge"]


@pytest.mark.sim_lab(AUDIT_LAB)
def test_checklist_mode_never_connects_and_lists_the_settings(sim, run_playbook):
    inv = audit_inventory(sim, expressways={"expc-a": ["cucm-a", "oauth_refresh_login_expressway_mode=checklist"]},
                          cluster_vars={"cucm-b": {"oauth_refresh_login_expressways": "'[\"expc-b.example.com\"]'"}})
    res = run_playbook(PLAYBOOK, inventory=inv)
    assert res.rc == 0, res.describe()
    counters = sim.get_counters("expc-a")
    assert counters["ssh_logins"] == 0 and counters["requests"] == 0, counters
    lines = checklist_lines(res)
    mra = ('Configuration > Unified Communications > Configuration > MRA Access Control: "Authorize by OAuth token '
           'with refresh" = On, to agree with CUCM, "Authorize by OAuth token" = On')
    assert "[ ] Expressway (expc-a): " + mra in lines, lines
    assert "[ ] Expressway (expc-b.example.com): " + mra in lines, lines
    assert len([line for line in lines if '"Refresh servers"' in line]) == 2, lines


@pytest.mark.sim_lab(AUDIT_LAB)
@pytest.mark.parametrize("check", [False, True], ids=["apply", "check_mode"])
def test_read_only_expressway_account_stops_in_preflight_with_zero_writes_anywhere(sim, run_playbook, check):
    """Acceptance (issue 20): with a read-only Expressway account (privilege 1: it may read, not set), the
    enablement role fails in preflight, naming the account's access and the role variable to change, with zero
    writes on every system; on main's code the preflight accepted it and CUCM and Connection were written first."""
    sim.set_state({"expc-a": {"admins": [{"userid": EXPRESSWAY_USERNAME, "password": EXPRESSWAY_PASSWORD,
                                          "privilege": 1}]}})
    res = run_playbook(PLAYBOOK, inventory=audit_inventory(sim), check=check)
    assert res.rc != 0, res.describe()
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [GATE_TASK], res.describe()
    message = failed[0]["msg"]
    assert message.startswith("Preflight found 1 problem(s); nothing was written on any system."), message
    assert "expc-a (Expressway-C): the account may only read (its access level is read-only)" in message, message
    assert "oauth_refresh_login_expressway_mode" in message, message
    for task in (CUCM_TASK, CUC_TASK, EXPRESSWAY_TASK):
        assert not [r for r in res.results if r["task"] == task and r["status"] != "skipped"], task
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0, counters
    for name in ("cucm-a", "cucm-b", "cuc-a", "expc-a"):
        assert sim.get_counters(name)["writes"] == 0, name
        assert not [e for e in sim.get_requests(name) if e["kind"] == "write"], name
    assert sim.state("expc-a")["xconfiguration_writes"] == 0
    # the preflight saw the access level with a read (one login, no xConfiguration set)
    assert "xStatus Login Session AccessLevel" in [e["operation"] for e in sim.get_requests("expc-a")]
    assert sim.get_counters("expc-a")["ssh_logins"] == 1


@pytest.mark.parametrize("check", [False, True], ids=["apply", "check_mode"])
def test_read_only_axl_account_stops_in_preflight_with_zero_writes_anywhere(sim, run_playbook, check):
    """Acceptance (issue 20, item 4): an AXL account that may only read (ucsim's role `axl_read`, CUCM's Standard
    AXL Read Only API Access) reads everything, so the preflight used to pass and the apply failed at CUCM's
    first write; the preflight now reads the account's roles (getAppUser, only where the plan writes) and stops,
    naming the role, with zero writes on every system."""
    sim.set_state({"cucm1": {"users": [{"userid": "axlreader", "password": "R3ad-Only!", "roles": ["axl_read"]}]}})
    sim.reset(state=False)
    res = run_playbook(PLAYBOOK, inventory=inventory(sim, {"cuc1": ["cucm1"]},
                                                     passwords={"cucm1": ("axlreader", "R3ad-Only!")}), check=check)
    assert res.rc != 0, res.describe()
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [GATE_TASK], res.describe()
    message = failed[0]["msg"]
    assert message.startswith("Preflight found 1 problem(s); nothing was written on any system."), message
    assert ("cucm1 (CUCM cluster): the AXL account may only read (its roles: Standard AXL Read Only API Access), "
            "and the plan sets refresh_login") in message, message
    assert '"Standard AXL API Access"' in message
    assert not [r for r in res.results if r["task"] in (CUCM_TASK, CUC_TASK) and r["status"] != "skipped"]
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0, counters
    for name in ("cucm1", "cuc1"):
        assert not [e for e in sim.get_requests(name) if e["kind"] in ("write", "auth_failed")], name
    assert "getAppUser" in [e["operation"] for e in sim.get_requests("cucm1")]
    assert not sim.state("cuc1")["authz_servers"]


def test_an_account_that_is_no_connection_administrator_stops_in_preflight_with_zero_writes_anywhere(
        sim, run_playbook):
    """A Connection account without the System Administrator role (ucsim: no role `admin`) is refused by CUPI: the
    preflight's read says so, and nothing is written on CUCM either."""
    inv = inventory(sim, {"cuc1": ["cucm1"]}).replace("cuc_username=cucadmin", "cuc_username=cucuser")
    res = run_playbook(PLAYBOOK, inventory=inv)
    assert res.rc != 0, res.describe()
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [GATE_TASK], res.describe()
    message = failed[0]["msg"]
    assert "cuc1 (Unity Connection): cannot read its AuthZ servers: " in message, message
    assert "System Administrator" in message, message
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["write_attempts"] == 0, counters
    assert not [e for e in sim.get_requests("cucm1") if e["operation"] == "updateServiceParameter"]


@pytest.mark.sim_lab(MULTI_LAB)
def test_role_variables_of_the_wrong_type_stop_every_host_in_one_task_before_any_read(sim, run_playbook):
    """The playbook leaves Ansible's per-host check of the role's arguments (a worker process per host) to the plan
    step, which checks every host's role variables against meta/argument_specs.yml at once, before any read."""
    inv = inventory(sim, {"cuc-a": ["cucm-a"]}, cluster_vars={"cucm-b": {"oauth_refresh_login_enabled": "maybe"}})
    res = run_playbook(PLAYBOOK, inventory=inv, extravars={"oauth_refresh_login_access_token_expiry": "soon"})
    assert res.rc != 0
    failed = [r for r in res.results if r["failed"]]
    assert [r["task"] for r in failed] == [GATE_TASK], res.describe()
    message = failed[0]["msg"]
    assert message.startswith("Preflight found 3 problem(s); nothing was written on any system."), message
    for host in ("cucm-a", "cucm-b", "cuc-a"):
        assert "- %s" % host in message and "oauth_refresh_login_access_token_expiry" in message, message
    assert "argument 'oauth_refresh_login_enabled' is of type" in message, message
    assert "The value 'maybe' is not a valid boolean" in message, message
    assert message.count("oauth_refresh_login_enabled") == 1, message
    assert not [r for r in res.results if r["task"].startswith(ROLE + "Validating arguments")]
    counters = sim.get_counters()
    assert counters["requests"] == 0 and counters["writes"] == 0, counters
