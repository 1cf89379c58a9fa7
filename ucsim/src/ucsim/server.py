"""Threaded HTTPS server: one listener per system, request log, counters, fault injection, dispatch.

Products plug in through ``register_kind``: a state class (``state/<kind>.py``) and a mapping of path
prefixes to protocol modules (``protocols/<proto>.py``), each exposing ``peek(req)`` (the operation name,
cheaply, for requests answered before the handler runs) and ``handle(ctx)`` (returns a ``Response``).
"""

import base64
import collections
import importlib
import random
import secrets
import socket
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import assumptions as A
from . import tls
from .lab import LabError
from .web import Reply, Request, Response
from .protocols import control

KINDS = {}


def register_kind(kind, state_cls, routes):
    """state_cls: a class or "module:Class" (relative to this package); routes: {path prefix: protocol
    module or its dotted name}. Names are imported when the first Simulator is built (no import cycles).
    The longest matching prefix wins."""
    KINDS[kind] = (state_cls, dict(routes))


def _resolve(kind):
    state_cls, routes = KINDS[kind]
    if isinstance(state_cls, str):
        mod, _, cls = state_cls.partition(":")
        state_cls = getattr(importlib.import_module("." + mod, __package__), cls)
    resolved = {}
    for prefix, proto in routes.items():
        resolved[prefix] = importlib.import_module("." + proto, __package__) if isinstance(proto, str) else proto
    KINDS[kind] = (state_cls, resolved)
    return state_cls, sorted(resolved.items(), key=lambda kv: -len(kv[0]))


# --- system kinds: one line per product -------------------------------------------------------------------
register_kind("cucm", "state.cucm:CucmState", {"/axl": "protocols.axl", "/ssosp/": "protocols.ssosp"})
register_kind("cuc", "state.cuc:CucState", {"/vmrest/": "protocols.cupi"})


LOG_BODY_MAX = 256 * 1024
COUNTER_KEYS = ("requests", "reads", "writes", "write_attempts", "auth_failures", "faults", "basic_auth",
                "cookie_auth", "connections")
FAULT_KEYS = {"http_503_writes": int, "axl_memory_reads": int, "latency_ms": (int, float),
              "drop_connections": int, "http_503_rate": (int, float), "seed": (int, str, type(None)),
              "system": (str, type(None))}


class System:
    def __init__(self, spec, state_cls, routes):
        self.spec = spec
        self.name = spec.name
        self.kind = spec.kind
        self.state_cls = state_cls
        self.state = state_cls(spec.name, spec.config)
        self.routes = routes
        self.port = None
        self.host = None
        self.sessions = {}  # sid -> [userid, last_seen]
        self.listener = None

    @property
    def url(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "https://%s:%d" % (host, self.port)

    def route(self, path):
        for prefix, proto in self.routes:
            if path.startswith(prefix):
                return proto
        return None


class Ctx:
    """What a protocol handler sees: the request, its system's state, auth and fault gates."""

    def __init__(self, sim, system, req):
        self.sim = sim
        self.system = system
        self.state = system.state
        self.req = req
        self.operation = None
        self.basic = False
        self.cookie = False
        self.set_cookie = None
        self.user = None
        self.write_attempt = False

    # auth -------------------------------------------------------------------------------------------------
    def _deny(self, status, why):
        headers = []
        if status == 401:
            headers.append(("WWW-Authenticate", 'Basic realm="%s"' % A.BASIC_REALM))
        title = {401: "401 Unauthorized", 403: "403 Forbidden"}[status]
        body = "<html><head><title>%s</title></head><body><h1>%s</h1><p>%s</p></body></html>" % (title, title, why)
        raise Reply(Response(status, body, "text/html; charset=utf-8", headers, kind="auth_failed",
                             operation=self.operation))

    def authenticate(self, role):
        """Basic auth or a JSESSIONIDSSO session; the account must hold role. Returns the user id."""
        sysm, sim = self.system, self.sim
        accounts = self.state.accounts
        sid = self.req.cookie("JSESSIONIDSSO")
        now = time.monotonic()
        timeout = self.state.session_timeout_s
        auth = self.req.headers.get("Authorization")
        with sim.lock:
            sess = sysm.sessions.get(sid) if sid else None
            if sess is not None and now - sess[1] > timeout:
                del sysm.sessions[sid]
                sess = None
        if auth is not None:
            self.basic = True
            scheme, _, cred = auth.partition(" ")
            if scheme.lower() != "basic":
                self._deny(401, "Basic authentication required")
            try:
                raw = base64.b64decode(cred.strip(), validate=True)
                try:
                    dec = raw.decode("utf-8")
                except UnicodeDecodeError:
                    dec = raw.decode("latin-1")
                user, sep, password = dec.partition(":")
                if not sep:
                    raise ValueError
            except ValueError:
                self._deny(401, "Malformed Authorization header")
            acct = accounts.get(user)
            if acct is None or not secrets.compare_digest(acct[0].encode("utf-8"), password.encode("utf-8")):
                self._deny(401, "Invalid username or password")
            if role not in acct[1]:
                self._deny(403, "The user %s lacks the required role" % user)
            with sim.lock:
                if sess is not None and sess[0] == user:
                    sess[1] = now
                else:
                    new = secrets.token_hex(16).upper()
                    sysm.sessions[new] = [user, now]
                    self.set_cookie = "JSESSIONIDSSO=%s; Path=/; Secure; HttpOnly" % new
            self.user = user
            return user
        if sess is None:
            self._deny(401, "Authentication required" if not sid else "Session expired or unknown")
        user = sess[0]
        acct = accounts.get(user)
        if acct is None:
            self._deny(401, "Session user no longer exists")
        if role not in acct[1]:
            self._deny(403, "The user %s lacks the required role" % user)
        with sim.lock:
            sess[1] = now
        self.cookie = True
        self.user = user
        return user

    # fault gates ------------------------------------------------------------------------------------------
    def gate_write(self):
        """Call right before carrying out a write: may answer 503 (injected throttling)."""
        self.write_attempt = True
        if self.sim.take_fault(self.system, "write"):
            raise Reply(Response(503, A.HTTP_503_BODY, "text/html; charset=utf-8", kind="fault",
                                 operation=self.operation))

    def gate_axl_read(self):
        """True when this AXL read must be answered with the memory fault (caller builds the fault)."""
        return self.sim.take_fault(self.system, "axl_read")


class Counters:
    def __init__(self):
        self.c = dict.fromkeys(COUNTER_KEYS, 0)
        self.by_operation = collections.Counter()

    def to_json(self):
        out = dict(self.c)
        out["by_operation"] = dict(self.by_operation)
        return out


class Simulator:
    def __init__(self, lab, state_dir, quiet=False, log_max_entries=None):
        self.lab = lab
        self.state_dir = state_dir
        self.quiet = quiet
        self.lock = threading.RLock()
        maxlen = log_max_entries or lab.settings["log_max_entries"]
        self.log = collections.deque(maxlen=maxlen)
        self.seq = 0
        self.totals = Counters()
        self.per_system = {}
        self.faults = {}
        self.rng = random.Random()
        self.systems = collections.OrderedDict()
        for spec in lab.systems:
            state_cls, routes = _resolve(spec.kind)
            self.systems[spec.name] = System(spec, state_cls, routes)
            self.per_system[spec.name] = Counters()

    # counters, log, faults --------------------------------------------------------------------------------
    def count(self, system, key, n=1):
        with self.lock:
            self.totals.c[key] += n
            self.per_system[system.name].c[key] += n

    def record(self, system, req, status, operation, kind, ctx):
        headers = {}
        for k, v in req.headers.items():
            headers[k] = headers[k] + ", " + v if k in headers else v
        body = req.body[:LOG_BODY_MAX].decode("utf-8", "replace")
        with self.lock:
            self.seq += 1
            entry = {"id": self.seq, "system": system.name, "time": time.time(), "method": req.method,
                     "path": req.target, "headers": headers, "body": body, "status": status,
                     "operation": operation, "kind": kind}
            if len(req.body) > LOG_BODY_MAX:
                entry["body_truncated"] = True
            self.log.append(entry)
            for ctr in (self.totals, self.per_system[system.name]):
                c = ctr.c
                c["requests"] += 1
                ctr.by_operation[operation] += 1
                if kind == "read":
                    c["reads"] += 1
                elif kind == "write":
                    c["writes"] += 1
                elif kind == "auth_failed":
                    c["auth_failures"] += 1
                elif kind == "fault":
                    c["faults"] += 1
                if ctx is not None:
                    if ctx.basic:
                        c["basic_auth"] += 1
                    if ctx.cookie:
                        c["cookie_auth"] += 1
                    if ctx.write_attempt:
                        c["write_attempts"] += 1

    def _fault_applies(self, system):
        target = self.faults.get("system")
        return target is None or target == system.name

    def take_fault(self, system, what):
        """Consume an injected fault of type what ('write', 'axl_read', 'drop'); True if it fires."""
        with self.lock:
            f = self.faults
            if not f or not self._fault_applies(system):
                return False
            if what == "write":
                if f.get("http_503_writes", 0) > 0:
                    f["http_503_writes"] -= 1
                    return True
                rate = f.get("http_503_rate", 0)
                return bool(rate) and self.rng.random() < rate
            key = {"axl_read": "axl_memory_reads", "drop": "drop_connections"}[what]
            if f.get(key, 0) > 0:
                f[key] -= 1
                return True
            return False

    def latency(self, system):
        with self.lock:
            ms = self.faults.get("latency_ms", 0) if self._fault_applies(system) else 0
        return ms / 1000.0

    def set_faults(self, data):
        if not isinstance(data, dict):
            raise LabError("faults must be a JSON object")
        for k, v in data.items():
            if k not in FAULT_KEYS:
                raise LabError("unknown fault %r (known: %s)" % (k, ", ".join(sorted(FAULT_KEYS))))
            if not isinstance(v, FAULT_KEYS[k]) or isinstance(v, bool):
                raise LabError("fault %s has the wrong type" % k)
            if k in ("http_503_writes", "axl_memory_reads", "drop_connections", "latency_ms") and v < 0:
                raise LabError("fault %s must be >= 0" % k)
            if k == "http_503_rate" and not 0 <= v <= 1:
                raise LabError("http_503_rate must be between 0.0 and 1.0")
            if k == "system" and v is not None and v not in self.systems:
                raise LabError("no system named %r" % v)
        with self.lock:
            self.faults.update(data)
            if "seed" in data:
                self.rng = random.Random(data["seed"])
            return dict(self.faults)

    def reset(self, state=False):
        with self.lock:
            self.log.clear()
            self.totals = Counters()
            self.per_system = {n: Counters() for n in self.systems}
            self.faults = {}
            self.rng = random.Random()
            if state:
                for s in self.systems.values():
                    s.state = s.state_cls(s.name, s.spec.config)
                    s.sessions.clear()

    def expire_sessions(self, system=None):
        with self.lock:
            n = 0
            for s in self.systems.values():
                if system is None or s.name == system:
                    n += len(s.sessions)
                    s.sessions.clear()
            return n

    def requests(self, system=None, since=0):
        with self.lock:
            return [e for e in self.log if (system is None or e["system"] == system) and e["id"] > since]

    def counters(self):
        with self.lock:
            out = self.totals.to_json()
            out["systems"] = {n: c.to_json() for n, c in self.per_system.items()}
            return out

    def systems_json(self):
        return [{"name": s.name, "kind": s.kind, "url": s.url, "port": s.port} for s in self.systems.values()]

    def access_log(self, system, req, status, operation, started):
        if not self.quiet:
            path = req.path  # the query string may hold user ids but never token values
            sys.stderr.write("ucsim: %s %s %s %s %s %.1fms\n" % (system.name, req.method, path, status, operation,
                                                              (time.monotonic() - started) * 1000))

    # listeners --------------------------------------------------------------------------------------------
    def start(self, host, port):
        """Bind every listener, start serving; returns the first system's URL."""
        next_port = port
        for i, s in enumerate(self.systems.values()):
            if s.spec.port is not None:
                p = s.spec.port
            elif port == 0:
                p = 0
            else:
                p = next_port
            cert, key = tls.ensure_server_cert(self.state_dir, s.name, s.spec.hostnames)
            ctx = tls.server_context(cert, key)
            listener = Listener((host, p), self, s, ctx)
            s.listener = listener
            s.host = host
            s.port = listener.server_address[1]
            if s.spec.port is None and port != 0:
                next_port = s.port + 1
        for s in self.systems.values():
            t = threading.Thread(target=s.listener.serve_forever, kwargs={"poll_interval": 0.2},
                                 name="listener-%s" % s.name, daemon=True)
            t.start()
        return next(iter(self.systems.values())).url

    def stop(self):
        for s in self.systems.values():
            if s.listener is not None:
                s.listener.shutdown()
                s.listener.server_close()


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr, sim, system, ssl_ctx):
        self.address_family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.sim = sim
        self.system = system
        self.ssl_ctx = ssl_ctx
        ThreadingHTTPServer.__init__(self, addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse lookup (getfqdn), which can be slow offline
        import socketserver
        socketserver.TCPServer.server_bind(self)
        self.server_name = self.server_address[0]
        self.server_port = self.server_address[1]

    def finish_request(self, request, client_address):
        request.settimeout(self.sim.lab.settings["idle_timeout_s"])
        try:
            conn = self.ssl_ctx.wrap_socket(request, server_side=True)
        except (OSError, ssl.SSLError):
            return
        try:
            Handler(conn, client_address, self)
        finally:
            try:
                conn.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, ssl.SSLError, TimeoutError, BrokenPipeError)):
            return
        ThreadingHTTPServer.handle_error(self, request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "ucsim"
    sys_version = ""
    disable_nagle_algorithm = True
    counted = False

    def log_message(self, fmt, *args):  # replaced by Simulator.access_log
        pass

    def _read_body(self, limit):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                total += size
                if total > limit:
                    raise ValueError("body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(3)
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        if length < 0 or length > limit:
            raise ValueError("body too large")
        return self.rfile.read(length) if length else b""

    def _send(self, resp, set_cookie=None):
        lines = ["HTTP/1.1 %d %s" % (resp.status, self.responses.get(resp.status, ("",))[0]),
                 "Server: ucsim", "Date: " + self.date_time_string(),
                 "Content-Type: " + resp.content_type, "Content-Length: %d" % len(resp.body)]
        for k, v in resp.headers:
            lines.append("%s: %s" % (k, v))
        if set_cookie:
            lines.append("Set-Cookie: " + set_cookie)
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", "replace")
        self.wfile.write(head + (resp.body if self.command != "HEAD" else b""))
        self.wfile.flush()

    def _dispatch(self):
        sim, system = self.server.sim, self.server.system
        started = time.monotonic()
        try:
            body = self._read_body(sim.lab.settings["max_body_bytes"])
        except ValueError:
            self.close_connection = True
            self._send(Response(413, "request body too large or malformed"))
            return
        req = Request(self.command, self.path, self.headers, body)
        if req.path.startswith("/_sim/") or req.path == "/_sim":
            self._send(control.handle(sim, system, req))
            return
        if not self.counted:  # a connection counts once it carries a request that is not control API
            self.counted = True
            sim.count(system, "connections")
        proto = system.route(req.path)
        operation = proto.peek(req) if proto else "%s %s" % (req.method, req.path)
        delay = sim.latency(system)
        if delay:
            time.sleep(delay)
        if sim.take_fault(system, "drop"):
            sim.record(system, req, None, operation, "fault", None)
            sim.access_log(system, req, "dropped", operation, started)
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        ctx = Ctx(sim, system, req)
        ctx.operation = operation
        if proto is None:
            resp = Response(404, "Not Found: %s" % req.path, "text/plain; charset=utf-8", kind="other")
        else:
            try:
                resp = proto.handle(ctx)
            except Reply as r:
                resp = r.response
            except Exception as exc:  # a simulator bug: answer 500 and say so on stderr
                import traceback
                traceback.print_exc()
                resp = Response(500, "ucsim internal error: %s" % exc, kind="fault")
        op = resp.operation or ctx.operation or operation
        sim.record(system, req, resp.status, op, resp.kind, ctx)
        sim.access_log(system, req, resp.status, op, started)
        self._send(resp, ctx.set_cookie)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch
