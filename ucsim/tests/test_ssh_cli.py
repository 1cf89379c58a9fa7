"""The platform CLI over SSH, standalone: SshServer + platform_cli + PlatformState, driven with paramiko."""

import os
import socket
import time

import paramiko
import pytest

from simhelp import SshShell
from ucsim import assumptions as A
from ucsim.protocols import platform_cli as cli
from ucsim.state.platform import PlatformState
from ucsim.state.services import Services
from ucsim.transports.ssh import MemoryRecorder, SimpleFaults, SshServer

ADMIN, PASSWORD = "admin", "Pl4tform!"


class Node:
    def __init__(self, name, role):
        self.name, self.role = name, role


def Shell(port, known_hosts, user=ADMIN, password=PASSWORD, method="keyboard-interactive"):
    """The shared SSH shell client (simhelp.SshShell) on 127.0.0.1."""
    return SshShell("127.0.0.1", port, known_hosts, user, password, method)


@pytest.fixture
def lab(tmp_path):
    made = []

    def make(platform=None, **options):
        platform = platform or PlatformState("cucm1", admins={ADMIN: PASSWORD, "viewer": {"password": "v",
                                                                                        "privilege": 1}})
        rec = MemoryRecorder()
        options.setdefault("login_delay_s", 0.01)
        # the node's services (the ones Serviceability would report), as the simulator wires a node's shell
        services = Services("cucm1", {"restart_s": 0.5, "not_activated": {"cucm1": ["Cisco DirSync"]}})
        options.setdefault("session_context", {
            "node": Node("cucm1", "publisher"), "services": lambda: services,
            "count": lambda counter, name: rec.count("%s %s" % (counter, name))})
        server = SshServer(platform, str(tmp_path), name="cucm1", record=rec.record, count=rec.count, **options)
        port = server.start()
        known_hosts = str(tmp_path / "known_hosts")
        with open(known_hosts, "a") as fh:
            fh.write(server.known_hosts_line() + "\n")
        made.append(server)
        server.rec, server.platform_state, server.known_hosts = rec, platform, known_hosts
        return server

    yield make
    for s in made:
        s.stop()


def test_login_banner_prompt_and_echo(lab):
    srv = lab()
    sh = Shell(srv.port, srv.known_hosts)
    assert sh.banner.startswith(A.CLI_STARTING + "\r\n")
    assert A.CLI_WELCOME in sh.banner and sh.banner.endswith("\r\n" + A.CLI_PROMPT)
    out = sh.type("show version active")
    assert out.startswith("show version active\r\n")  # echo
    assert "Active Master Version: 14.0.1.13900-155\r\n" in out
    sh.close()
    assert srv.rec.counters == {"ssh_logins": 1, "ssh_commands": 1}
    login, command = srv.rec.entries
    assert (login["operation"], login["kind"], login["status"], login["method"]) == ("login", "other", "ok",
                                                                                     "keyboard-interactive")
    assert (command["operation"], command["kind"], command["status"], command["user"]) == (
        "show version active", "read", "ok", ADMIN)
    assert command["client"].startswith("127.0.0.1:") and "write_attempt" not in command


def test_the_host_key_is_kept_in_the_state_dir_and_reused(lab, tmp_path):
    first = lab()
    line = first.known_hosts_line()
    first.stop()
    second = lab()
    assert second.known_hosts_line().split()[1:] == line.split()[1:]
    assert line.split()[0] == "[127.0.0.1]:%d" % first.port
    assert oct(os.stat(str(tmp_path / "ssh_host_cucm1_key")).st_mode & 0o777) == oct(0o600)


def test_loopback_only(tmp_path):
    with pytest.raises(ValueError):
        SshServer(PlatformState("x"), str(tmp_path), host="0.0.0.0")


def test_wrong_password_is_refused_and_counted(lab):
    srv = lab()
    with pytest.raises(paramiko.AuthenticationException):
        Shell(srv.port, srv.known_hosts, password="wrong")
    assert srv.rec.counters == {"ssh_login_failures": 1}
    assert [(e["operation"], e["kind"]) for e in srv.rec.entries] == [("login", "auth_failed")]


def test_password_auth_only_when_the_lab_allows_it(lab):
    srv = lab()
    with pytest.raises(paramiko.BadAuthenticationType) as caught:
        Shell(srv.port, srv.known_hosts, method="password")
    assert caught.value.allowed_types == ["keyboard-interactive"]
    srv2 = lab(password_auth=True)
    sh = Shell(srv2.port, srv2.known_hosts, method="password")
    assert "account name    : admin" in sh.type("show myself")
    sh.close()
    assert srv2.rec.entries[0]["method"] == "password"


def test_exec_channels_are_refused(lab):
    srv = lab()
    client = paramiko.SSHClient()
    client.load_host_keys(srv.known_hosts)
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    t = paramiko.Transport(sock)
    t.start_client(timeout=10)
    t.auth_interactive(ADMIN, lambda *a: [PASSWORD])
    chan = t.open_session()
    with pytest.raises(paramiko.SSHException):
        chan.exec_command("show myself")
    t.close()
    assert srv.rec.counters.get("ssh_commands", 0) == 0
    assert [e["operation"] for e in srv.rec.entries] == ["login", "exec show myself"]


def test_show_key_and_regeneration_with_confirmation(lab):
    srv = lab()
    state = srv.platform_state
    heard = []
    state.add_listener(lambda kind, old, new: heard.append((kind, old, new)))
    before = state.key_info("signing")["checksum"]
    sh = Shell(srv.port, srv.known_hosts)
    out = sh.type("show key authz signing")
    assert (A.CLI_KEY_CHECKSUM % before) in out and (A.CLI_KEY_REGENERATED % A.CLI_KEY_NEVER) in out
    out = sh.type("set key regen authz signing", until=A.CLI_REGEN_CONFIRM)
    assert "WARNING" in out and state.key_info("signing")["checksum"] == before  # nothing before the answer
    out = sh.type("yes")
    assert (A.CLI_REGEN_DONE % "signing") in out
    after = state.key_info("signing")["checksum"]
    assert after != before and heard == [("signing", before, after)]
    assert state.regenerations == {"signing": 1, "encryption": 0}
    out = sh.type("show key authz signing")
    assert (A.CLI_KEY_CHECKSUM % after) in out and A.CLI_KEY_NEVER not in out
    sh.close()
    kinds = [(e["operation"], e["kind"], e["carried_out"]) for e in srv.rec.entries[1:]]
    assert kinds == [("show key authz signing", "read", False), ("set key regen authz signing", "write", True),
                     ("show key authz signing", "read", False)]
    assert [e.get("write_attempt", False) for e in srv.rec.entries[1:]] == [False, True, False]


def test_regeneration_declined_changes_nothing(lab):
    srv = lab()
    before = dict(srv.platform_state.keys)
    sh = Shell(srv.port, srv.known_hosts)
    sh.type("set key regen authz encryption", until=A.CLI_REGEN_CONFIRM)
    assert A.CLI_REGEN_CANCELLED in sh.type("no")
    sh.close()
    assert srv.platform_state.keys == before
    assert srv.rec.entries[-1]["kind"] == "other"


def test_regeneration_needs_privilege_4(lab):
    srv = lab()
    sh = Shell(srv.port, srv.known_hosts, user="viewer", password="v")
    out = sh.type("set key regen authz signing")
    assert A.CLI_INSUFFICIENT in out and A.CLI_FAILED in out
    sh.close()
    assert srv.platform_state.regenerations["signing"] == 0


def test_unknown_and_incomplete_commands_fail_as_the_cli_does(lab):
    srv = lab()
    sh = Shell(srv.port, srv.known_hosts)
    for line in ("show nothing", "set key regen"):
        out = sh.type(line)
        assert (A.CLI_UNKNOWN % line) in out and (A.CLI_FAILED + "\r\n" + A.CLI_PROMPT) in out
    sh.close()
    assert [e["status"] for e in srv.rec.entries[1:]] == ["failed", "failed"]


def test_commands_are_matched_ignoring_case_and_spacing(lab):
    srv = lab()
    sh = Shell(srv.port, srv.known_hosts)
    assert "Active Master Version" in sh.type("  SHOW   version Active ")
    sh.close()
    assert srv.rec.entries[-1]["operation"] == "show version active"


def test_pagination_pages_until_turned_off(lab):
    srv = lab(page_lines=3)
    sh = Shell(srv.port, srv.known_hosts)
    out = sh.type("utils service list", until=A.CLI_PAGER)
    assert out.count("\r\n") == 4  # echo + 3 lines
    sh.chan.sendall(b" ")
    rest = sh.until(A.CLI_PAGER)
    assert rest.startswith("\r" + " " * len(A.CLI_PAGER) + "\r")
    sh.chan.sendall(b"q")
    sh.until(A.CLI_PROMPT)
    assert A.CLI_PAGINATION_OFF in sh.type("set cli pagination off")
    out = sh.type("utils service list")
    assert A.CLI_PAGER not in out and "Cisco DirSync[STOPPED]  Service Not Activated" in out
    sh.close()


def test_backspace_editing_and_ctrl_c(lab):
    srv = lab()
    sh = Shell(srv.port, srv.known_hosts)
    out = sh.type("show myselx\x7ff")
    assert "\b \b" in out and "account name" in out
    sh.chan.sendall(b"show ver\x03")
    assert sh.until(A.CLI_PROMPT).endswith("^C\r\n" + A.CLI_PROMPT)
    sh.close()
    assert [e["operation"] for e in srv.rec.entries[1:]] == ["show myself"]


def test_the_line_editor_acts_on_control_keys_before_the_command_is_judged(lab):
    """CLI_LINE_EDITOR: DEL/BS erase, Ctrl-U kills, Ctrl-W erases a word, Ctrl-C cancels, ESC sequences are keys
    (cursor up recalls the history), other controls and C1 bytes are ignored: what runs is the edited line."""
    srv = lab()
    sh = Shell(srv.port, srv.known_hosts)
    old = srv.platform_state.key_info("signing")["checksum"]
    sh.type("show myself")
    assert "account name" in sh.type("show version active\x15show myself")           # Ctrl-U: killed
    assert "account name" in sh.type("show version\x17\x17show myself")             # Ctrl-W twice
    assert "account name" in sh.type("sh\x00ow\x09 my\x01self")                     # NUL, tab, Ctrl-A ignored
    assert "account name" in sh.type("show ver\x1b[Dsion\x1bOC\x1bx\x15show myself")  # sequences swallowed
    assert "account name" in sh.type("show version\x1b[A\x1b[A\x1b[B")                # up, up, down: recalled
    sh.chan.sendall(b"show version\x9b\x41\x15\x1b[A\n")                           # 8-bit CSI up: recalled
    assert "account name" in sh.until(A.CLI_PROMPT)
    sh.chan.sendall(b"show key authz signing\x7f" * 1 + b"\x08" * 21 + b"set key regen authz signing\n")
    assert A.CLI_REGEN_CONFIRM in sh.until(A.CLI_REGEN_CONFIRM)
    sh.type("no")
    sh.chan.sendall(b"show version active\x03set key regen authz signing\n")
    assert A.CLI_REGEN_CONFIRM in sh.until(A.CLI_REGEN_CONFIRM)
    sh.type("n\x7fyes")                                                               # the answer is edited too
    sh.close()
    assert srv.platform_state.key_info("signing")["checksum"] != old
    assert [e["operation"] for e in srv.rec.entries[1:]] == ["show myself"] * 7 + ["set key regen authz signing"] * 2


def test_login_delay_is_slept_between_the_banner_lines(lab):
    srv = lab(login_delay_s=0.3)
    started = time.monotonic()
    sh = Shell(srv.port, srv.known_hosts)
    assert time.monotonic() - started >= 0.3
    sh.close()


def test_fault_wrong_password_even_with_the_right_one(lab):
    faults = SimpleFaults(login_fails=1)
    srv = lab(fault=faults)
    with pytest.raises(paramiko.AuthenticationException):
        Shell(srv.port, srv.known_hosts)
    Shell(srv.port, srv.known_hosts).close()  # the fault fired once
    assert srv.rec.counters == {"ssh_login_failures": 1, "ssh_logins": 1}


def test_fault_slow_login(lab):
    srv = lab(fault=SimpleFaults(login_delay_s=0.5))
    sh = SshShell.__new__(SshShell)
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
    t = paramiko.Transport(sock)
    t.start_client(timeout=10)
    t.auth_interactive(ADMIN, lambda *a: [PASSWORD])
    sh.chan = t.open_session()
    sh.chan.get_pty()
    sh.chan.invoke_shell()
    sh.chan.settimeout(0.3)
    with pytest.raises(socket.timeout):
        sh.until(A.CLI_PROMPT)  # not within 0.3 s
    sh.chan.settimeout(5)
    assert sh.until(A.CLI_PROMPT).endswith(A.CLI_PROMPT)
    t.close()


def test_fault_drop_before_the_command(lab):
    srv = lab(fault=SimpleFaults(drop=1))
    sh = Shell(srv.port, srv.known_hosts)
    with pytest.raises(EOFError):
        sh.type("set key regen authz signing")
    assert srv.platform_state.regenerations["signing"] == 0
    entry = srv.rec.entries[-1]
    assert (entry["kind"], entry["status"], entry["carried_out"]) == ("fault", None, False)


def test_fault_drop_after_the_write_is_carried_out(lab):
    srv = lab(fault=SimpleFaults(drop_after_write=1, only="set key regen authz signing"))
    before = srv.platform_state.keys["signing"]
    sh = Shell(srv.port, srv.known_hosts)
    sh.type("show key authz signing")  # a read is never dropped by drop_after_write
    sh.type("set key regen authz signing", until=A.CLI_REGEN_CONFIRM)
    with pytest.raises(EOFError) as caught:
        sh.type("yes")
    assert A.CLI_REGEN_DONE % "signing" not in str(caught.value)
    assert srv.platform_state.keys["signing"] != before
    entry = srv.rec.entries[-1]
    assert (entry["operation"], entry["kind"], entry["status"], entry["carried_out"]) == (
        "set key regen authz signing", "write", None, True)


def test_fault_command_fails(lab):
    srv = lab(fault=SimpleFaults(command_fails=1))
    sh = Shell(srv.port, srv.known_hosts)
    out = sh.type("set key regen authz encryption")
    assert out.endswith(A.CLI_FAILED + "\r\n" + A.CLI_PROMPT) and A.CLI_REGEN_CONFIRM not in out
    assert "Checksum" in sh.type("show key authz encryption")
    sh.close()
    assert srv.platform_state.regenerations["encryption"] == 0
    assert [(e["kind"], e["status"]) for e in srv.rec.entries[1:]] == [("fault", "failed"), ("read", "ok")]


def test_simple_faults_refuse_unknown_names():
    with pytest.raises(ValueError):
        SimpleFaults(explode=1)


def test_nodes_share_one_platform_state(lab):
    shared = PlatformState("cluster", admins={ADMIN: PASSWORD})
    a, b = lab(platform=shared), lab(platform=shared)
    sh = Shell(a.port, a.known_hosts)
    sh.type("set key regen authz signing", until=A.CLI_REGEN_CONFIRM)
    sh.type("yes")
    sh.close()
    sh = Shell(b.port, b.known_hosts)
    assert (A.CLI_KEY_CHECKSUM % shared.keys["signing"]) in sh.type("show key authz signing")
    sh.close()


def test_platform_state_uses_a_given_keys_dict_and_a_seed():
    keys = {"signing": "ab" * 16}
    state = PlatformState("c", keys=keys, seed="lab-seed")
    assert state.keys is keys and keys["signing"] == "ab" * 16 and len(keys["encryption"]) == 32
    assert PlatformState("d", seed="lab-seed").keys["encryption"] == keys["encryption"]
    state.regenerate_key("encryption")
    assert keys["encryption"] != PlatformState("d", seed="lab-seed").keys["encryption"]
    assert state.to_json()["authz_key_regenerations"] == {"signing": 0, "encryption": 1}
    with pytest.raises(KeyError):
        state.regenerate_key("both")


def test_command_table_is_transport_free():
    state = PlatformState("c", admins={ADMIN: PASSWORD})
    session = cli.CliSession(state, ADMIN)
    answer = cli.execute(session, "set key regen authz signing")
    assert answer.confirm is not None and answer.kind == "other"
    done = answer.confirm[1]("y")
    assert done.kind == "write" and done.carried_out_write and state.regenerations["signing"] == 1
    assert cli.execute(session, "").text == ""
    assert cli.pages("a\nb\nc", 2) == [["a", "b"], ["c"]] and cli.pages("a\nb", 0) == [["a", "b"]]


def test_concurrent_sessions_are_each_served(lab):
    import threading
    srv = lab(command_delay_s=0.2)
    shells = [Shell(srv.port, srv.known_hosts) for _ in range(4)]
    outs = []

    def work(sh):
        outs.append(sh.type("show myself"))

    threads = [threading.Thread(target=work, args=(sh,)) for sh in shells]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    for sh in shells:
        sh.close()
    assert len(outs) == 4 and all("account name    : admin" in o for o in outs)
    assert srv.rec.counters == {"ssh_logins": 4, "ssh_commands": 4}


def test_the_hooks_plug_into_the_simulator_core(tmp_path):
    """The record/count hooks have the core's signatures after (system, transport) and (system): partial wires them."""
    import functools
    import types
    from ucsim.transports.core import Core

    core = Core(100)
    core.add_system("cucm1", ["cucm1-pub"])
    system = types.SimpleNamespace(name="cucm1")
    node = types.SimpleNamespace(name="cucm1-pub", system=system)
    srv = SshServer(PlatformState("cucm1", admins={ADMIN: PASSWORD}), str(tmp_path), name="cucm1-pub",
                    login_delay_s=0, record=functools.partial(core.record, system, "ssh", node=node),
                    count=functools.partial(core.count, system, node=node))
    port = srv.start()
    known_hosts = str(tmp_path / "known_hosts")
    with open(known_hosts, "w") as fh:
        fh.write(srv.known_hosts_line() + "\n")
    try:
        sh = Shell(port, known_hosts)
        sh.type("show key authz signing")
        sh.type("set key regen authz signing", until=A.CLI_REGEN_CONFIRM)
        sh.type("yes")
        sh.close()
        with pytest.raises(paramiko.AuthenticationException):
            Shell(port, known_hosts, password="wrong")
    finally:
        srv.stop()
    log = [(e["transport"], e["node"], e["operation"], e["kind"], e["status"]) for e in core.requests()]
    assert log == [("ssh", "cucm1-pub", "login", "other", "ok"),
                   ("ssh", "cucm1-pub", "show key authz signing", "read", "ok"),
                   ("ssh", "cucm1-pub", "set key regen authz signing", "write", "ok"),
                   ("ssh", "cucm1-pub", "login", "auth_failed", "failed")]
    c = core.counters()["nodes"]["cucm1-pub"]
    assert (c["ssh_logins"], c["ssh_login_failures"], c["ssh_commands"], c["reads"], c["writes"],
            c["write_attempts"], c["auth_failures"]) == (1, 1, 2, 1, 1, 1, 1)


def test_utils_service_commands_act_on_the_nodes_services(lab):
    srv = lab()
    services, node = srv.session_context["services"](), srv.session_context["node"]
    sh = Shell(srv.port, srv.known_hosts)
    sh.type("set cli pagination off")
    listed = sh.type("utils service list")
    assert "Cisco Tomcat[STARTED]" in listed and "Cisco DirSync[STOPPED]  Service Not Activated" in listed
    before = time.time()
    out = sh.type("utils service restart cisco  TOMCAT")   # names matched ignoring case and spacing
    # printed as it stops; back at the prompt once stopped, while it is still starting
    assert A.CLI_SERVICE_RESTART_WARNING in out and A.CLI_SERVICE_MANAGER in out
    assert out.index("Cisco Tomcat[STOPPING]") < out.index("Cisco Tomcat[STOPPED]") < out.index(
        "Cisco Tomcat[STARTING]")
    assert time.time() - before >= 0.5 * A.SERVICE_STOP_SHARE
    assert services.status(node, ["Cisco Tomcat"])[0]["status"] == "Starting"
    assert "Cisco Tomcat[STARTING]" in sh.type("utils service list")
    (h,) = services.to_json([node])["nodes"]["cucm1"]["Cisco Tomcat"]["history"]
    assert h["action"] == "Restart" and h["requested"] >= before
    assert srv.rec.counters["service_restarts Cisco Tomcat"] == 1
    entry = srv.rec.entries[-2]
    assert (entry["operation"], entry["kind"], entry["status"]) == ("utils service restart Cisco Tomcat", "write", "ok")
    # stop, then stop again (nothing to do), start; not activated and unknown services
    assert "Cisco CallManager[STOPPED]" in sh.type("utils service stop Cisco CallManager")
    again = sh.type("utils service stop Cisco CallManager")
    assert "Cisco CallManager[STOPPED]" in again and srv.rec.entries[-1]["kind"] == "other"
    assert "Cisco CallManager[STARTING]" in sh.type("utils service start Cisco CallManager")
    assert "Cisco DirSync[STOPPED]  Service Not Activated" in sh.type("utils service restart Cisco DirSync")
    unknown = sh.type("utils service restart Cisco Nothing")
    assert "Service not found" in unknown and A.CLI_FAILED in unknown
    sh.close()
    assert srv.rec.counters["service_stops Cisco CallManager"] == 1
    assert srv.rec.counters["service_starts Cisco CallManager"] == 1
    assert "service_restarts Cisco DirSync" not in srv.rec.counters


def test_utils_service_changes_need_the_privilege_and_a_shell_without_node_has_no_services(lab):
    srv = lab()
    sh = Shell(srv.port, srv.known_hosts, user="viewer", password="v")
    assert "Cisco Tomcat[STARTED]" in sh.type("utils service list")          # listing needs no privilege
    out = sh.type("utils service restart Cisco Tomcat")
    assert A.CLI_INSUFFICIENT in out and A.CLI_FAILED in out
    sh.close()
    bare = lab(session_context={})
    sh = Shell(bare.port, bare.known_hosts)
    assert A.CLI_FAILED in sh.type("utils service list")
    sh.close()


def test_the_key_and_service_rules_are_the_platform_states():
    """Who may run a key or service command, and where, is PlatformState's rule (as Expressway's is its state's):
    the CLI only words the refusal; the simulator's own callers (None, the control API) are not ruled."""
    from ucsim.state.platform import CONTROL_SERVICE, REGENERATE_KEY, SHOW_KEY, PlatformError

    state = PlatformState("c", admins={ADMIN: PASSWORD, "viewer": {"password": "v", "privilege": 1}})
    pub, sub = Node("c-pub", "publisher"), Node("c-sub", "subscriber")
    for command in (SHOW_KEY, REGENERATE_KEY, CONTROL_SERVICE):
        with pytest.raises(PlatformError, match=A.CLI_INSUFFICIENT):
            state.authorize("viewer", command, pub)
        assert state.authorize(ADMIN, command, pub) is None
    with pytest.raises(PlatformError, match=A.CLI_PUBLISHER_ONLY):
        state.authorize(ADMIN, REGENERATE_KEY, sub)
    assert state.authorize(ADMIN, SHOW_KEY, sub) is None and state.authorize(ADMIN, REGENERATE_KEY, None) is None
    state.patch({"upgrade_in_progress": ["c-sub"]})
    with pytest.raises(PlatformError, match=A.CLI_UPGRADE_REFUSED):
        state.key_info("signing", user=ADMIN, node=sub)
    assert state.authorize(ADMIN, CONTROL_SERVICE, sub) is None  # an upgrade stops the key commands only
    before = state.key_info("signing")["checksum"]
    with pytest.raises(PlatformError, match=A.CLI_INSUFFICIENT):
        state.regenerate_key("signing", by="viewer", node=pub)
    assert state.key_info("signing", user=ADMIN, node=pub)["checksum"] == before and state.regenerations["signing"] == 0
    state.regenerate_key("signing", by="control API", node=sub)  # the control API is not a shell user
    assert state.regenerations["signing"] == 1
    with pytest.raises(ValueError):
        state.authorize(ADMIN, "reboot", pub)
    # the CLI answers the state's refusal in its own words, then "Executed command unsuccessfully"
    answer = cli.execute(cli.CliSession(state, "viewer", node=pub), "set key regen authz signing")
    assert answer.failed and answer.confirm is None and answer.text == A.CLI_INSUFFICIENT + "\n" + A.CLI_FAILED
