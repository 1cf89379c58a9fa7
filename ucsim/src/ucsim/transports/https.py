"""HTTPS transport: one threaded TLS listener per node, dispatching to the protocol modules of its system.

Everything it records, counts and injects goes through the shared core (``core.py``); what is HTTP-shaped
(Basic auth and the JSESSIONIDSSO cookie, 401/403/503 bodies, dropping a connection) lives here.
"""

import base64
import math
import socket
import socketserver
import ssl
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .. import assumptions as A
from .. import replay, soap, tls
from ..protocols import control
from .core import holds as core_holds
from ..web import Reply, Request, Response

TRANSPORT = "https"
LOG_BODY_MAX = 256 * 1024


class Ctx:
    """What a protocol handler sees: the request, its node, system and state, auth and fault gates, and the
    registry (``ctx.registry``) through which it finds other systems."""

    def __init__(self, sim, node, req):
        self.sim = self.registry = sim
        self.core = sim.core
        self.node = node
        self.system = node.system
        self.state = node.system.state
        self.req = req
        self.operation = None
        self.basic = False
        self.cookie = False
        self.set_cookie = None
        self.user = None
        self.write_attempt = False

    @property
    def strict_soap(self):
        """True unless the lab's ``sim.soap_contract`` (or ``--lenient-soap``) says lenient."""
        return self.sim.lab.settings.get("soap_contract", "strict") != "lenient"

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
        """Basic auth or a JSESSIONIDSSO session of this node; the account must hold role (or one of them, a tuple).
        Returns the user id."""
        core, node, st = self.core, self.node, self.state
        sid = self.req.cookie("JSESSIONIDSSO")
        session_user = core.session_user(node, sid, st.session_timeout_s, touch=False)
        auth = self.req.headers.get("Authorization")
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
            refused = core.check_login(st.accounts, user, password, role)
            if refused == "credentials":
                self._deny(401, "Invalid username or password")
            if refused == "role":
                self._deny(403, "The user %s lacks the required role" % user)
            if session_user == user:
                core.session_user(node, sid, st.session_timeout_s)
            else:
                self.set_cookie = "JSESSIONIDSSO=%s; Path=/; Secure; HttpOnly" % core.session_open(node, user)
            self.user = user
            return user
        if session_user is None:
            self._deny(401, "Authentication required" if not sid else "Session expired or unknown")
        acct = st.accounts.get(session_user)
        if acct is None:
            self._deny(401, "Session user no longer exists")
        if not core_holds(acct[1], role):
            self._deny(403, "The user %s lacks the required role" % session_user)
        core.session_user(node, sid, st.session_timeout_s)
        self.cookie = True
        self.user = session_user
        return session_user

    # fault gates ------------------------------------------------------------------------------------------
    def gate_write(self):
        """Call right before carrying out a write: may answer 503 (injected throttling)."""
        self.write_attempt = True
        if self.core.fault_for(self.system, "http_503_writes", self.node):
            raise Reply(Response(503, A.HTTP_503_BODY, "text/html; charset=utf-8", kind="fault",
                                 operation=self.operation))

    def gate_axl_read(self):
        """True when this AXL read must be answered with the memory fault (caller builds the fault):
        ``axl_memory_reads`` hits any AXL read, ``axl_memory_queries`` only executeSQLQuery."""
        if self.operation == "executeSQLQuery" and self.core.fault_for(self.system, "axl_memory_queries", self.node):
            return True
        return self.core.fault_for(self.system, "axl_memory_reads", self.node)


class Listener(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, addr, sim, node, ssl_ctx):
        self.address_family = socket.AF_INET6 if ":" in addr[0] else socket.AF_INET
        self.sim = sim
        self.node = node
        self.ssl_ctx = ssl_ctx
        ThreadingHTTPServer.__init__(self, addr, Handler)

    def server_bind(self):
        # HTTPServer.server_bind does a reverse lookup (getfqdn), which can be slow offline
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

    def log_message(self, fmt, *args):  # replaced by _access_log
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

    def _drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _record(self, req, status, operation, kind, ctx=None, **extra):
        node = self.server.node
        headers = {}
        for k, v in req.headers.items():
            headers[k] = headers[k] + ", " + v if k in headers else v
        fields = {"method": req.method, "path": req.target, "headers": headers,
                  "body": req.body[:LOG_BODY_MAX].decode("utf-8", "replace")}
        if len(req.body) > LOG_BODY_MAX:
            fields["body_truncated"] = True
        fields.update(extra)
        count = ()
        if ctx is not None:
            count = tuple(k for k, on in (("basic_auth", ctx.basic), ("cookie_auth", ctx.cookie)) if on)
        self.server.sim.core.record(node.system, TRANSPORT, operation, kind, status, node=node, count=count,
                                    write_attempt=ctx is not None and ctx.write_attempt, **fields)

    def _access_log(self, req, status, operation, started):
        if not self.server.sim.quiet:
            path = req.path  # the query string may hold user ids but never token values
            sys.stderr.write("ucsim: %s %s %s %s %s %.1fms\n" % (self.server.node.name, req.method, path, status,
                                                              operation, (time.monotonic() - started) * 1000))

    def _dispatch(self):
        sim, node = self.server.sim, self.server.node
        system, core = node.system, sim.core
        started = time.monotonic()
        try:
            body = self._read_body(sim.lab.settings["max_body_bytes"])
        except ValueError:
            self.close_connection = True
            self._send(Response(413, "request body too large or malformed"))
            return
        req = Request(self.command, self.path, self.headers, body)
        if req.path.startswith("/_sim/") or req.path == "/_sim":
            self._send(control.handle(sim, node, req))
            return
        if not self.counted:  # a connection counts once it carries a request that is not control API
            self.counted = True
            core.count(system, "connections", node=node)
        proto = system.route(req.path)
        operation = proto.peek(req) if proto else "%s %s" % (req.method, req.path)
        delay = core.latency(system, node)
        if delay:
            time.sleep(delay)
        if core.node_down(node) or core.fault_for(system, "drop_connections", node):
            self._record(req, None, operation, "fault")
            self._access_log(req, "dropped", operation, started)
            self._drop()
            return
        ctx = Ctx(sim, node, req)
        ctx.operation = operation
        wait = core.rate_refused(system, operation, node, sim.lab.settings)
        if wait is not None:
            resp = self._rate_refusal(req, operation, wait)
            self._record(req, resp.status, operation, "fault", ctx, rate_refused=True)
            self._access_log(req, resp.status, operation, started)
            self._send(resp)
            return
        if proto is None:
            resp = Response(404, "Not Found: %s" % req.path, "text/plain; charset=utf-8", kind="other")
        else:
            try:
                resp = replay.answer(ctx) or proto.handle(ctx)  # a captured read of an imported lab first
            except Reply as r:
                resp = r.response
            except Exception as exc:  # a simulator bug: answer 500 and say so on stderr
                traceback.print_exc()
                resp = Response(500, "ucsim internal error: %s" % exc, kind="fault")
        op = resp.operation or ctx.operation or operation
        if resp.kind == "write" and core.fault_for(system, "drop_after_write", node):
            self._record(req, None, op, "write", ctx, carried_out=True)
            self._access_log(req, "dropped after the write", op, started)
            self._drop()
            return
        self._record(req, resp.status, op, resp.kind, ctx)
        self._access_log(req, resp.status, op, started)
        self._send(resp, ctx.set_cookie)

    @staticmethod
    def _rate_refusal(req, operation, wait):
        """The answer of a request the token bucket refused: Serviceability's fault, else 503 + Retry-After (the
        bucket's wait in whole lab seconds, at least 1: a client of a faster lab divides it by the time scale)."""
        if req.path.lower().startswith(A.RATE_LIMIT_SOAP_FAULT_PATHS):
            return soap.fault(A.RATE_FAULT, operation=operation).response
        seconds = max(1, int(math.ceil(wait)))
        return Response(503, A.HTTP_503_BODY, "text/html; charset=utf-8", [("Retry-After", str(seconds))],
                        kind="fault", operation=operation)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _dispatch


def bind(sim, node, host, port):
    """A listener for node bound to host:port (0: a free port), not yet serving (``serve_forever``); its
    certificate (issued by the state dir's CA when needed) carries the node's address and names."""
    cert_path, key_path = tls.ensure_server_cert(sim.state_dir, node.name, node.cert_names())
    return Listener((host, port), sim, node, tls.server_context(cert_path, key_path))
