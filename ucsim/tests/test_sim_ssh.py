"""The SSH transport wired into the simulator: every CUCM node, one log/counters/faults, the cluster's rules."""

import json
import os
import socket
import subprocess
import sys

import paramiko
import pytest

from simhelp import Client, SshShell, find, start_simulator
from ucsim import assumptions as A
from ucsim import lab as labmod
from ucsim.server import KINDS

ADMIN, PASSWORD = "osadmin", "Pl4tform-Adm1n!"
CUC_ADMIN = ("cucadmin", "C1sco12345!")


@pytest.fixture(scope="module")
def nsim(tmp_path_factory):
    s = start_simulator(labmod.load("cluster", set(KINDS)), str(tmp_path_factory.mktemp("ucsim-ssh")))
    yield s
    s.stop()


@pytest.fixture
def ctl(nsim):
    cl = Client(nsim.nodes["cucm-pub"].url, nsim.cafile)
    cl.json("POST", "/_sim/reset", {"state": True})
    yield cl
    cl.json("DELETE", "/_sim/faults")
    cl.close()


def Shell(sim, node, user=ADMIN, password=PASSWORD, method="keyboard-interactive"):
    """The shared SSH shell client on one node, checked against the simulator's known_hosts file."""
    n = sim.nodes[node]
    return SshShell(n.address, n.ports["ssh"], os.path.join(sim.state_dir, "known_hosts"), user, password, method)


def ssh_entries(ctl, system="cucm"):
    _, log = ctl.json("GET", "/_sim/requests?system=%s" % system)
    return [e for e in log if e["transport"] == "ssh"]


def test_every_cucm_node_serves_ssh_on_one_port_with_its_own_key(nsim, ctl):
    _, systems = ctl.json("GET", "/_sim/systems")
    cucm = [s for s in systems if s["kind"] == "cucm"][0]
    ports = {n["ports"]["ssh"] for n in cucm["nodes"]}
    assert len(ports) == 1 and ports != {cucm["port"]}
    lines = [n["known_hosts"][0] for n in cucm["nodes"]]
    assert len({line.split()[2] for line in lines}) == 3  # one host key per node
    assert lines[0].startswith("[%s]:%d," % (cucm["nodes"][0]["address"], ports.pop()))
    assert "cucm-pub.lab.local" in lines[0]
    cuc = [s for s in systems if s["kind"] == "cuc"][0]
    assert "ssh" not in cuc["nodes"][0]["ports"] and "known_hosts" not in cuc["nodes"][0]
    status, resp, body = ctl.request("GET", "/_sim/known_hosts")
    assert status == 200 and body.decode().splitlines() == lines
    with open(os.path.join(nsim.state_dir, "known_hosts")) as fh:
        assert fh.read().splitlines() == lines


def test_known_hosts_command_prints_the_state_dirs_file(nsim):
    out = subprocess.run([sys.executable, "-m", "ucsim", "known-hosts", "--state-dir", nsim.state_dir],
                         capture_output=True, text=True, check=True).stdout
    assert len(out.splitlines()) == 3 and all(" ecdsa-sha2-nistp256 " in line for line in out.splitlines())


def test_nodes_share_the_clusters_keys_and_the_log_counts_per_node(nsim, ctl):
    pub, sub = Shell(nsim, "cucm-pub"), Shell(nsim, "cucm-sub1")
    try:
        before = sub.type("show key authz signing")
        pub.regen("signing")
        after = sub.type("show key authz signing")
    finally:
        pub.close()
        sub.close()
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert st["authz_keys"]["signing"] in after and st["authz_keys"]["signing"] not in before
    entries = ssh_entries(ctl)
    assert [(e["node"], e["operation"], e["kind"]) for e in entries if e["operation"] != "login"] == [
        ("cucm-sub1", "show key authz signing", "read"), ("cucm-pub", "set key regen authz signing", "write"),
        ("cucm-sub1", "show key authz signing", "read")]
    assert all(e["transport"] == "ssh" and e["user"] == ADMIN for e in entries)
    _, counters = ctl.json("GET", "/_sim/counters")
    assert (counters["ssh_logins"], counters["ssh_commands"], counters["writes"]) == (2, 3, 1)
    assert counters["nodes"]["cucm-pub"]["ssh_commands"] == 1
    assert counters["systems"]["cucm"]["by_operation"]["set key regen authz signing"] == 1


def _sql_count(ctl, where=""):
    status, _, root = ctl.axl("executeSQLQuery", "<sql>select count(*) from refreshtokendetails%s</sql>" % where)
    assert status == 200
    return int(find(root, "Body/executeSQLQueryResponse/return/row/count").text)


def test_regeneration_invalidates_every_refresh_token_and_keeps_the_rows_by_default(nsim, ctl):
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert (st["refresh_token_count"], st["usable_refresh_token_count"], st["key_regen_tokens"]) == (3, 3, "invalid")
    sh = Shell(nsim, "cucm-pub")
    try:
        sh.regen("encryption")
    finally:
        sh.close()
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert st["platform"]["authz_key_regenerations"]["encryption"] == 1
    assert (st["refresh_token_count"], st["usable_refresh_token_count"]) == (3, 0)  # rows stay, none usable
    assert _sql_count(ctl) == 3 and _sql_count(ctl, " where state = %d" % A.TOKEN_STATE_ACTIVE) == 0
    _, user = ctl.json("GET", "/_sim/state?system=cucm&user=jdoe")
    assert {t["state"] for t in user["user"]["tokens"]} == {A.TOKEN_STATE_INVALID}
    # revoking the user removes and lists the invalid rows too
    status, _, body = ctl.request("GET", "/ssosp/token/revoke?user_id=jdoe", auth=("axladmin", "C1sco12345!"))
    assert status == 200 and len(json.loads(body)["revoked_tokens"]["clientID_tokens"]) == 2
    assert _sql_count(ctl) == 1


def test_regeneration_deletes_the_rows_when_the_lab_says_so(nsim, ctl):
    ctl.json("POST", "/_sim/state?system=cucm", {"key_regen_tokens": "deleted"})
    sh = Shell(nsim, "cucm-pub")
    try:
        sh.regen("signing")
    finally:
        sh.close()
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert (st["refresh_token_count"], st["usable_refresh_token_count"], st["key_regen_tokens"]) == (0, 0, "deleted")
    assert _sql_count(ctl) == 0
    status, _, body = ctl.request("POST", "/_sim/state?system=cucm", body={"key_regen_tokens": "vanished"})
    assert status == 400 and b"invalid, deleted" in body


def test_generated_tokens_are_invalidated_in_place(tmp_path):
    lab = labmod.parse({"cucm": [{"name": "gen", "generate_users": {"prefix": "u", "count": 5, "tokens_per_user": 2},
                                  "platform": {"admins": {ADMIN: PASSWORD}}}]}, set(KINDS))
    s = start_simulator(lab, str(tmp_path))
    try:
        state = s.systems["gen"].state
        state.revoke("u2")
        state.platform.regenerate_key("signing")
        rows = list(state.table_rows("refreshtokendetails"))
        assert len(rows) == 8 and {r["state"] for r in rows} == {A.TOKEN_STATE_INVALID}
        assert [r["userid"] for r in rows] == ["u1", "u1", "u3", "u3", "u4", "u4", "u5", "u5"]
        assert (state.token_count(), state.usable_token_count()) == (8, 0)
        assert state.to_json()["tokens_by_user"] == {"u1": 2, "u3": 2, "u4": 2, "u5": 2}
        assert [t.state for t in state.tokens_of("u4")] == [A.TOKEN_STATE_INVALID] * 2
        assert len(state.revoke("u4")) == 2 and state.token_count() == 6
    finally:
        s.stop()


def test_key_commands_need_level_4_on_every_node(nsim, ctl):
    ctl.json("POST", "/_sim/state?system=cucm", {"platform": {"admins": [
        {"userid": "viewer", "password": "V1ewer-Only", "privilege": 1}]}})
    sh = Shell(nsim, "cucm-pub", user="viewer", password="V1ewer-Only")
    try:
        for line in ("show key authz signing", "show key authz encryption", "set key regen authz signing"):
            out = sh.type(line)
            assert A.CLI_INSUFFICIENT in out and A.CLI_FAILED in out and "Checksum" not in out, line
            assert A.CLI_REGEN_CONFIRM not in out
        assert "privilege level : 1" in sh.type("show myself")
    finally:
        sh.close()
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert st["platform"]["authz_key_regenerations"] == {"signing": 0, "encryption": 0}
    assert [e["kind"] for e in ssh_entries(ctl) if e["operation"].startswith(("show key", "set key"))] == ["other"] * 3


def test_key_commands_are_refused_on_a_node_with_an_upgrade_in_progress(nsim, ctl):
    ctl.json("POST", "/_sim/state?system=cucm", {"platform": {"upgrade_in_progress": ["cucm-pub"]}})
    pub, sub = Shell(nsim, "cucm-pub"), Shell(nsim, "cucm-sub1")
    try:
        for line in ("show key authz signing", "set key regen authz signing"):
            out = pub.type(line)
            assert A.CLI_UPGRADE_REFUSED in out and A.CLI_FAILED in out and A.CLI_REGEN_CONFIRM not in out, line
        assert "Checksum" in sub.type("show key authz signing")  # the subscriber is not upgrading
        ctl.json("POST", "/_sim/state?system=cucm", {"platform": {"upgrade_in_progress": False}})
        assert "Checksum" in pub.type("show key authz signing")
    finally:
        pub.close()
        sub.close()
    ctl.json("POST", "/_sim/state?system=cucm", {"platform": {"upgrade_in_progress": True}})
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert st["platform"]["upgrade_in_progress"] is True and st["platform"]["authz_key_regenerations"]["signing"] == 0
    status, _, body = ctl.request("POST", "/_sim/state?system=cucm", body={"platform": {"upgrade_in_progress": 3}})
    assert status == 400 and b"upgrade_in_progress" in body


def test_regeneration_runs_on_the_publisher_only(nsim, ctl):
    for node in ("cucm-sub1", "imp-pub"):
        sh = Shell(nsim, node)
        try:
            assert "Checksum" in sh.type("show key authz encryption")  # reading is allowed on any node
            out = sh.type("set key regen authz encryption")
            assert A.CLI_PUBLISHER_ONLY in out and A.CLI_FAILED in out and A.CLI_REGEN_CONFIRM not in out
        finally:
            sh.close()
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert st["platform"]["authz_key_regenerations"]["encryption"] == 0 and st["usable_refresh_token_count"] == 3
    _, counters = ctl.json("GET", "/_sim/counters")
    assert counters["writes"] == 0


def test_show_network_cluster_and_show_myself_name_the_nodes(nsim, ctl):
    sh = Shell(nsim, "cucm-sub1")
    try:
        out = sh.type("show network cluster")
        myself = sh.type("show myself")
    finally:
        sh.close()
    addresses = {n.name: n.address for n in nsim.systems["cucm"].nodes}
    lines = [line.strip() for line in out.replace("\r", "").split("\n")]
    assert "%s cucm-pub.lab.local cucm-pub Publisher callmanager DBPub authenticated" % addresses["cucm-pub"] in lines
    assert "%s cucm-sub1.lab.local cucm-sub1 Subscriber callmanager DBSub authenticated" % addresses["cucm-sub1"] in lines
    assert "%s imp-pub.lab.local imp-pub Subscriber cups DBSub authenticated" % addresses["imp-pub"] in lines
    assert "Machine Name    : cucm-sub1" in myself
    entry = [e for e in ssh_entries(ctl) if e["operation"] == "show network cluster"][0]
    assert (entry["kind"], entry["node"]) == ("read", "cucm-sub1")


def test_a_connection_server_that_synced_the_old_keys_is_stale_until_it_syncs_again(nsim, ctl):
    cuc = Client(nsim.systems["cuc1"].url, nsim.cafile)
    try:
        status, resp, body = cuc.request("POST", "/vmrest/authz/server", auth=CUC_ADMIN, body={
            "DisplayName": "cucm", "ServerNodeAddress": "cucm-pub.lab.local", "Port": nsim.systems["cucm"].port,
            "ServerUsername": "axladmin", "ServerPassword": "C1sco12345!"})
        assert status == 201
        oid = body.decode().rsplit("/", 1)[-1]

        def server():
            return cuc.json("GET", "/_sim/state?system=cuc1")[1]["authz_servers"][0]

        assert (server()["keys_current"], server()["keys_stale"]) == (None, False)  # never synced
        assert cuc.request("PUT", "/vmrest/authz/sync/" + oid, auth=CUC_ADMIN)[0] == 204
        assert (server()["keys_current"], server()["keys_stale"]) == (True, False)
        sh = Shell(nsim, "cucm-pub")
        try:
            sh.regen("signing")
        finally:
            sh.close()
        assert (server()["keys_current"], server()["keys_stale"]) == (False, True)
        assert cuc.request("PUT", "/vmrest/authz/sync/" + oid, auth=CUC_ADMIN)[0] == 204
        assert (server()["keys_current"], server()["keys_stale"]) == (True, False)
    finally:
        cuc.close()


def test_platform_admins_are_not_the_axl_users_and_password_auth_is_a_setting(nsim, ctl):
    with pytest.raises(paramiko.AuthenticationException):
        Shell(nsim, "cucm-pub", user="axladmin", password="C1sco12345!")
    with pytest.raises(paramiko.BadAuthenticationType):
        Shell(nsim, "cucm-pub", method="password")
    ctl.json("POST", "/_sim/state?system=cucm", {"platform": {"password_auth": True}})
    Shell(nsim, "cucm-pub", method="password").close()
    _, counters = ctl.json("GET", "/_sim/counters")
    assert (counters["ssh_logins"], counters["ssh_login_failures"], counters["auth_failures"]) == (1, 1, 1)
    assert ctl.json("POST", "/_sim/state?system=cucm", {"platform": {"login_delay_s": -1}})[0] == 400


def test_core_faults_wrong_password_and_command_faults(nsim, ctl):
    status, faults = ctl.json("POST", "/_sim/faults", {"ssh_wrong_password": 1})
    assert status == 200 and faults["ssh_wrong_password"] == 1
    with pytest.raises(paramiko.AuthenticationException):
        Shell(nsim, "cucm-pub")
    ctl.json("POST", "/_sim/faults", {"ssh_command_fails": 1, "ssh_fault_command": "show key authz signing"})
    sh = Shell(nsim, "cucm-pub")
    try:
        assert A.CLI_FAILED not in sh.type("show key authz encryption")  # another command: not affected
        assert A.CLI_FAILED in sh.type("show key authz signing")
        assert A.CLI_FAILED not in sh.type("show key authz signing")  # consumed
    finally:
        sh.close()
    entries = ssh_entries(ctl)
    assert [(e["operation"], e["kind"], e["status"]) for e in entries] == [
        ("login", "auth_failed", "failed"), ("login", "other", "ok"), ("show key authz encryption", "read", "ok"),
        ("show key authz signing", "fault", "failed"), ("show key authz signing", "read", "ok")]


def test_drop_after_write_carries_the_regeneration_out_and_answers_nothing(nsim, ctl):
    ctl.json("POST", "/_sim/faults", {"drop_after_write": 1})
    _, before = ctl.json("GET", "/_sim/state?system=cucm")
    sh = Shell(nsim, "cucm-pub")
    try:
        sh.type("set key regen authz signing", until=A.CLI_REGEN_CONFIRM)
        with pytest.raises((EOFError, socket.timeout, OSError)):
            sh.type("yes")
    finally:
        sh.close()
    _, after = ctl.json("GET", "/_sim/state?system=cucm")
    assert after["authz_keys"]["signing"] != before["authz_keys"]["signing"]
    entry = ssh_entries(ctl)[-1]
    assert (entry["operation"], entry["kind"], entry["status"], entry["carried_out"]) == (
        "set key regen authz signing", "write", None, True)
    _, counters = ctl.json("GET", "/_sim/counters")
    assert (counters["writes"], counters["write_attempts"]) == (1, 1)


def test_drop_command_and_slow_login_faults(nsim, ctl):
    ctl.json("POST", "/_sim/faults", {"ssh_drop_commands": 1})
    sh = Shell(nsim, "cucm-pub")
    try:
        with pytest.raises((EOFError, OSError)):
            sh.type("show key authz signing")
    finally:
        sh.close()
    assert ssh_entries(ctl)[-1]["kind"] == "fault" and ssh_entries(ctl)[-1]["status"] is None
    ctl.json("POST", "/_sim/faults", {"ssh_login_delay_s": 0.6})
    sock = socket.create_connection((nsim.nodes["cucm-pub"].address, nsim.nodes["cucm-pub"].ports["ssh"]))
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=10)
        transport.auth_interactive(ADMIN, lambda title, instr, prompts: [PASSWORD for _ in prompts])
        chan = transport.open_session()
        chan.get_pty()
        chan.invoke_shell()
        chan.settimeout(0.3)
        with pytest.raises(socket.timeout):  # still starting up past a short login timeout
            while True:
                if chan.recv(4096).decode().endswith(A.CLI_PROMPT):
                    break
    finally:
        transport.close()


def test_a_lab_may_fix_the_ssh_port_and_the_setting_is_validated(tmp_path):
    text = ("cucm:\n  - name: c1\n    ssh_port: 0\n    platform: {admins: [{userid: a, password: b}], "
            "password_auth: maybe}\n")
    path = tmp_path / "lab.yml"
    path.write_text(text)
    with pytest.raises(labmod.LabError, match="password_auth"):
        start_simulator(labmod.load(str(path), set(KINDS)), str(tmp_path))
