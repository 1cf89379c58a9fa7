# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The real ``HttpSession`` over an in-memory connection, for unit tests of the clients and modules.

``ReplyingSession`` is an ``HttpSession``: retries, backoff, 401/403 handling, cookies and the safe-retry rule
are the product's own code. Only the socket is replaced: each request is handed to ``answer(request)``, which
returns a ``Response`` (status, reason, headers, body) to send back, or ``DROP``: the request reached the
server, then the connection closed with no reply (``RemoteDisconnected``). ``refuse_next = N`` makes the next N
connection attempts fail (``ConnectionRefusedError``), so those requests never leave.

Backoff sleeps are recorded in ``slept`` instead of slept.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import email.parser
import http.client

try:
    from urllib.parse import parse_qsl, urlsplit
except ImportError:  # pragma: no cover
    parse_qsl = urlsplit = None

from ansible_collections.collab.uc.plugins.module_utils.transport._http import HttpSession, Response

DROP = 'drop'


class Request:
    """What the client sent: method, path (without query), query (list of pairs), headers, body (text)."""

    def __init__(self, method, url, headers, body):
        parts = urlsplit(url)
        self.method = method
        self.path = parts.path
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.headers = dict(headers or {})
        if isinstance(body, bytes):
            body = body.decode('utf-8')
        self.body = body


def response(status, body=b'', headers=None, reason='X'):
    """A ``Response`` to answer with; ``body`` text or bytes, ``headers`` a dict (lower-case names)."""
    if not isinstance(body, bytes):
        body = body.encode('utf-8')
    return Response(status, reason, dict(headers or {}), body)


class _Reply:
    def __init__(self, answer):
        self.status = answer.status
        self.reason = answer.reason
        self._body = answer.body
        self._headers = list(answer.headers.items())
        text = ''.join('%s: %s\r\n' % item for item in self._headers) + '\r\n'
        self.msg = email.parser.Parser(_class=http.client.HTTPMessage).parsestr(text)

    def read(self):
        return self._body

    def getheaders(self):
        return list(self._headers)


class _MemoryConnection:
    """Stands in for ``http.client.HTTPSConnection``: what ``HttpSession`` calls, and nothing else."""

    def __init__(self, session):
        self.session = session
        self.sock = None
        self._pending = None

    def connect(self):
        if self.session.refuse_next:
            self.session.refuse_next -= 1
            raise ConnectionRefusedError(111, 'Connection refused')
        self.session.connections += 1
        self.sock = object()

    def request(self, method, url, body=None, headers=None):
        if self.sock is None:
            self.connect()
        self._pending = self.session.answer(Request(method, url, headers, body))

    def getresponse(self):
        answer, self._pending = self._pending, None
        if answer == DROP:
            self.close()
            raise http.client.RemoteDisconnected('Remote end closed connection without response')
        return _Reply(answer)

    def close(self):
        self.sock = None


class ReplyingSession(HttpSession):
    """An ``HttpSession`` whose server is ``answer()``; subclasses (or ``script``) say how it answers."""

    def __init__(self, host='uc.example.com', port=443, product=None, auth_hints=None, retries=3, script=None,
                 **kwargs):
        self.slept = []
        self.script = list(script or [])
        self.received = []
        self.connections = 0
        self.refuse_next = 0
        kwargs.setdefault('sleep', self.slept.append)
        HttpSession.__init__(self, host, port, kwargs.pop('username', 'admin'), kwargs.pop('password', 's3cret'),
                             retries=retries, product=product, auth_hints=auth_hints, **kwargs)

    def _connection(self):
        if self._conn is None:
            self._conn = _MemoryConnection(self)
        return self._conn

    def answer(self, request):
        """The next scripted answer (a ``Response`` or ``DROP``); records the request."""
        self.received.append(request)
        action = self.script.pop(0) if self.script else response(500, 'script exhausted')
        return action
