"""collab.uc.cucm_authz_keys and collab.uc.cucm_cli_command over SSH against ucsim (host keys checked)."""

from __future__ import annotations

import json
import os
import time

import paramiko
import pytest
import yaml

from helpers import CUCM_SSH_PASSWORD

KEYS = "collab.uc.cucm_authz_keys"
COMMAND = "collab.uc.cucm_cli_command"
REGEN_SIGNING = "set key regen authz signing"
REGEN_ENCRYPTION = "set key regen authz encryption"


def playbook(*tasks):
    return yaml.safe_dump([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": name, module: options, "ignore_errors": True} for name, module, options in tasks]}])


def keys_task(name="keys", **options):
    return (name, KEYS, options)


def ssh_ops(sim, kind=None):
    """The SSH operations the simulator logged (without logins), optionally of one kind."""
    return [e["operation"] for e in sim.get_requests() if e["transport"] == "ssh" and e["operation"] != "login"
            and (kind is None or e["kind"] == kind)]


def cluster_keys(sim):
    return sim.state("cucm")["authz_keys"]


@pytest.fixture
def ssh_env(sim):
    return sim.cucm_ssh_env()


@pytest.mark.matrix
def test_reads_both_checksums_on_one_login_and_changes_nothing(sim, ssh_env, run_playbook):
    run = run_playbook(playbook(keys_task()), env=ssh_env)
    result = run.task("keys")
    assert result["status"] == "ok", run.describe()
    keys = cluster_keys(sim)
    res = result["result"]
    assert {k: v["checksum"] for k, v in res["checksums"].items()} == keys
    assert res["checksums"]["signing"]["last_regenerated"] is None and res["changes"] == []
    assert res["ssh_logins"] == 1 and res["host"] == ssh_env["CUCM_SSH_HOST"]
    counters = sim.get_counters()
    assert (counters["ssh_logins"], counters["ssh_login_failures"], counters["writes"]) == (1, 0, 0)
    assert ssh_ops(sim) == ["set cli pagination off", "show key authz signing", "show key authz encryption"]


def test_state_gathered_reads_and_present_still_does_with_a_deprecation(sim, ssh_env, run_playbook):
    run = run_playbook(playbook(keys_task("gathered", state="gathered"), keys_task("present", state="present")),
                       env=ssh_env)
    gathered, present = run.task("gathered"), run.task("present")
    assert gathered["status"] == present["status"] == "ok", run.describe()
    assert gathered["result"]["checksums"] == present["result"]["checksums"]
    assert gathered["result"]["changes"] == present["result"]["changes"] == []
    assert not gathered["result"].get("deprecations")
    assert "state=gathered" in json.dumps(present["result"].get("deprecations")), present["result"]
    assert sim.get_counters()["writes"] == 0


def test_a_regeneration_checks_level_and_publisher_with_reads_first(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["signing"],
                                          only_if_checksum={"signing": old["signing"]})), env=ssh_env)
    assert run.task("keys")["status"] == "changed", run.describe()
    assert ssh_ops(sim) == ["set cli pagination off", "show myself", "show network cluster", "show key authz signing",
                            "show key authz encryption", REGEN_SIGNING, "show key authz signing"]


@pytest.mark.matrix
def test_guarded_signing_regeneration_run_twice_regenerates_once(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    task = keys_task(state="regenerated", keys=["signing"], only_if_checksum={"signing": old["signing"].upper()})
    first = run_playbook(playbook(task), env=ssh_env)
    res = first.task("keys")
    assert res["status"] == "changed", first.describe()
    new = cluster_keys(sim)
    assert new["signing"] != old["signing"] and new["encryption"] == old["encryption"]
    out = res["result"]
    assert out["before"]["signing"]["checksum"] == old["signing"] and out["checksums"]["signing"]["checksum"] == new["signing"]
    assert out["changes"] == [{"name": "signing", "action": "regenerated", "before": old["signing"],
                               "after": new["signing"], "reason": out["changes"][0]["reason"]}]
    assert old["signing"] in out["changes"][0]["reason"]
    assert out["regenerated"] == ["signing"] and set(out["regenerated_at"]) == {"signing"}  # deprecated key
    assert out["checksums"]["signing"]["last_regenerated"]  # the platform shows the date now
    warnings = " ".join(out.get("warnings", []))
    for words in ("access token and refresh token", "Cisco Tomcat", "Unity Connection", "Refresh servers",
                  "IM and Presence"):
        assert words in warnings
    second = run_playbook(playbook(task), env=ssh_env)
    again = second.task("keys")
    assert again["status"] == "ok", second.describe()
    assert again["result"]["changes"] == [] and "kept" in again["result"]["decisions"]["signing"]
    assert cluster_keys(sim) == new
    assert sim.get_counters()["by_operation"][REGEN_SIGNING] == 1
    assert ssh_ops(sim, "write") == [REGEN_SIGNING]
    assert sim.get_counters()["ssh_logins"] == 2  # one per task


def test_both_keys_and_the_refresh_tokens_of_the_cluster_die(sim, ssh_env, run_playbook):
    assert sim.state("cucm")["usable_refresh_token_count"] > 0
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["signing", "encryption"], max_age_days=30)),
                       env=ssh_env, diff=True)
    res = run.task("keys")
    assert res["status"] == "changed", run.describe()
    assert [(c["name"], c["action"]) for c in res["result"]["changes"]] == [
        ("signing", "regenerated"), ("encryption", "regenerated")]
    assert ssh_ops(sim, "write") == [REGEN_SIGNING, REGEN_ENCRYPTION]
    assert sim.state("cucm")["usable_refresh_token_count"] == 0
    diff = res["result"]["diff"]
    assert diff["before"]["signing"]["checksum"] != diff["after"]["signing"]["checksum"]
    # max_age_days: keys regenerated a moment ago are young: the same task is ok now
    again = run_playbook(playbook(keys_task(state="regenerated", keys=["signing", "encryption"], max_age_days=30)),
                         env=ssh_env)
    assert again.task("keys")["status"] == "ok", again.describe()
    assert sim.get_counters()["writes"] == 2


@pytest.mark.matrix
def test_check_mode_says_it_would_and_never_types_the_command(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["signing", "encryption"],
                                          only_if_checksum=old)), env=ssh_env, check=True)
    res = run.task("keys")
    assert res["status"] == "changed", run.describe()
    # check mode lists what would change: the checksums before, no after (the new keys do not exist)
    assert res["result"]["changes"] == [
        {"name": kind, "action": "regenerated", "before": old[kind], "reason": res["result"]["changes"][n]["reason"]}
        for n, kind in enumerate(("signing", "encryption"))]
    assert res["result"]["decisions"]["signing"].startswith("would regenerate")
    assert cluster_keys(sim) == old
    assert not [op for op in ssh_ops(sim) if op.startswith("set key")]
    assert sim.get_counters()["writes"] == 0


def test_a_regeneration_without_a_guard_is_refused_before_the_login(sim, ssh_env, run_playbook):
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["signing"])), env=ssh_env)
    res = run.task("keys")
    assert res["status"] == "failed" and "no guard for the signing key" in res["msg"]
    assert sim.get_counters()["ssh_logins"] == 0


def test_wrong_password_fails_after_one_login_attempt_naming_host_and_what_to_check(sim, run_playbook):
    env = sim.cucm_ssh_env(password="Wr0ng-Passw0rd")
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["signing"], force=True)), env=env)
    res = run.task("keys")
    assert res["status"] == "failed"
    assert "%s:%s" % (env["CUCM_SSH_HOST"], env["CUCM_SSH_PORT"]) in res["msg"]
    assert "ssh_username and ssh_password" in res["msg"] and "Not retried" in res["msg"]
    counters = sim.get_counters()
    assert (counters["ssh_login_failures"], counters["ssh_logins"]) == (1, 0)
    assert [e["operation"] for e in sim.get_requests() if e["transport"] == "ssh"] == ["login"]
    assert "Wr0ng-Passw0rd" not in run.output


def test_the_fault_refuses_the_right_password_once_and_the_module_does_not_retry(sim, ssh_env, run_playbook):
    sim.faults(ssh_wrong_password=5)
    run = run_playbook(playbook(keys_task()), env=ssh_env)
    assert run.task("keys")["status"] == "failed"
    assert sim.get_counters()["ssh_login_failures"] == 1 and sim.faults()["ssh_wrong_password"] == 4


@pytest.mark.matrix
def test_an_unknown_host_key_is_refused_by_default(sim, run_playbook, tmp_path):
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    env = sim.cucm_ssh_env(known_hosts=empty)
    run = run_playbook(playbook(keys_task()), env=env)
    res = run.task("keys")
    assert res["status"] == "failed" and "is not in" in res["msg"] and "accept_new" in res["msg"]
    assert sim.get_counters()["ssh_logins"] == 0 and empty.read_text() == ""
    # accept_new trusts it on first use and records it; then strict accepts it
    run = run_playbook(playbook(keys_task(ssh_host_key_checking="accept_new"), keys_task("strict")), env=env)
    assert [r["status"] for r in run.results] == ["ok", "ok"], run.describe()
    assert empty.read_text().split()[1:] == sim.node()["known_hosts"][0].split()[1:]


def test_a_changed_host_key_is_refused_always(sim, run_playbook, tmp_path):
    line = sim.node()["known_hosts"][0].split()
    forged = tmp_path / "known_hosts"
    # the publisher's names with another key of the same type: a changed key
    key = paramiko.ECDSAKey.generate(bits=256)
    forged.write_text("%s %s %s\n" % (line[0], key.get_name(), key.get_base64()))
    env = sim.cucm_ssh_env(known_hosts=forged)
    for checking in ("strict", "accept_new", "off"):
        run = run_playbook(playbook(keys_task(ssh_host_key_checking=checking)), env=env)
        res = run.task("keys")
        assert res["status"] == "failed" and "CHANGED" in res["msg"], (checking, res["msg"])
    assert sim.get_counters()["ssh_logins"] == 0


def test_a_drop_after_the_regeneration_reads_again_and_reports_it_done(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    sim.faults(drop_after_write=1)
    task = keys_task(state="regenerated", keys=["signing", "encryption"], only_if_checksum=old)
    run = run_playbook(playbook(task), env=ssh_env)
    res = run.task("keys")
    assert res["status"] == "changed", run.describe()
    new = cluster_keys(sim)
    assert new["signing"] != old["signing"] and new["encryption"] != old["encryption"]
    assert res["result"]["regenerated"] == ["signing", "encryption"]
    assert "was lost" in " ".join(res["result"]["warnings"]) and res["result"]["ssh_logins"] == 2
    assert ssh_ops(sim, "write") == [REGEN_SIGNING, REGEN_ENCRYPTION]  # nothing typed twice
    assert sim.get_counters()["by_operation"][REGEN_SIGNING] == 1


def test_a_drop_before_the_regeneration_fails_truly_and_a_rerun_does_it(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    sim.faults(ssh_drop_commands=1, ssh_fault_command=REGEN_SIGNING)
    task = keys_task(state="regenerated", keys=["signing"], only_if_checksum={"signing": old["signing"]})
    run = run_playbook(playbook(task), env=ssh_env)
    res = run.task("keys")
    assert res["status"] == "failed" and "not regenerated" in res["msg"] and "Run the task again" in res["msg"]
    assert cluster_keys(sim) == old and sim.get_counters()["writes"] == 0
    rerun = run_playbook(playbook(task), env=ssh_env)
    assert rerun.task("keys")["status"] == "changed", rerun.describe()
    assert sim.get_counters()["writes"] == 1


def test_a_failing_command_and_a_slow_login_fail_with_the_clis_words(sim, ssh_env, run_playbook):
    sim.faults(ssh_command_fails=1, ssh_fault_command="show key authz encryption")
    run = run_playbook(playbook(keys_task()), env=ssh_env)
    res = run.task("keys")
    assert res["status"] == "failed" and "Executed command unsuccessfully" in res["msg"]
    assert "show key authz encryption" in res["msg"]
    sim.faults(ssh_login_delay_s=4)
    run = run_playbook(playbook(keys_task(ssh_login_timeout=1)), env=ssh_env)
    res = run.task("keys")
    assert res["status"] == "failed" and "login timeout" in res["msg"] and "ssh_login_timeout" in res["msg"]


def test_connection_authz_server_is_stale_until_it_syncs_again(sim, ssh_env, cuc_env, run_playbook):
    cucm = sim.system("cucm")
    server = {"name": "cucm1", "server_address": cucm["address"], "server_port": cucm["port"],
              "server_username": "axladmin", "server_password": "C1sco12345!", "sync_keys": "always"}
    env = dict(ssh_env, **cuc_env)
    run = run_playbook(playbook(("server", "collab.uc.cuc_authz_server", server)), env=env)
    assert run.task("server")["status"] == "changed", run.describe()

    def connection_view():
        return sim.state("cuc")["authz_servers"][0]

    assert connection_view()["keys_current"] is True
    old = cluster_keys(sim)
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["signing"],
                                          only_if_checksum={"signing": old["signing"]})), env=env)
    assert run.task("keys")["status"] == "changed", run.describe()
    assert (connection_view()["keys_current"], connection_view()["keys_stale"]) == (False, True)
    run = run_playbook(playbook(("server", "collab.uc.cuc_authz_server", server)), env=env)
    assert run.task("server")["status"] == "changed", run.describe()
    assert (connection_view()["keys_current"], connection_view()["keys_stale"]) == (True, False)
    assert connection_view()["synced_keys"]["signing"] == cluster_keys(sim)["signing"]


def test_password_auth_path_when_the_lab_offers_only_that_too(sim, ssh_env, run_playbook):
    sim.set_state({"cucm1": {"platform": {"password_auth": True}}})
    run = run_playbook(playbook(keys_task()), env=ssh_env)
    assert run.task("keys")["status"] == "ok", run.describe()


@pytest.mark.matrix
def test_cli_command_is_read_only_by_default_and_returns_outputs(sim, ssh_env, run_playbook):
    run = run_playbook(playbook(
        ("read", COMMAND, {"commands": ["show version active", "utils service list", "show myself"]}),
        ("refused", COMMAND, {"commands": ["show myself", "utils service restart Cisco Tomcat"]}),
        ("unlisted", COMMAND, {"commands": ["show nonsense"]}),
        ("unknown", COMMAND, {"commands": ["show myself nonsense"]}),
    ), env=ssh_env)
    read = run.task("read")
    assert read["status"] == "ok", run.describe()
    assert read["result"]["stdout"][0].startswith("Active Master Version: 14.0.1.13900-155")
    assert "Cisco Tomcat[STARTED]" in read["result"]["stdout_lines"][1]
    assert read["result"]["results"][2]["command"] == "show myself" and read["result"]["ssh_logins"] == 1
    assert read["result"]["changes"] == []  # read-only commands change nothing
    refused = run.task("refused")
    assert refused["status"] == "failed" and "allow_changes" in refused["msg"]
    unlisted = run.task("unlisted")  # not in the read-only list: refused before the login
    assert unlisted["status"] == "failed" and "allow_changes" in unlisted["msg"]
    unknown = run.task("unknown")
    assert unknown["status"] == "failed" and "Executed command unsuccessfully" in unknown["msg"]
    assert unknown["changed"] is False
    assert ssh_ops(sim) == ["set cli pagination off", "show version active", "utils service list", "show myself",
                            "set cli pagination off", "show myself nonsense"]
    assert sim.get_counters()["ssh_logins"] == 2  # the refused tasks never logged in


def test_cli_command_confirmations_need_explicit_answers(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    run = run_playbook(playbook(
        ("no answer", COMMAND, {"allow_changes": True, "commands": [REGEN_SIGNING]}),
        ("answered", COMMAND, {"allow_changes": True, "commands": [{"command": REGEN_SIGNING, "answers": ["yes"]}]}),
    ), env=ssh_env)
    declined = run.task("no answer")
    assert declined["status"] == "failed" and "no answer was given" in declined["msg"]
    answered = run.task("answered")
    assert answered["status"] == "changed", run.describe()
    assert answered["result"]["changes"] == [{"name": REGEN_SIGNING, "action": "executed"}]
    assert declined["result"]["changes"] == []  # the CLI asked, nothing was answered: nothing ran
    assert "regenerated successfully" in answered["result"]["stdout"][0]
    assert cluster_keys(sim)["signing"] != old["signing"] and sim.get_counters()["writes"] == 1
    check = run_playbook(playbook(("answered", COMMAND, {"allow_changes": True, "commands": [
        {"command": REGEN_SIGNING, "answers": ["yes"]}]})), env=ssh_env, check=True)
    assert check.task("answered")["status"] == "changed" and check.task("answered")["result"]["not_run"]
    assert check.task("answered")["result"]["changes"] == [{"name": REGEN_SIGNING, "action": "executed"}]
    assert sim.get_counters()["writes"] == 1


@pytest.mark.matrix
def test_the_platform_password_appears_nowhere(sim, ssh_env, run_playbook, tmp_path):
    sim.faults(drop_after_write=1)
    work = tmp_path / "leak"
    old = cluster_keys(sim)
    run = run_playbook(playbook(
        keys_task(state="regenerated", keys=["signing"], only_if_checksum={"signing": old["signing"]}),
        keys_task("wrong", ssh_password="An0ther-Secret"),
        ("cli", COMMAND, {"commands": ["show myself", "show myself nonsense"]}),
    ), env=ssh_env, verbosity=4, diff=True, workdir=work)
    assert [r["status"] for r in run.results] == ["changed", "failed", "failed"], run.describe()
    assert CUCM_SSH_PASSWORD not in run.output and "An0ther-Secret" not in run.output.replace(
        '"ssh_password": "An0ther-Secret"', "")
    for root, _dirs, files in os.walk(work):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                assert CUCM_SSH_PASSWORD.encode() not in fh.read(), os.path.join(root, name)


# -- the CLI reference's rules: the publisher only, privilege level 4, not during an upgrade ------------------------

SUBSCRIBER = "cucm1-sub1"


@pytest.mark.parametrize("node", [SUBSCRIBER, "cucm1-imp1"])
@pytest.mark.parametrize("check", [False, True])
def test_a_regeneration_aimed_at_a_subscriber_is_refused_before_anything_is_typed(sim, run_playbook, node, check):
    old = cluster_keys(sim)
    env = sim.cucm_ssh_env(node=node)
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["signing", "encryption"], force=True)),
                       env=env, check=check)
    res = run.task("keys")
    assert res["status"] == "failed", run.describe()
    assert "is a subscriber node" in res["msg"] and "publisher only" in res["msg"]
    assert "Point ssh_host at the publisher" in res["msg"] and "cucm1.lab.local" in res["msg"]  # names the publisher
    entries = [e for e in sim.get_requests() if e["transport"] == "ssh"]
    assert {e["node"] for e in entries} == {node}
    typed = [e["operation"] for e in entries if e["operation"] != "login"]
    assert typed == ["set cli pagination off", "show myself", "show network cluster"]  # reads only: no key command
    assert not [e for e in entries if e["operation"].startswith("set key")]
    assert cluster_keys(sim) == old and sim.get_counters()["writes"] == 0
    assert sim.state("cucm")["platform"]["authz_key_regenerations"] == {"signing": 0, "encryption": 0}


def test_a_level_1_account_is_told_to_use_a_level_4_one(sim, run_playbook):
    env = sim.cucm_ssh_env(username="osviewer", password="Pl4tform-View1")  # privilege 1 in the default lab
    run = run_playbook(playbook(keys_task("read"),
                                keys_task("regen", state="regenerated", keys=["signing"], force=True)), env=env)
    read = run.task("read")
    assert read["status"] == "failed", run.describe()
    assert "privilege level is too low" in read["msg"] and "show key authz signing" in read["msg"]
    assert "level 4" in read["msg"] and "Nothing was changed" in read["msg"]
    regen = run.task("regen")
    assert regen["status"] == "failed" and "privilege level 1" in regen["msg"] and "level 4" in regen["msg"]
    assert ssh_ops(sim) == ["set cli pagination off", "show key authz signing",   # the read, refused by the CLI
                            "set cli pagination off", "show myself"]             # the regeneration: stopped early
    assert sim.get_counters()["writes"] == 0


def test_an_upgrade_in_progress_is_reported_and_nothing_is_regenerated(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    sim.set_state({"cucm1": {"platform": {"upgrade_in_progress": ["cucm1-pub"]}}})
    run = run_playbook(playbook(keys_task("read"), keys_task("regen", state="regenerated", keys=["signing"],
                                                             only_if_checksum={"signing": old["signing"]})),
                       env=ssh_env)
    for name in ("read", "regen"):
        res = run.task(name)
        assert res["status"] == "failed", run.describe()
        assert "upgrade is in progress" in res["msg"] and "wait until the upgrade has finished" in res["msg"]
    assert not [op for op in ssh_ops(sim) if op.startswith("set key")]
    assert cluster_keys(sim) == old and sim.get_counters()["writes"] == 0
    sim.set_state({"cucm1": {"platform": {"upgrade_in_progress": False}}})
    again = run_playbook(playbook(keys_task("regen", state="regenerated", keys=["signing"],
                                            only_if_checksum={"signing": old["signing"]})), env=ssh_env)
    assert again.task("regen")["status"] == "changed", again.describe()


@pytest.mark.parametrize("mode", ["invalid", "deleted"])
def test_after_a_regeneration_no_token_is_usable_and_revocation_still_works(
        sim, ssh_env, cucm_env, run_playbook, tmp_path, mode):
    sim.set_state({"cucm1": {"key_regen_tokens": mode}})
    rows = sim.state("cucm")["refresh_token_count"]
    run = run_playbook(playbook(keys_task(state="regenerated", keys=["encryption"], force=True)), env=ssh_env)
    assert run.task("keys")["status"] == "changed", run.describe()
    state = sim.state("cucm")
    assert state["usable_refresh_token_count"] == 0
    assert state["refresh_token_count"] == (rows if mode == "invalid" else 0)
    # revoking a leaver afterwards: rows kept invalid are removed too; with none left, revoke is not even called
    leavers = tmp_path / "leavers.txt"
    leavers.write_text("jdoe\n")
    revoke = run_playbook(playbook(("revoke", "collab.uc.cucm_refresh_tokens", {"users_file": str(leavers)})),
                          env=dict(ssh_env, **cucm_env))
    res = revoke.task("revoke")
    assert res["status"] == ("changed" if mode == "invalid" else "ok"), revoke.describe()
    assert res["result"]["summary"]["failed"] == 0
    calls = [e for e in sim.get_requests() if e["operation"] == "revoke"]
    assert len(calls) == (1 if mode == "invalid" else 0)
    user = sim.state("cucm1", user="jdoe")["user"]
    assert user["token_count"] == 0


# -- issue 17: nothing but printable ASCII is typed; the read-only guard is exact --------------------------------
REGEN = "set key regen authz signing"
RESTART_CCM = "utils service restart Cisco CallManager"
# Byte sequences the CLI's line editor acts on (ucsim's CLI_LINE_EDITOR), each hiding a changing command behind a
# read-only one. On the old code the ones marked * ran the changing command (its guard judged the first word).
HOSTILE = {
    "del*": "show version active" + "\x7f" * 19 + REGEN,
    "backspace*": "show myself" + "\b" * 11 + REGEN,
    "ctrl_c*": "show myself\x03" + RESTART_CCM,
    "ctrl_c_regen*": "show myself\x03" + REGEN,
    "ctrl_u*": "show myself\x15" + REGEN,
    "ctrl_w*": "show key authz\x17\x17\x17" + REGEN,
    "nul_ctrl_u*": "show\x00 myself\x15" + REGEN,
    "esc_csi_ctrl_u*": "show myself\x1b[2K\x15" + REGEN,
    "esc_history": "show myself\x1b[A",
    "tab_ctrl_u*": "show myself\t\x15" + REGEN,
    "c1_csi": "show myself\x9b2K\x15" + REGEN,
    "line_separator": "show myself\u2028" + REGEN,
    "paragraph_separator": "show myself\u2029" + REGEN,
    "nel": "show myself\x85" + REGEN,
    "vt_ff": "show myself\x0b\x0c" + REGEN,
    "cr": "show myself\r" + REGEN,
    "lf": "show myself\n" + REGEN,
    "bell_ctrl_d": "show myself\x07\x04",
    "non_ascii": "show my\u0455elf",
}


def no_change_at_all(sim, old_keys):
    """The simulator saw no login, no command, no write and no restart; the keys are the old ones."""
    assert cluster_keys(sim) == old_keys
    assert [e for e in sim.get_requests() if e["transport"] == "ssh"] == []
    counters = sim.get_counters()
    assert counters["writes"] == 0 and counters["ssh_logins"] == 0 and counters["ssh_commands"] == 0
    assert all(not node.get("service_restarts") for node in counters["nodes"].values())


def json_playbook(*tasks):
    # JSON (a YAML subset) keeps every character escaped as \uXXXX, NEL and the separators included
    return json.dumps([{"hosts": "localhost", "gather_facts": False, "tasks": [
        {"name": name, module: options, "ignore_errors": True} for name, module, options in tasks]}],
        ensure_ascii=True) + "\n"


def test_cli_command_without_allow_changes_cannot_change_anything_whatever_its_bytes(
        sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    tasks = [(name, COMMAND, {"commands": [{"command": command, "answers": ["yes"]}]})
             for name, command in HOSTILE.items()]
    # answers are typed text too: an answer hiding a second line or an edit is refused as well
    tasks.append(("answer", COMMAND, {"commands": [{"command": "show myself",
                                                    "answers": ["yes\n" + REGEN, "\x15" + REGEN]}]}))
    # utils network capture is not read-only, whatever its words (the old guard saw "host")
    tasks.append(("capture", COMMAND, {"commands": ["utils network capture eth0 host ip 10.1.1.1"]}))
    run = run_playbook(json_playbook(*tasks), env=ssh_env)
    for name in HOSTILE:
        res = run.task(name)
        assert res["status"] == "failed" and res["changed"] is False, (name, res)
        assert "commands[0] holds U+" in res["msg"] and "Nothing was sent" in res["msg"], (name, res["msg"])
    answer = run.task("answer")
    assert answer["status"] == "failed" and "commands[0].answers[0] holds U+000A (line feed)" in answer["msg"]
    capture = run.task("capture")
    assert capture["status"] == "failed" and "allow_changes" in capture["msg"], capture
    no_change_at_all(sim, old)


def test_control_characters_are_refused_even_with_allow_changes(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    run = run_playbook(json_playbook(
        ("del", COMMAND, {"allow_changes": True, "commands": [
            {"command": "show myself" + "\x7f" * 11 + "set key regen authz encryption", "answers": ["yes"]}]}),
        ("answer", COMMAND, {"allow_changes": True, "commands": [
            {"command": REGEN, "answers": ["n\x7fyes"]}]}),
    ), env=ssh_env)
    for name in ("del", "answer"):
        res = run.task(name)
        assert res["status"] == "failed" and "holds U+007F (DEL)" in res["msg"], (name, res)
    no_change_at_all(sim, old)


def test_a_declined_or_refused_command_is_no_change(sim, ssh_env, run_playbook):
    old = cluster_keys(sim)
    sim.faults(ssh_command_fails=1, ssh_fault_command=REGEN)
    run = run_playbook(playbook(
        ("refused", COMMAND, {"allow_changes": True, "commands": [{"command": REGEN, "answers": ["yes"]}]}),
        ("declined", COMMAND, {"allow_changes": True, "commands": [REGEN]}),
    ), env=ssh_env)
    refused, declined = run.task("refused"), run.task("declined")
    assert refused["status"] == "failed" and "Executed command unsuccessfully" in refused["msg"], refused
    assert declined["status"] == "failed" and "no answer was given" in declined["msg"], declined
    assert refused["changed"] is False and declined["changed"] is False
    assert cluster_keys(sim) == old and sim.get_counters()["writes"] == 0


def test_the_command_timeout_names_its_option(sim, ssh_env, run_playbook):
    sim.faults(latency_ms=2500)
    run = run_playbook(playbook(("slow", COMMAND, {"commands": ["show myself"], "ssh_command_timeout": 1,
                                                   "ssh_login_timeout": 30})), env=ssh_env)
    res = run.task("slow")
    assert res["status"] == "failed" and "command timeout of 1s (ssh_command_timeout" in res["msg"], res["msg"]
    assert res["changed"] is False  # a read-only command: nothing may have changed
    # let the simulator finish the slow command, so that its log entry does not land in the next test's log
    deadline = time.monotonic() + 15
    while "show myself" not in ssh_ops(sim) and time.monotonic() < deadline:
        time.sleep(0.2)


def test_messages_stay_short_whatever_the_command(sim, ssh_env, run_playbook):
    long_command = "show " + "x" * 20000
    run = run_playbook(playbook(
        ("long", COMMAND, {"allow_changes": True, "commands": [long_command]}),
        ("many", COMMAND, {"commands": ["set " + "y" * 900] * 30}),
    ), env=ssh_env)
    long_res, many = run.task("long"), run.task("many")
    assert long_res["status"] == "failed" and "at most 1024" in long_res["msg"], long_res["msg"][:300]
    assert many["status"] == "failed" and "allow_changes" in many["msg"]
    assert len(long_res["msg"]) < 2000 and len(many["msg"]) < 2000
    assert [e for e in sim.get_requests() if e["transport"] == "ssh"] == []


@pytest.mark.parametrize("host, words", [
    ("a" * 70 + ".example.com", "longer than 63 characters"),
    ("https://127.0.0.1/", "is a URL"),
    ("cucm pub.example.com", "contains spaces"),
])
def test_ssh_host_is_validated_as_host_is_before_anything_is_sent(sim, ssh_env, run_playbook, host, words):
    run = run_playbook(playbook(("bad", COMMAND, {"commands": ["show myself"], "ssh_host": host})), env=ssh_env)
    res = run.task("bad")
    assert res["status"] == "failed" and res["msg"].startswith("ssh_host ") and words in res["msg"], res["msg"]
    assert "host name, FQDN or IP address" in res["msg"]
    assert [e for e in sim.get_requests() if e["transport"] == "ssh"] == []


def test_accept_new_in_check_mode_trusts_the_key_for_the_run_and_writes_nothing(sim, run_playbook, tmp_path):
    path = tmp_path / "new" / "known_hosts"
    env = sim.cucm_ssh_env(known_hosts=path)
    task = ("read", COMMAND, {"commands": ["show myself"], "ssh_host_key_checking": "accept_new"})
    check = run_playbook(playbook(task), env=env, check=True)
    res = check.task("read")
    assert res["status"] == "ok", check.describe()
    assert not path.exists() and not path.parent.exists()
    assert any("did NOT save it" in w for w in res["result"].get("warnings", [])), res["result"]
    run = run_playbook(playbook(task), env=env)
    assert run.task("read")["status"] == "ok" and path.read_text().split()[1:] == \
        sim.node()["known_hosts"][0].split()[1:]
