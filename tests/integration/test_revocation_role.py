"""The role collab.uc.refresh_token_revocation and the playbook collab.uc.revoke_refresh_tokens, against two
simulated CUCM clusters."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest
import yaml

SIM_LAB = """
cucm:
  - name: cucm1
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
    end_users:
      - {userid: jdoe, tokens: [jabber, uds]}
      - {userid: "anne o'hara", tokens: [jabber]}
      - {userid: stays, tokens: [jabber]}
    generate_users: {prefix: user, digits: 3, count: 50, tokens_per_user: 2, clients: [jabber, uds]}
  - name: cucm2
    users:
      - {userid: axladmin, password: "C1sco12345!", roles: [axl]}
    end_users:
      - {userid: jdoe, tokens: [jabber]}
      - {userid: nokens}
"""

LEAVERS = ["jdoe", "anne o'hara", "nokens", "ghost"] + ["user%03d" % n for n in range(1, 51)]

# The playbook by its collection name, as users run it (`ansible-playbook collab.uc.revoke_refresh_tokens`);
# run_playbook takes a path or playbook text, hence the import.
PLAYBOOK = "- ansible.builtin.import_playbook: collab.uc.revoke_refresh_tokens\n"
REVOKE_TASK = "collab.uc.refresh_token_revocation : Revoke the leavers' refresh tokens"
SUMMARY_TASK = "collab.uc.refresh_token_revocation : Print the summary"


def inventory(sim, **group_vars):
    hosts = "\n".join("%s ansible_host=%s refresh_token_revocation_port=%d" % (s["name"], sim.host, s["port"])
                      for s in sim.systems() if s["kind"] == "cucm")
    settings = dict(refresh_token_revocation_username="axladmin", refresh_token_revocation_password="C1sco12345!",
                    refresh_token_revocation_ca_path=sim.ca, **group_vars)
    group_vars = "\n".join("%s=%s" % item for item in settings.items())
    return ("localhost ansible_connection=local ansible_python_interpreter=%s\n[cucm_publishers]\n%s\n"
            "[cucm_publishers:vars]\n%s\n" % (sys.executable, hosts, group_vars))


def revoke_paths(sim, system):
    return [r["path"] for r in sim.get_requests(system) if r["operation"] == "revoke" and r["status"] == 200]


def reports(directory: Path, host: str):
    return sorted(directory.glob("%s-*.csv" % host))


def read_csv(path: Path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.matrix
def test_playbook_revokes_on_every_cluster_and_second_run_changes_nothing(sim, run_playbook, tmp_path):
    leavers = tmp_path / "leavers.txt"
    leavers.write_text("\n".join(LEAVERS) + "\n", encoding="utf-8")
    report_dir = tmp_path / "reports"
    extravars = {"refresh_token_revocation_leavers_file": str(leavers),
                 "refresh_token_revocation_report_dir": str(report_dir)}
    res = run_playbook(PLAYBOOK, extravars=extravars, inventory=inventory(sim))
    assert res.rc == 0, res.describe()
    assert res.stats["cucm1"]["changed"] >= 1 and res.stats["cucm2"]["changed"] >= 1

    assert len(revoke_paths(sim, "cucm1")) == 52 and len(revoke_paths(sim, "cucm2")) == 1
    assert sim.state("cucm1")["tokens_by_user"] == {"stays": 1}
    assert sim.state("cucm2")["tokens_by_user"] == {}

    for host, system in (("cucm1", sim.system("cucm1")), ("cucm2", sim.system("cucm2"))):
        found = reports(report_dir, host)
        assert len(found) == 1, found
        rows = read_csv(found[0])
        assert [r["user"] for r in rows] == LEAVERS
        assert set(r["cluster"] for r in rows) == {"%s:%d" % (sim.host, system["port"])}
        assert (report_dir / ("%s.journal.jsonl" % host)).exists()
    outcomes = dict((r["user"], r["outcome"]) for r in read_csv(reports(report_dir, "cucm2")[0]))
    assert outcomes["jdoe"] == "revoked" and outcomes["nokens"] == "no_live_tokens"
    assert outcomes["anne o'hara"] == "unknown_user" and outcomes["user001"] == "unknown_user"
    summary = res.task(SUMMARY_TASK, "cucm1")["msg"]
    assert summary.startswith("cucm1: 54 users, 52 revoked (103 tokens), 0 without live tokens, 2 unknown, 0 failed.")
    assert "Report: %s" % reports(report_dir, "cucm1")[0] in summary

    requests_before = len(sim.get_requests())
    res = run_playbook(PLAYBOOK, extravars=extravars, inventory=inventory(sim))
    assert res.rc == 0, res.describe()
    assert res.stats["cucm1"]["changed"] == 0 and res.stats["cucm2"]["changed"] == 0
    new = sim.get_requests()[requests_before:]
    assert [r for r in new if r["operation"] == "revoke"] == []
    assert len(reports(report_dir, "cucm1")) == 2 and len(reports(report_dir, "cucm2")) == 2   # one per run
    assert "0 revoked (0 tokens), 52 without live tokens" in res.task(SUMMARY_TASK, "cucm1")["msg"]


@pytest.mark.matrix
def test_role_check_mode_revokes_nothing(sim, run_playbook, tmp_path):
    leavers = tmp_path / "leavers.txt"
    leavers.write_text("jdoe\n", encoding="utf-8")
    res = run_playbook(PLAYBOOK, check=True, inventory=inventory(sim), extravars={
        "refresh_token_revocation_leavers_file": str(leavers),
        "refresh_token_revocation_report_dir": str(tmp_path / "reports")})
    assert res.rc == 0, res.describe()
    assert [r for r in sim.get_requests() if r["operation"] == "revoke"] == []
    assert "1 would be revoked (2 tokens)" in res.task(SUMMARY_TASK, "cucm1")["msg"]
    assert sim.state("cucm1")["tokens_by_user"]["jdoe"] == 2


def test_role_without_leavers_file_fails_before_any_request(sim, run_playbook, tmp_path):
    res = run_playbook(PLAYBOOK, inventory=inventory(sim))
    assert res.rc != 0
    assert "refresh_token_revocation_leavers_file" in res.output
    assert sim.get_requests() == []


def test_role_failure_on_one_cluster_leaves_the_other_done(sim, run_playbook, tmp_path):
    leavers = tmp_path / "leavers.txt"
    leavers.write_text("jdoe\n", encoding="utf-8")
    text = inventory(sim).replace("refresh_token_revocation_port=%d" % sim.system("cucm2")["port"],
                                  "refresh_token_revocation_port=%d refresh_token_revocation_password=wrong"
                                  % sim.system("cucm2")["port"])
    res = run_playbook(PLAYBOOK, inventory=text, extravars={
        "refresh_token_revocation_leavers_file": str(leavers),
        "refresh_token_revocation_report_dir": str(tmp_path / "reports")})
    assert res.rc != 0
    assert res.stats["cucm2"]["failures"] == 1 and res.stats["cucm1"]["failures"] == 0
    assert "authentication failed" in res.task(REVOKE_TASK, "cucm2")["msg"]
    assert revoke_paths(sim, "cucm1") == ["/ssosp/token/revoke?user_id=jdoe"]
    assert revoke_paths(sim, "cucm2") == []


def _bare_inventory(sim, names=("cucm1", "cucm2")):
    """Hosts with their address and port only: no refresh_token_revocation_* connection variable."""
    hosts = "\n".join("%s ansible_host=%s cucm_port=%d" % (s["name"], sim.host, s["port"])
                      for s in sim.systems() if s["kind"] == "cucm" and s["name"] in names)
    return ("localhost ansible_connection=local ansible_python_interpreter=%s\n[cucm_publishers]\n%s\n"
            % (sys.executable, hosts))


def module_defaults_play(tmp_path, leavers, group_defaults, role_vars=None):
    """A play with the connection in module_defaults for group/collab.uc.cucm, running the role on the leavers."""
    (tmp_path / "leavers.txt").write_text("".join(user + "\n" for user in leavers), encoding="utf-8")
    variables = dict(role_vars or {}, refresh_token_revocation_leavers_file=str(tmp_path / "leavers.txt"),
                     refresh_token_revocation_report_dir=str(tmp_path / "reports"))
    return yaml.safe_dump([{
        "name": "Offboarding with the connection in module_defaults", "hosts": "cucm_publishers",
        "gather_facts": False, "module_defaults": {"group/collab.uc.cucm": group_defaults},
        "roles": [{"role": "collab.uc.refresh_token_revocation", "vars": variables}]}], sort_keys=False)


@pytest.mark.matrix
def test_role_takes_the_connection_from_play_module_defaults_only(sim, run_playbook, tmp_path):
    # The role's README promises that connection variables left unset leave module_defaults in force: the
    # play sets the connection once for the group, and the role passes nothing (not even omit) over it.
    playbook = module_defaults_play(tmp_path, ["jdoe", "nokens"], {
        "port": "{{ cucm_port }}", "username": "axladmin", "password": "C1sco12345!", "ca_path": sim.ca,
        "validate_certs": True})
    res = run_playbook(playbook, inventory=_bare_inventory(sim))
    assert res.rc == 0, res.describe()
    assert revoke_paths(sim, "cucm1") == ["/ssosp/token/revoke?user_id=jdoe"]
    assert revoke_paths(sim, "cucm2") == ["/ssosp/token/revoke?user_id=jdoe"]
    assert "jdoe" not in sim.state("cucm1")["tokens_by_user"] and sim.state("cucm2")["tokens_by_user"] == {}


def test_role_variables_that_are_set_win_over_play_module_defaults(sim, run_playbook, tmp_path):
    playbook = module_defaults_play(tmp_path, ["jdoe"], {
        "port": "{{ cucm_port }}", "username": "axladmin", "password": "stale", "ca_path": sim.ca},
        role_vars={"refresh_token_revocation_password": "C1sco12345!"})
    res = run_playbook(playbook, inventory=_bare_inventory(sim, names=("cucm1",)))
    assert res.rc == 0, res.describe()
    assert revoke_paths(sim, "cucm1") == ["/ssosp/token/revoke?user_id=jdoe"]


def test_role_takes_the_connection_from_environment_variables_only(sim, run_playbook, tmp_path):
    leavers = tmp_path / "leavers.txt"
    leavers.write_text("jdoe\n", encoding="utf-8")
    env = sim.cucm_env()   # CUCM_HOST/PORT/USERNAME/PASSWORD/CA_PATH of the first cluster, cucm1
    env.pop("CUCM_HOST", None)   # the role passes ansible_host
    res = run_playbook(PLAYBOOK, inventory=_bare_inventory(sim, names=("cucm1",)), env=env, extravars={
        "refresh_token_revocation_leavers_file": str(leavers),
        "refresh_token_revocation_report_dir": str(tmp_path / "reports")})
    assert res.rc == 0, res.describe()
    assert revoke_paths(sim, "cucm1") == ["/ssosp/token/revoke?user_id=jdoe"]
    assert "jdoe" not in sim.state("cucm1")["tokens_by_user"]


def test_role_run_overlapping_another_on_the_same_report_directory_fails_at_once(sim, run_playbook, tmp_path):
    import fcntl
    import json
    import os

    leavers = tmp_path / "leavers.txt"
    leavers.write_text("jdoe\n", encoding="utf-8")
    report_dir = tmp_path / "reports"
    report_dir.mkdir()
    # another run holds cucm1's lock in the report directory (as a run of the role does while it revokes)
    with open(report_dir / "cucm1.lock", "w") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write(json.dumps({"pid": os.getpid(), "started": "2026-05-12T07:00:53Z"}) + "\n")
        held.flush()
        res = run_playbook(PLAYBOOK, inventory=inventory(sim), extravars={
            "refresh_token_revocation_leavers_file": str(leavers),
            "refresh_token_revocation_report_dir": str(report_dir)})
    assert res.rc != 0
    message = res.task(REVOKE_TASK, "cucm1")["msg"]
    assert "in use by another run (PID %d, started 2026-05-12T07:00:53Z)" % os.getpid() in message
    assert sim.get_requests("cucm1") == []                   # nothing sent to the locked cluster
    assert len(revoke_paths(sim, "cucm2")) == 1              # the other cluster was done
