"""The SSH transport wired into the simulator: every CUCM node, one log/counters/faults, the cluster's rules."""

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


def test_regeneration_revokes_every_refresh_token_of_the_cluster(nsim, ctl):
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert st["refresh_token_count"] == 3
    sh = Shell(nsim, "cucm-pub")
    try:
        sh.regen("encryption")
    finally:
        sh.close()
    _, st = ctl.json("GET", "/_sim/state?system=cucm")
    assert st["refresh_token_count"] == 0 and st["platform"]["authz_key_regenerations"]["encryption"] == 1
    status, _, root = ctl.axl("executeSQLQuery", "<sql>select count(*) from refreshtokendetails</sql>")
    assert status == 200 and find(root, "Body/executeSQLQueryResponse/return/row/count").text == "0"


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
