"""The SSH transport of the simulator: a threaded paramiko server that serves a product's admin CLI.

Loopback only. One ``SshServer`` per listener (node); several may share one state (a cluster's ``PlatformState``).
What the shell says is a *dialect* (``protocols/dialect.py``: the interface; ``protocols/platform_cli.py``, CUCM's
``admin:``, by default in standalone use): the simulator gives each listener the dialect its system's kind
registered (``server.register_kind(..., dialect=...)``); this module knows no product.

    server = SshServer(platform, state_dir, name="cucm1", host="127.0.0.1", port=0,
                       password_auth=None, login_delay_s=None, page_lines=A.CLI_PAGE_LINES,
                       command_delay_s=None, record=None, count=None, fault=None, names=())
    port = server.start(); server.known_hosts_line(); server.stop()

As the products do: keyboard-interactive authentication against ``platform.check_login`` (and plain password only when
``password_auth``), exec/subsystem requests refused, a pty and a vt100 shell with echo, the banner lines with the
login delay between them, the ``admin:`` prompt, pagination, confirmations. The host key (ECDSA P-256) is kept in
``state_dir/ssh_host_<name>_key`` and reused.

Hooks (plain callables, so the simulator's shared log, counters and faults can be wired in):

``record(operation, kind, status, **fields)``
    one call per login attempt, exec request and command line: ``operation`` (``login``, ``exec <command>`` or
    the CLI command, e.g. ``set key regen authz signing``), ``kind`` (``read`` | ``write`` | ``auth_failed`` |
    ``fault`` | ``other``), ``status`` (``"ok"``, ``"failed"`` — the CLI printed "Executed command
    unsuccessfully", or the login was refused — or ``None`` when the connection was closed before the answer),
    and ``fields``: ``user``, ``client`` ("ip:port"), ``carried_out`` (a write was carried out), ``method`` (on
    logins: ``keyboard-interactive`` | ``password``), ``write_attempt=True`` (on writes that were confirmed).
    A write is ``kind: "write"`` only when carried out. The signature is the simulator core's
    ``record(system, transport, ...)`` after its first two arguments (and ``node=``), so
    ``functools.partial(core.record, system, "ssh", node=node)`` wires it.
``count(key)``
    ``ssh_logins`` (successful logins), ``ssh_login_failures``, ``ssh_commands`` (command lines received);
    ``functools.partial(core.count, system, node=node)`` wires it.
``fault(name, operation)``
    asked at each decision point; returns a false value when no fault fires. Names:
    ``login_fails`` (refuse this login even with the right password), ``login_delay_s`` (extra seconds of login
    delay, a number), ``latency_s`` (extra seconds before a command is carried out), ``drop`` (close the connection before carrying out the command), ``drop_after_write``
    (asked after a write was carried out: close before answering), ``command_fails`` (answer
    "Executed command unsuccessfully" without carrying the command out).
``SimpleFaults`` and ``MemoryRecorder`` below are small standalone implementations (tests, standalone use);
``bind(sim, node, host, port)`` wires a listener into the simulator: the core's log, counters and faults
(``CoreFaults``), the system's dialect and what it serves (``dialect.served(state)``, e.g. the cluster's
``PlatformState``), the host key of the node in the state dir.
"""

import collections
import functools
import ipaddress
import os
import socket
import threading
import time

import paramiko

from .. import assumptions as A
from .. import replay
from ..protocols import platform_cli as cli

COUNTER_KEYS = ("ssh_logins", "ssh_login_failures", "ssh_commands")
FAULT_NAMES = ("login_fails", "login_delay_s", "drop", "drop_after_write", "command_fails", "latency_s")


class MemoryRecorder:
    """``record`` and ``count`` hooks that keep everything in memory (``entries``, ``counters``)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []
        self.counters = collections.Counter()

    def record(self, operation, kind, status, **fields):
        entry = dict(fields, operation=operation, kind=kind, status=status, time=time.time())
        with self.lock:
            self.entries.append(entry)
        return entry

    def count(self, key, n=1):
        with self.lock:
            self.counters[key] += n

    def operations(self, kind=None):
        with self.lock:
            return [e["operation"] for e in self.entries if kind is None or e["kind"] == kind]


class SimpleFaults:
    """A ``fault`` hook: counts of faults still to fire (``login_fails=1``, ``drop=1``...), and a login delay.

    ``login_delay_s`` is added to every login while set; the other names fire once per unit. ``only`` limits the
    command faults to one operation (e.g. ``set key regen authz signing``).
    """

    def __init__(self, only=None, **counts):
        unknown = set(counts) - set(FAULT_NAMES)
        if unknown:
            raise ValueError("unknown SSH faults %s (known: %s)" % (sorted(unknown), ", ".join(FAULT_NAMES)))
        self.lock = threading.Lock()
        self.counts = dict(counts)
        self.only = only

    def set(self, **counts):
        with self.lock:
            self.counts.update(counts)

    def __call__(self, name, operation):
        with self.lock:
            value = self.counts.get(name)
            if not value:
                return None
            if name in ("login_delay_s", "latency_s"):
                return value
            if self.only is not None and operation != self.only and name not in ("login_fails",):
                return None
            self.counts[name] = value - 1
            return True


def _loopback(host):
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def load_host_key(path):
    """The server's host key: loaded from ``path``, or made and saved there (mode 0600) the first time."""
    if os.path.exists(path):
        return paramiko.ECDSAKey(filename=path)
    key = paramiko.ECDSAKey.generate(bits=256)
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    key.write_private_key_file(tmp)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return key


class _Dropped(Exception):
    """The client went away (or a fault closed the connection)."""


class _Auth(paramiko.ServerInterface):
    def __init__(self, server, conn):
        self.server = server
        self.conn = conn
        self.shell = threading.Event()

    def get_allowed_auths(self, username):
        return "keyboard-interactive,password" if self.server.password_auth else "keyboard-interactive"

    def check_auth_none(self, username):
        return paramiko.AUTH_FAILED

    def check_auth_interactive(self, username, submethods):
        self.conn.user = username
        return paramiko.InteractiveQuery("", "", (self.server.dialect.KBD_PROMPT, False))

    def check_auth_interactive_response(self, responses):
        password = responses[0] if len(responses) == 1 else None
        return self._login(self.conn.user, password, "keyboard-interactive")

    def check_auth_password(self, username, password):
        if not self.server.password_auth:
            return paramiko.AUTH_FAILED
        self.conn.user = username
        return self._login(username, password, "password")

    def _login(self, user, password, method):
        srv = self.server
        ok = password is not None and srv.platform.check_login(user, password)
        if ok and srv.fault("login_fails", "login"):
            ok = False
        if ok:
            srv.count("ssh_logins")
            srv.log(self.conn, "login", "other", "ok", method=method)
            return paramiko.AUTH_SUCCESSFUL
        srv.count("ssh_login_failures")
        srv.log(self.conn, "login", "auth_failed", "failed", method=method)
        return paramiko.AUTH_FAILED

    def check_channel_request(self, kind, chanid):
        if kind == "session":
            return paramiko.OPEN_SUCCEEDED
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_pty_request(self, channel, term, width, height, pixelwidth, pixelheight, modes):
        self.conn.term = term
        return True

    def check_channel_shell_request(self, channel):
        self.shell.set()
        return True

    def check_channel_exec_request(self, channel, command):
        self.server.log(self.conn, "exec " + command.decode("utf-8", "replace"), "other", "failed")
        return False  # as CUCM: no exec channel

    def check_channel_subsystem_request(self, channel, name):
        return False

    def check_port_forward_request(self, address, port):
        return False

    def check_channel_direct_tcpip_request(self, chanid, origin, destination):
        return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED


class _Conn:
    def __init__(self, client):
        self.client = client
        self.user = None
        self.term = None


class _Shell:
    """One interactive shell: line editing with echo, the command loop, paging and confirmations."""

    def __init__(self, server, conn, chan):
        self.server = server
        self.conn = conn
        self.chan = chan
        self.pending = b""
        self.after_cr = False
        self.history = []  # the lines typed in this shell, oldest first (recalled with cursor up)
        self.cli = server.dialect
        self.session = self.cli.CliSession(server.platform, conn.user, **server.session_context)

    def write(self, text):
        try:
            self.chan.sendall(text.encode("utf-8"))
        except (OSError, EOFError, paramiko.SSHException):
            raise _Dropped()

    def lines(self, text):
        if text:
            self.write(text.replace("\n", "\r\n") + "\r\n")

    def _byte(self):
        while not self.pending:
            try:
                data = self.chan.recv(4096)
            except socket.timeout:
                raise _Dropped()
            except (OSError, EOFError, paramiko.SSHException):
                raise _Dropped()
            if not data:
                raise _Dropped()
            self.pending += data
        ch, self.pending = self.pending[:1], self.pending[1:]
        return ch

    def read_key(self):
        return self._byte().decode("latin-1")

    def _erase(self, buf, n):
        """Erase the last ``n`` characters of the line being typed, on screen too."""
        n = min(n, len(buf))
        if n:
            del buf[-n:]
            self.write("\b \b" * n)

    def _escape(self, introducer):
        """Read the rest of an escape sequence (after ESC, or the 8-bit CSI); return its final character for a CSI
        or SS3 sequence (``A`` cursor up...), else None."""
        if introducer == "\x1b":
            ch = self.read_key()
            if ch not in "[O":
                return None  # ESC + one character (a Meta key): ignored
        while True:
            ch = self.read_key()
            if "\x40" <= ch <= "\x7e":
                return ch

    def read_line(self):
        """One line as the CLI's line editor makes it (``assumptions.CLI_LINE_EDITOR``)."""
        buf = []
        recalled = len(self.history)
        while True:
            ch = self.read_key()
            if ch == "\n" and self.after_cr:
                self.after_cr = False
                continue
            self.after_cr = ch == "\r"
            if ch in "\r\n":
                self.write("\r\n")
                line = "".join(buf)
                if line.strip():
                    self.history.append(line)
                return line
            if ch in "\x7f\x08":
                self._erase(buf, 1)
            elif ch == "\x03":
                self.write("^C\r\n")
                return ""
            elif ch == "\x15":  # Ctrl-U: kill the line
                self._erase(buf, len(buf))
            elif ch == "\x17":  # Ctrl-W: erase the word before the cursor
                text = "".join(buf)
                self._erase(buf, len(text) - (text.rstrip(" ").rfind(" ") + 1))
            elif ch in ("\x1b", "\x9b"):
                final = self._escape(ch)
                if final in ("A", "B") and self.history:  # cursor up / down: the history
                    recalled = max(0, recalled - 1) if final == "A" else min(len(self.history), recalled + 1)
                    self._erase(buf, len(buf))
                    buf.extend(self.history[recalled] if recalled < len(self.history) else "")
                    self.write("".join(buf))
            elif " " <= ch <= "~" or ch >= "\xa0":
                buf.append(ch)
                self.write(ch)
            # any other control (NUL, tab, Ctrl-A...) or C1 control byte: ignored

    def login(self):
        srv = self.server
        before, after = self.cli.banner(self.session)
        self.lines(before)
        delay = srv.login_delay_s + float(srv.fault("login_delay_s", "login") or 0)
        if delay > 0 and srv.stopping.wait(delay):
            raise _Dropped()
        self.lines(after)

    def prompt(self):
        self.write(self.cli.PROMPT)

    def output(self, text):
        pages = self.cli.pages(text, self.server.page_lines if self.session.pagination else 0)
        for n, page in enumerate(pages):
            self.lines("\n".join(page))
            if n < len(pages) - 1:
                self.write(A.CLI_PAGER)
                key = self.read_key()
                self.write("\r" + " " * len(A.CLI_PAGER) + "\r")
                if key.lower() == "q":
                    return

    def run(self):
        srv = self.server
        self.login()
        while True:
            self.prompt()
            line = self.read_line()
            if not line.strip():
                continue
            if self.cli.normalise(line) in self.cli.EXIT_COMMANDS:
                return
            op = self.cli.operation_of(line)
            srv.count("ssh_commands")
            if srv.fault("drop", op):
                srv.log(self.conn, op, "fault", None)
                return
            if srv.fault("command_fails", op):
                self.lines(self.cli.FAILED)
                srv.log(self.conn, op, "fault", "failed")
                continue
            delay = srv.command_delay_s + float(srv.fault("latency_s", op) or 0)
            if delay and srv.stopping.wait(delay):
                return
            answer = self.cli.execute(self.session, line)
            while answer.confirm is not None:
                question, then = answer.confirm
                self.lines(answer.text)
                self.write(question)
                try:
                    reply = self.read_line()
                except _Dropped:
                    srv.log(self.conn, answer.operation, "other", None)
                    raise
                answer = then(reply)
            if answer.carried_out_write and srv.fault("drop_after_write", answer.operation):
                srv.log(self.conn, answer.operation, "write", None, carried_out=True)
                return
            while answer.then is not None:  # printed in steps (a service restart as it stops)
                seconds, rest = answer.then
                self.lines(answer.text)
                if seconds > 0 and srv.stopping.wait(seconds):
                    return
                answer = rest()
            srv.log(self.conn, answer.operation, answer.kind, "failed" if answer.failed else "ok",
                    carried_out=answer.carried_out_write)
            self.output(answer.text)


class SshServer:
    """The platform CLI of one node. ``platform``: a ``PlatformState`` or a callable returning the current one.
    ``password_auth``, ``login_delay_s`` and ``command_delay_s`` left None are
    read live from ``platform`` (the cluster's settings, which a test may patch); given, they override it."""

    def __init__(self, platform, state_dir, name="cucm", host="127.0.0.1", port=0, password_auth=None,
                 login_delay_s=None, page_lines=A.CLI_PAGE_LINES, command_delay_s=None, record=None, count=None,
                 fault=None, idle_timeout_s=300, key_path=None, names=(), dialect=None, session_context=None):
        if not _loopback(host):
            raise ValueError("the simulator listens on loopback addresses only, not %r" % host)
        self._platform = platform
        self.dialect = dialect or cli
        self.session_context = dict(session_context or {})  # passed to each shell's dialect CliSession
        self.name = name
        self.host = host
        self.port = int(port)
        self.names = [n for n in names if n != host]
        self._settings = {"password_auth": password_auth, "login_delay_s": login_delay_s,
                          "command_delay_s": command_delay_s}
        self.page_lines = int(page_lines)
        self._record = record
        self._count = count
        self._fault = fault
        self.idle_timeout_s = idle_timeout_s
        self.key_path = key_path or os.path.join(state_dir, "ssh_host_%s_key" % name)
        self.host_key = load_host_key(self.key_path)
        self.stopping = threading.Event()
        self._sock = None
        self._threads = []
        self._transports = set()
        self._lock = threading.Lock()

    @property
    def platform(self):
        """The ``PlatformState`` served (``platform`` may be a callable returning it, looked up at each use)."""
        return self._platform() if callable(self._platform) else self._platform

    def _setting(self, key):
        value = self._settings[key]
        return getattr(self.platform, key) if value is None else value

    @property
    def password_auth(self):
        return bool(self._setting("password_auth"))

    @property
    def login_delay_s(self):
        return float(self._setting("login_delay_s") or 0)

    @property
    def command_delay_s(self):
        return float(self._setting("command_delay_s") or 0)

    # hooks ------------------------------------------------------------------------------------------------
    def count(self, key):
        if self._count is not None:
            self._count(key)

    def fault(self, name, operation):
        return self._fault(name, operation) if self._fault is not None else None

    def log(self, conn, operation, kind, status, carried_out=False, **fields):
        if self._record is None:
            return
        if carried_out:
            fields["write_attempt"] = True
        self._record(operation, kind, status, user=conn.user, client=conn.client, carried_out=bool(carried_out),
                     **fields)

    # listener (socketserver-like, as the simulator's transports are) ----------------------------------------
    def known_hosts_line(self, host=None):
        """The line a known_hosts file needs to trust this server (OpenSSH syntax, ``[host]:port`` off 22):
        for ``host``, or for the listener's address and every name it answers to."""
        hosts = [host] if host else [self.host] + self.names
        names = ",".join(h if self.port == 22 else "[%s]:%d" % (h, self.port) for h in hosts)
        return "%s %s %s" % (names, self.host_key.get_name(), self.host_key.get_base64())

    @property
    def server_address(self):
        return (self.host, self.port)

    def bind(self):
        """Bind the listening socket (port 0: a free one); returns the port. Serving starts with serve_forever."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
            sock.listen(64)
        except OSError:
            sock.close()
            raise
        self._sock = sock
        self.port = sock.getsockname()[1]
        return self.port

    def serve_forever(self, poll_interval=0.2):
        try:
            self._sock.settimeout(poll_interval)
        except OSError:  # closed before serving began
            return
        while not self.stopping.is_set():
            try:
                client, addr = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(client, addr), name="ssh-conn-%s" % self.name,
                                 daemon=True)
            t.start()

    def shutdown(self):
        """Stop accepting and close every open connection."""
        self.stopping.set()
        with self._lock:
            transports = list(self._transports)
        for t in transports:
            t.close()

    def server_close(self):
        if self._sock is not None:
            self._sock.close()

    def start(self):
        """Standalone use: bind and serve in a thread of its own; returns the port."""
        port = self.bind()
        t = threading.Thread(target=self.serve_forever, name="ssh-%s" % self.name, daemon=True)
        t.start()
        self._threads.append(t)
        return port

    def stop(self):
        self.shutdown()
        self.server_close()
        for t in self._threads:
            t.join(timeout=2)

    def _serve(self, client, addr):
        conn = _Conn("%s:%s" % (addr[0], addr[1]))
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        transport = paramiko.Transport(client)
        with self._lock:
            self._transports.add(transport)
        try:
            transport.add_server_key(self.host_key)
            auth = _Auth(self, conn)
            try:
                transport.start_server(server=auth)
            except (paramiko.SSHException, EOFError, OSError):
                return
            chan = transport.accept(timeout=self.idle_timeout_s)
            if chan is None or not auth.shell.wait(30):
                return
            chan.settimeout(self.idle_timeout_s)
            try:
                _Shell(self, conn, chan).run()
            except _Dropped:
                pass
        finally:
            with self._lock:
                self._transports.discard(transport)
            transport.close()


# --- the simulator's wiring ---------------------------------------------------------------------------------
# SSH fault keys of ``POST /_sim/faults`` (besides the shared ``drop_after_write`` and ``latency_ms``):
CORE_FAULTS = {
    "ssh_wrong_password": (int, True),        # next N logins refused, even with the right password
    "ssh_drop_commands": (int, True),         # next N commands: connection closed before carrying them out
    "ssh_command_fails": (int, True),         # next N commands answered "Executed command unsuccessfully"
    "ssh_login_delay_s": ((int, float), False),  # extra seconds of login (past a client's login timeout)
    "ssh_fault_command": ((str, type(None)), False),  # limits ssh_drop_commands/ssh_command_fails to one command
}


class CoreFaults:
    """The ``fault`` hook of a node's listener onto the simulator core's one fault injection."""

    COUNTED = {"login_fails": "ssh_wrong_password", "drop": "ssh_drop_commands",
               "command_fails": "ssh_command_fails", "drop_after_write": "drop_after_write"}

    def __init__(self, core, system, node):
        self.core, self.system, self.node = core, system, node

    def __call__(self, name, operation):
        core = self.core
        if name == "login_delay_s":
            return core.fault_value(self.system, "ssh_login_delay_s", self.node) or 0
        if name == "latency_s":
            return core.latency(self.system, self.node)
        if name in ("drop", "command_fails"):
            only = core.fault_value(self.system, "ssh_fault_command", self.node)
            if only and " ".join(only.split()).lower() != operation.lower():
                return False
        return core.fault_for(self.system, self.COUNTED[name], self.node)


def bind(sim, node, host, port):
    """The SSH listener of ``node``, bound, not yet serving: its shell speaks the CLI dialect registered for the
    system's kind (``server.register_kind(..., dialect=...)``; the interface: ``protocols/dialect.py``)."""
    core, system = sim.core, node.system
    module = system.dialect
    dialect = replay.dialect(module, system)  # captured reads of an imported lab first
    for key, (types, counted) in CORE_FAULTS.items():
        if key not in core.fault_types:
            core.register_fault(key, types, counted=counted)
    names = [node.host] + node.cert_names()
    if node.spec.implicit:
        names += ["127.0.0.1", "localhost"]
    # what the shell acts on is looked up at each use: a reset of the lab state gives the system a new one
    def served():
        return module.served(system.state)

    context = dialect.context(core, system, node)
    server = SshServer(served, sim.state_dir, name=node.name, host=host, port=port, dialect=dialect,
                       session_context=context,
                       record=functools.partial(core.record, system, "ssh", node=node),
                       count=functools.partial(core.count, system, node=node), fault=CoreFaults(core, system, node),
                       names=list(dict.fromkeys(names)))
    server.bind()
    return server
