# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory CUCM for unit tests of refresh-token revocation.

``FakeCucm`` holds end users and their refresh tokens; ``FakeCucm.session()`` returns a real ``HttpSession``
(``memory_transport.ReplyingSession``, one per worker, as the module makes them) whose server answers the two
lookup queries of ``LiveTokenLookup`` through AXL ``executeSQLQuery`` and ``GET /ssosp/token/revoke``, records
every request, and can be told to fault the SQL, to answer a user's revoke with an HTTP status (503: the session
retries, then gives up), or to refuse authentication (401).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import threading
import time
import xml.etree.ElementTree as ET

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import CucmConnection
from ansible_collections.collab.uc.plugins.module_utils.transport._http import Response
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.memory_transport import DROP, ReplyingSession

__all__ = ['DROP', 'FakeCucm', 'JABBER', 'UDS', 'axl_fault']
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.axl_fake import (
    _esc, soap_fault, soap_reply,
)

SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'
JABBER = 'C1b4b988f3efa1c3fc97d0d0a36f6b97f244b4fafe55e8d9d78774e305bae9ab1'
UDS = 'Cc4013d474571c1963e6d45ee9c835b6373b397bef748a6c864c07e95d8e6144e'

_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_IN_LIST = re.compile(r"userid IN \(((?:\s*'(?:[^']|'')*'\s*,?)*)\)")


def _rows(rows):
    inner = ''.join('<row>%s</row>' % ''.join('<%s>%s</%s>' % (k, _esc(v), k) for k, v in row) for row in rows)
    return soap_reply('executeSQLQuery', '14.0', '<return>%s</return>' % inner)


def axl_fault(message, axlcode):
    return soap_fault(message, axlcode)


class Token:
    def __init__(self, client, validity, value):
        self.client = client
        self.validity = validity
        self.value = value


class FakeCucm:
    """End users and tokens; requests from every session are recorded in ``sent`` as ``(kind, detail)``."""

    endpoint = 'cucm.example.com:8443'

    def __init__(self, users=None, latency=0.0):
        self.lock = threading.Lock()
        self.tokens = {}          # user -> [Token]
        self.end_users = set()
        self.sent = []            # ('sql', statement) | ('revoke', (user, client_id))
        self.sessions = 0
        self.session_kwargs = []  # what each session was made with (for example its rate_limiter)
        self.latency = latency
        self.sql_fault = None     # Response answered to every executeSQLQuery
        self.too_large_over = None  # fault "Query request too large" for IN lists longer than this
        self.revoke_statuses = {}  # user -> HTTP status (503: busy) or DROP answered to every revoke of that user
        self.revoke_bodies = {}   # user -> (status, body) answered instead
        self.auth_fail_after = None  # revoke calls that succeed before every further one gets 401
        self.in_flight = 0
        self.max_in_flight = 0
        self._serial = 0
        for user, clients in (users or {}).items():
            self.add_user(user, clients)

    def add_user(self, user, clients=(), validity=None):
        self.end_users.add(user)
        for client in clients:
            self._serial += 1
            self.tokens.setdefault(user, []).append(
                Token(client, validity if validity is not None else int(time.time()) + 86400,
                      '%064x' % (0xfeedface0000 + self._serial)))

    def token_values(self):
        return [t.value for tokens in self.tokens.values() for t in tokens]

    def live(self, user):
        return [t for t in self.tokens.get(user, ()) if t.validity > time.time()]

    def revoke_calls(self):
        return [detail for kind, detail in self.sent if kind == 'revoke']

    def sql_calls(self):
        return [detail for kind, detail in self.sent if kind == 'sql']

    def session(self, **kwargs):
        with self.lock:
            self.sessions += 1
            self.session_kwargs.append(kwargs)
        return FakeSession(self, **kwargs)


class FakeSession(ReplyingSession):
    def __init__(self, cucm, **kwargs):
        self.cucm = cucm
        host, port = cucm.endpoint.split(':')
        ReplyingSession.__init__(self, host, int(port), product=CucmConnection.label, auth_hints=CucmConnection.hints,
                                 retries=2, **kwargs)

    def answer(self, request):
        cucm = self.cucm
        method, path = request.method, request.path
        if path == '/axl/':
            return self._axl(request.body)
        assert (method, path) == ('GET', '/ssosp/token/revoke'), (method, path)
        params = dict(request.query)
        user, client = params['user_id'], params.get('client_id')
        with cucm.lock:
            cucm.sent.append(('revoke', (user, client)))
            calls = len(cucm.revoke_calls())
            cucm.in_flight += 1
            cucm.max_in_flight = max(cucm.max_in_flight, cucm.in_flight)
        try:
            if cucm.latency:
                time.sleep(cucm.latency)
            if cucm.auth_fail_after is not None and calls > cucm.auth_fail_after:
                return Response(401, 'Unauthorized', {'content-type': 'text/html'}, b'<html>401</html>')
            if cucm.revoke_statuses.get(user) == DROP:
                return DROP
            if user in cucm.revoke_statuses:
                return Response(cucm.revoke_statuses[user], 'X', {'content-type': 'text/html'}, b'<html>busy</html>')
            if user in cucm.revoke_bodies:
                status, text = cucm.revoke_bodies[user]
                return Response(status, 'X', {'content-type': 'application/json'}, text.encode('utf-8'))
            with cucm.lock:
                if user not in cucm.end_users:
                    data = {'revoked_tokens': {'status': 'failure', 'user_id': user, 'message': 'User not found'}}
                else:
                    keep, gone = [], []
                    for token in cucm.tokens.get(user, ()):
                        (gone if client in (None, token.client) else keep).append(token)
                    cucm.tokens[user] = keep
                    data = {'revoked_tokens': {'status': 'success', 'user_id': user, 'clientID_tokens': [
                        {'client_id': t.client, 'refresh_token': t.value} for t in gone]}}
            return Response(200, 'OK', {'content-type': 'application/json'}, json.dumps(data).encode('utf-8'))
        finally:
            with cucm.lock:
                cucm.in_flight -= 1

    def _axl(self, body):
        cucm = self.cucm
        root = ET.fromstring(body)
        element = root.find('{%s}Body' % SOAP)[0]
        operation = element.tag.split('}')[1]
        if operation == 'getCCMVersion':
            return soap_reply('getCCMVersion', '1.0', '<return><componentVersion><version>14.0.1.13900(155)</version>'
                                                      '</componentVersion></return>')
        assert operation == 'executeSQLQuery', operation
        sql = element.find('sql').text
        with cucm.lock:
            cucm.sent.append(('sql', sql))
        if cucm.sql_fault is not None:
            return cucm.sql_fault
        users = [m.replace("''", "'") for m in _LITERAL.findall(_IN_LIST.search(sql).group(1))]
        if cucm.too_large_over is not None and len(users) > cucm.too_large_over:
            return axl_fault('Query request too large. Total rows matched: %d rows.' % len(users), -1)
        with cucm.lock:
            if sql.startswith('SELECT userid FROM enduser '):
                return _rows([[('userid', u)] for u in users if u in cucm.end_users])
            match = re.search(r"validity > (\d+)(?: AND clientid = '((?:[^']|'')*)')? GROUP BY userid$", sql)
            assert sql.startswith('SELECT userid, COUNT(*) AS ntokens FROM refreshtokendetails ') and match, sql
            after = int(match.group(1))
            client = match.group(2).replace("''", "'") if match.group(2) is not None else None
            rows = []
            for user in users:
                count = len([t for t in cucm.tokens.get(user, ())
                             if t.validity > after and client in (None, t.client)])
                if count:
                    rows.append([('userid', user), ('ntokens', count)])
            return _rows(rows)
