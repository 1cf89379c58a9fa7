# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory Unity Connection for unit tests of the CUPI client and the cuc_authz_server modules.

``FakeCupiSession`` is a real ``HttpSession`` (``memory_transport.ReplyingSession``) whose server answers the way
CUPI does, records every request, and can be told to answer in the quirky ways the client must tolerate, or to
drop the connection after carrying out a write (``drop_after_write``). 401/403, retries and the safe-retry rule
are ``HttpSession``'s own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import CucConnection
from ansible_collections.collab.uc.plugins.module_utils.transport._http import Response
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.memory_transport import DROP, ReplyingSession


def json_response(status, data=None, text=None, content_type='application/json'):
    body = text if text is not None else ('' if data is None else json.dumps(data))
    return Response(status, 'X', {'content-type': content_type}, body.encode('utf-8'))


def cupi_error(status, code, message):
    return json_response(status, {'errors': {'code': code, 'message': message}})


class FakeCupiSession(ReplyingSession):
    """A fake Connection. ``servers`` maps ObjectId to the stored CUPI dict (with the password)."""

    def __init__(self, servers=None, strings=True, single_as_object=True, wrap=False, xml=False,
                 ignore_paging=False, **session):
        session.setdefault('retries', 3)
        ReplyingSession.__init__(self, 'cuc.example.com', 443, product=CucConnection.label,
                                 auth_hints=CucConnection.hints, **session)
        self.drop_after_write = 0           # the next N writes are carried out, then the connection drops
        self.servers = {}
        self.requests = []
        self.strings = strings              # every value as a string, as CUPI does
        self.single_as_object = single_as_object  # a one-element list as a bare object
        self.wrap = wrap                    # lists wrapped in {"AuthzServers": {...}}
        self.xml = xml                      # answer XML whatever Accept says
        self.ignore_paging = ignore_paging
        self.sync_results = []              # LastSyncStatus texts the next syncs produce
        self.responses = []                 # canned (method, path prefix, Response or DROP) answered once, first match
        self.next_id = 1
        for server in servers or []:
            self.add(**server)

    # --- helpers for tests --------------------------------------------------------------------------------
    def add(self, DisplayName, ServerNodeAddress='cucm.example.com', Port=8443, ServerUsername='axl',
            ServerPassword='secret', IgnoreCertificateError=False, LastSyncStatus='', ObjectId=None):
        object_id = ObjectId or 'id-%04d' % self.next_id
        self.next_id += 1
        self.servers[object_id] = dict(ObjectId=object_id, DisplayName=DisplayName, ServerNodeAddress=ServerNodeAddress,
                                       Port=Port, ServerUsername=ServerUsername, ServerPassword=ServerPassword,
                                       IgnoreCertificateError=IgnoreCertificateError, LastSyncStatus=LastSyncStatus)
        return object_id

    def writes(self):
        return [r for r in self.requests if r['method'] != 'GET']

    def by_name(self, name):
        for server in self.servers.values():
            if server['DisplayName'] == name:
                return server
        return None

    # --- rendering ----------------------------------------------------------------------------------------
    def _public(self, server):
        data = dict(server)
        data['ServerPassword'] = ''
        if self.strings:
            data['Port'] = str(data['Port'])
            data['IgnoreCertificateError'] = 'true' if data['IgnoreCertificateError'] else 'false'
        return data

    def _xml_server(self, server, tag='AuthzServer'):
        data = self._public(server)
        inner = ''.join('<%s>%s</%s>' % (k, str(v).lower() if isinstance(v, bool) else v, k)
                        for k, v in sorted(data.items()))
        return '<%s>%s</%s>' % (tag, inner, tag)

    def _list(self, query):
        items = list(self.servers.values())
        total = len(items)
        if not self.ignore_paging:
            rows = int(query.get('rowsPerPage', 100))
            page = int(query.get('pageNumber', 1))
            items = items[(page - 1) * rows:page * rows]
        if self.xml:
            body = '<AuthzServers total="%d">%s</AuthzServers>' % (total, ''.join(self._xml_server(s) for s in items))
            return Response(200, 'OK', {'content-type': 'application/xml'}, body.encode('utf-8'))
        data = {'@total': str(total) if self.strings else total}
        public = [self._public(s) for s in items]
        if len(public) == 1 and self.single_as_object:
            data['AuthzServer'] = public[0]
        elif public:
            data['AuthzServer'] = public
        if self.wrap:
            data = {'AuthzServers': data}
        return json_response(200, data)

    def _one(self, server):
        if self.xml:
            return Response(200, 'OK', {'content-type': 'application/xml'}, self._xml_server(server).encode('utf-8'))
        return json_response(200, self._public(server))

    # --- HttpSession.request ------------------------------------------------------------------------------
    def answer(self, request):
        response = self._answer(request)
        if response == DROP:
            return DROP
        if request.method != 'GET' and self.drop_after_write and response.status < 400:
            self.drop_after_write -= 1
            return DROP
        return response

    def _answer(self, request):
        method, path, body, headers = request.method, request.path, request.body, request.headers
        query = dict(request.query)
        self.requests.append(dict(method=method, path=path, headers=dict(headers or {}),
                                  query=query, body=json.loads(body) if body else None))
        for i, (m, prefix, response) in enumerate(self.responses):
            if m == method and path.startswith(prefix):
                del self.responses[i]
                return response
        parts = path.rstrip('/').split('/')
        if path.rstrip('/') == '/vmrest/authz/server':
            if method == 'GET':
                return self._list(query)
            if method == 'POST':
                data = json.loads(body)
                if any(s['DisplayName'] == data.get('DisplayName') for s in self.servers.values()):
                    return cupi_error(400, 'DUPLICATE_OBJECT', 'An AuthZ server with this display name exists')
                object_id = self.add(**self._typed(data))
                return Response(201, 'Created', {'content-type': 'text/plain'},
                                ('/vmrest/authz/server/%s' % object_id).encode('utf-8'))
        elif path.startswith('/vmrest/authz/server/'):
            server = self.servers.get(parts[-1])
            if server is None:
                return cupi_error(404, 'NOT_FOUND', 'No AuthzServer with ObjectId %s' % parts[-1])
            if method == 'GET':
                return self._one(server)
            if method == 'PUT':
                server.update(self._typed(json.loads(body)))
                return Response(204, 'No Content', {}, b'')
            if method == 'DELETE':
                del self.servers[parts[-1]]
                return Response(204, 'No Content', {}, b'')
        elif path.startswith('/vmrest/authz/sync/') and method == 'PUT':
            server = self.servers.get(parts[-1])
            if server is None:
                return cupi_error(404, 'NOT_FOUND', 'No AuthzServer with ObjectId %s' % parts[-1])
            server['LastSyncStatus'] = self.sync_results.pop(0) if self.sync_results \
                else 'Passed - May 12,2017 07:00:53 AM GMT'
            return Response(204, 'No Content', {}, b'')
        return cupi_error(405, 'METHOD_NOT_ALLOWED', '%s %s' % (method, path))

    @staticmethod
    def _typed(data):
        typed = dict(data)
        if 'Port' in typed:
            typed['Port'] = int(typed['Port'])
        if 'IgnoreCertificateError' in typed:
            typed['IgnoreCertificateError'] = str(typed['IgnoreCertificateError']).lower() == 'true'
        return typed
