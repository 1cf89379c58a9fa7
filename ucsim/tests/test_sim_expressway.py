"""Expressway-C systems: the xAPI admin CLI over SSH (keyboard-interactive), xConfiguration and xStatus, the log,
counters and faults they share with every other transport."""

import os
import socket

import paramiko
import pytest

from simhelp import Client, start_simulator
from ucsim import assumptions as A
from ucsim import lab as labmod
from ucsim.server import KINDS

LAB = {
    "cucm": [{"name": "cucm1", "users": [{"userid": "axladmin", "password": "C1sco12345!", "roles": ["axl"]}]}],
    "expressway": [{
        "name": "expc1", "version": "X14.2.1", "hostnames": ["expc1.lab.local"],
        "admins": [{"userid": "admin", "password": "Exp-Adm1n!"},
                   {"userid": "viewer", "password": "Exp-View1", "privilege": 1}],
        "xconfiguration": {"CollaborationEdge OAuthLocal": False, "CollaborationEdge LegacyCred": "On"},
    }],
}


@pytest.fixture(scope="module")
def xsim(tmp_path_factory):
    s = start_simulator(labmod.parse(LAB, set(KINDS)), str(tmp_path_factory.mktemp("ucsim-exp")))
    yield s
    s.stop()


@pytest.fixture
def ctl(xsim):
    cl = Client(xsim.systems["expc1"].url, xsim.cafile)
    cl.json("POST", "/_sim/reset", {"state": True})
    yield cl
    cl.json("DELETE", "/_sim/faults")
    cl.close()


END = ("\r\n" + A.XAPI_OK + "\r\n", "\r\n" + A.XAPI_ERROR + "\r\n", A.XAPI_UNKNOWN + "\r\n")


class XShell:
    def __init__(self, sim, user="admin", password="Exp-Adm1n!"):
        n = sim.nodes["expc1"]
        keys = paramiko.HostKeys(os.path.join(sim.state_dir, "known_hosts"))
        sock = socket.create_connection((n.address, n.ports["ssh"]), timeout=10)
        self.transport = paramiko.Transport(sock)
        self.transport.start_client(timeout=10)
        key = self.transport.get_remote_server_key()
        assert keys.lookup("[%s]:%d" % (n.address, n.ports["ssh"]))[key.get_name()] == key
        self.transport.auth_interactive(user, lambda title, instr, prompts: [password for _ in prompts])
        self.chan = self.transport.open_session(timeout=10)
        self.chan.get_pty(term="vt100")
        self.chan.invoke_shell()
        self.chan.settimeout(10)
        self.banner = self.until()

    def until(self):
        buf = ""
        while not buf.endswith(END):
            data = self.chan.recv(65536)
            if not data:
                raise EOFError(buf)
            buf += data.decode()
        return buf

    def type(self, line):
        self.chan.sendall((line + "\r").encode())
        out = self.until().replace("\r\n", "\n").split("\n")
        assert out[0] == line  # the echo
        return [x for x in out[1:] if x]

    def close(self):
        self.transport.close()


def test_login_banner_version_and_keyboard_interactive_only(xsim, ctl):
    sh = XShell(xsim)
    assert "Cisco Expressway-C Release X14.2.1" in sh.banner and sh.banner.endswith("OK\r\n")
    assert sh.type("xStatus SystemUnit Software Version") == ['*s SystemUnit Software Version: "X14.2.1"', "OK"]
    sh.close()
    n = xsim.nodes["expc1"]
    t = paramiko.Transport(socket.create_connection((n.address, n.ports["ssh"]), timeout=10))
    t.start_client(timeout=10)
    with pytest.raises(paramiko.BadAuthenticationType):
        t.auth_password("admin", "Exp-Adm1n!", fallback=False)
    t.close()
    counters = ctl.json("GET", "/_sim/counters")[1]["systems"]["expc1"]
    assert counters["ssh_logins"] == 1 and counters["writes"] == 0


def test_read_collaboration_edge_as_seed_003_prints_it(xsim, ctl):
    sh = XShell(xsim)
    lines = sh.type("xConfiguration CollaborationEdge")
    assert "*c xConfiguration CollaborationEdge OAuthLocal: Off" in lines
    assert "*c xConfiguration CollaborationEdge LegacyCred: On" in lines
    assert "*c xConfiguration CollaborationEdge %s: On" % A.XAPI_REFRESH_SETTING in lines
    assert lines[-1] == "OK"
    # case-insensitive, as seed 003 spells it; strings quoted
    assert sh.type("xconfiguration collaborationedge oauthlocal") == [
        "*c xConfiguration CollaborationEdge OAuthLocal: Off", "OK"]
    assert sh.type("xConfiguration SystemUnit Name") == ['*c xConfiguration SystemUnit Name: "expc1"', "OK"]
    sh.close()


def test_set_writes_state_log_and_counters(xsim, ctl):
    sh = XShell(xsim)
    assert sh.type("xConfiguration CollaborationEdge OauthLocal: on") == ["OK"]
    assert sh.type("xConfiguration CollaborationEdge OAuthLocal") == [
        "*c xConfiguration CollaborationEdge OAuthLocal: On", "OK"]
    assert sh.type('xConfiguration SystemUnit Name: "exp c"') == ["OK"]
    sh.close()
    state = ctl.json("GET", "/_sim/state?system=expc1")[1]
    assert state["xconfiguration"]["CollaborationEdge OAuthLocal"] == "On"
    assert state["xconfiguration"]["SystemUnit Name"] == "exp c"
    assert state["xconfiguration_writes"] == 2
    log = [e for e in ctl.json("GET", "/_sim/requests?system=expc1")[1] if e["transport"] == "ssh"]
    writes = [e for e in log if e["kind"] == "write"]
    assert [e["operation"] for e in writes] == ["xConfiguration CollaborationEdge OAuthLocal: on",
                                                "xConfiguration SystemUnit Name: exp c"]
    assert all(e["status"] == "ok" and e["carried_out"] for e in writes)
    assert ctl.json("GET", "/_sim/counters")[1]["systems"]["expc1"]["writes"] == 2


def test_errors_as_the_xapi_prints_them(xsim, ctl):
    sh = XShell(xsim)
    bad_value = sh.type("xConfiguration CollaborationEdge OAuthLocal: Maybe")
    assert bad_value[0] == A.XAPI_ERROR_HEAD and bad_value[-1] == "ERROR"
    assert any("Invalid value Maybe" in line for line in bad_value)
    no_path = sh.type("xConfiguration CollaborationEdge NoSuch")
    assert A.XAPI_ERROR_REASON % A.XAPI_NO_MATCH in no_path and no_path[-1] == "ERROR"
    assert sh.type("xCommand Restart") == [A.XAPI_UNKNOWN]
    sh.close()
    viewer = XShell(xsim, "viewer", "Exp-View1")
    denied = viewer.type("xConfiguration CollaborationEdge OAuthLocal: On")
    assert A.XAPI_ERROR_REASON % A.XAPI_READ_ONLY in denied
    viewer.close()
    state = ctl.json("GET", "/_sim/state?system=expc1")[1]
    assert state["xconfiguration"]["CollaborationEdge OAuthLocal"] == "Off" and state["xconfiguration_writes"] == 0
    failed = [e for e in ctl.json("GET", "/_sim/requests?system=expc1")[1] if e.get("status") == "failed"]
    assert len(failed) == 4 and all(e["kind"] == "other" for e in failed)


def test_wrong_password_and_faults_share_the_core(xsim, ctl):
    with pytest.raises(paramiko.AuthenticationException):
        XShell(xsim, password="wrong")
    ctl.json("POST", "/_sim/faults", {"ssh_command_fails": 1, "system": "expc1"})
    sh = XShell(xsim)
    assert sh.type("xConfiguration CollaborationEdge OAuthLocal: On")[-1] == "ERROR"
    ctl.json("POST", "/_sim/faults", {"drop_after_write": 1})
    sh.chan.sendall(b"xConfiguration CollaborationEdge OAuthLocal: On\r")
    with pytest.raises(EOFError):
        sh.until()
    sh.close()
    state = ctl.json("GET", "/_sim/state?system=expc1")[1]
    assert state["xconfiguration"]["CollaborationEdge OAuthLocal"] == "On"  # carried out, answer lost
    counters = ctl.json("GET", "/_sim/counters")[1]["systems"]["expc1"]
    assert counters["ssh_login_failures"] == 1 and counters["writes"] == 1 and counters["faults"] == 1


def test_control_api_patch_is_not_a_write_and_lab_errors(xsim, ctl):
    ctl.json("POST", "/_sim/state?system=expc1", {"xconfiguration": {"CollaborationEdge LegacyCred": "Off"},
                                                  "version": "X8.9"})
    sh = XShell(xsim)
    assert sh.type("xConfiguration CollaborationEdge LegacyCred") == [
        "*c xConfiguration CollaborationEdge LegacyCred: Off", "OK"]
    assert "X8.9" in sh.type("xStatus SystemUnit Software Version")[0]
    sh.close()
    assert ctl.json("GET", "/_sim/counters")[1]["systems"]["expc1"]["writes"] == 0
    status, body = ctl.json("POST", "/_sim/state?system=expc1", {"xconfiguration": {"Nope": "x"}})
    assert status == 400 and "No match" in body["error"]
    bad = {"expressway": [{"name": "e", "xconfiguration": {"CollaborationEdge OAuthLocal": "Maybe"}}]}
    with pytest.raises(labmod.LabError, match="Invalid value"):
        from ucsim.server import Simulator
        Simulator(labmod.parse(bad, set(KINDS)), None, quiet=True)


# Discovery (issue 18): an Expressway without the assumed leaf, and one with leaves ucsim does not otherwise know
DISCOVERY_LAB = {
    "expressway": [{
        "name": "expc1", "version": "X14.2.1",
        "admins": [{"userid": "admin", "password": "Exp-Adm1n!"}],
        "absent_leaves": ["collaborationedge  " + A.XAPI_REFRESH_SETTING.lower()],
        "extra_leaves": {"CollaborationEdge JabberRefreshGrace": "On", "CollaborationEdge TokenCacheSize": 64,
                         "CollaborationEdge Note": "a b"},
        "xconfiguration": {"CollaborationEdge OAuthLocal": "On", "CollaborationEdge JabberRefreshGrace": "Off"},
    }],
}


def test_lab_without_the_assumed_leaf_and_with_extra_leaves(tmp_path):
    s = start_simulator(labmod.parse(DISCOVERY_LAB, set(KINDS)), str(tmp_path))
    try:
        sh = XShell(s)
        assert sh.type("xConfiguration CollaborationEdge") == [
            "*c xConfiguration CollaborationEdge Enabled: On", "*c xConfiguration CollaborationEdge OAuthLocal: On",
            "*c xConfiguration CollaborationEdge LegacyCred: Off",
            "*c xConfiguration CollaborationEdge InternalAuthAvailability: Off",
            "*c xConfiguration CollaborationEdge JabberRefreshGrace: Off",
            "*c xConfiguration CollaborationEdge TokenCacheSize: 64",
            '*c xConfiguration CollaborationEdge Note: "a b"', "OK"]
        # the absent leaf is unknown when read or set on its own, and nothing is written
        for line in ("xConfiguration CollaborationEdge %s" % A.XAPI_REFRESH_SETTING,
                     "xConfiguration CollaborationEdge %s: On" % A.XAPI_REFRESH_SETTING):
            out = sh.type(line)
            assert A.XAPI_ERROR_REASON % A.XAPI_NO_MATCH in out and out[-1] == A.XAPI_ERROR, out
        # the extra leaves take values of their kind
        assert sh.type("xConfiguration CollaborationEdge JabberRefreshGrace: on") == ["OK"]
        assert sh.type("xConfiguration CollaborationEdge TokenCacheSize: x")[-1] == A.XAPI_ERROR
        sh.close()
        cl = Client(s.systems["expc1"].url, s.cafile)
        state = cl.json("GET", "/_sim/state?system=expc1")[1]
        assert "CollaborationEdge " + A.XAPI_REFRESH_SETTING not in state["xconfiguration"]
        assert state["xconfiguration"]["CollaborationEdge JabberRefreshGrace"] == "On"
        assert state["xconfiguration_writes"] == 1
        # a reset restores the lab's leaves
        cl.json("POST", "/_sim/reset", {"state": True})
        state = cl.json("GET", "/_sim/state?system=expc1")[1]
        assert state["xconfiguration"]["CollaborationEdge JabberRefreshGrace"] == "Off"
        assert "CollaborationEdge " + A.XAPI_REFRESH_SETTING not in state["xconfiguration"]
        cl.close()
    finally:
        s.stop()


@pytest.mark.parametrize("change, words", [
    ({"absent_leaves": ["CollaborationEdge Nope"]}, "not a leaf the simulator has"),
    ({"absent_leaves": "CollaborationEdge OAuthLocal"}, "must be a list"),
    ({"extra_leaves": {"Lonely": "On"}}, "at least two words"),
    ({"extra_leaves": {"CollaborationEdge OAuthLocal": "On"}}, "must be a new path"),
    ({"absent_leaves": ["CollaborationEdge OAuthLocal"], "xconfiguration": {"CollaborationEdge OAuthLocal": "On"}},
     "No match"),
])
def test_discovery_lab_keys_are_checked(change, words):
    from ucsim.server import Simulator
    lab = {"expressway": [dict({"name": "e"}, **change)]}
    with pytest.raises(labmod.LabError, match=words):
        Simulator(labmod.parse(lab, set(KINDS)), None, quiet=True)
