# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A tiny scripted HTTP/1.1 server in a thread, for unit tests of ``HttpSession`` over real sockets.

Each request is answered by the next entry of ``script``: ``reply(status, body, headers)`` or ``DROP`` (the
socket is closed with no answer). Every request is recorded (method, path, headers, body, connection number).
``plain_http(monkeypatch)`` makes ``HttpSession`` speak plain HTTP to it (TLS is the standard library's business
and needs certificates these tests do not have).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import http.client
import http.server
import socketserver
import threading

from ansible_collections.collab.uc.plugins.module_utils.transport import _http

DROP = 'drop'


def reply(status=200, body='', headers=None):
    return (status, body, list((headers or {}).items()))


class Recorded:
    def __init__(self, method, path, headers, body, connection):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
        self.connection = connection


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, *args):
        pass

    def setup(self):
        http.server.BaseHTTPRequestHandler.setup(self)
        with self.server.lock:
            self.server.connections += 1
            self.connection_no = self.server.connections

    def _serve(self):
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        with self.server.lock:
            self.server.requests.append(Recorded(self.command, self.path, dict(self.headers.items()),
                                                 body.decode('utf-8', 'replace'), self.connection_no))
            action = self.server.script.pop(0) if self.server.script else reply(500, 'script exhausted')
        if action == DROP:
            self.close_connection = True
            return
        status, text, headers = action
        data = text.encode('utf-8')
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _serve


class ScriptedServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, script=None):
        http.server.HTTPServer.__init__(self, ('127.0.0.1', 0), _Handler)
        self.script = list(script or [])
        self.requests = []
        self.connections = 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, kwargs={'poll_interval': 0.05})
        self.thread.daemon = True

    @property
    def port(self):
        return self.server_address[1]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()
        return False


class _PlainConnection(http.client.HTTPConnection):
    def __init__(self, host, port=None, timeout=None, context=None):
        http.client.HTTPConnection.__init__(self, host, port, timeout=timeout)


def plain_http(monkeypatch):
    """Make ``HttpSession`` open plain HTTP connections (the scripted server speaks no TLS)."""
    monkeypatch.setattr(_http.http_client, 'HTTPSConnection', _PlainConnection)


def session(server, sleeps=None, **kwargs):
    """An ``HttpSession`` to ``server`` whose backoff sleeps are recorded in ``sleeps`` instead of slept."""
    recorded = sleeps if sleeps is not None else []
    options = dict(host='127.0.0.1', port=server.port, username='axladmin', password='s3cret', retries=3,
                   product='CUCM', timeout=5, sleep=recorded.append,
                   auth_hints={401: 'Check username and password', 403: 'Give the user the AXL role'})
    options.update(kwargs)
    return _http.HttpSession(**options)
