# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory CUCM for unit tests of the AXL client and the cucm_* modules.

``FakeAxlSession`` is a real ``HttpSession`` (``memory_transport.ReplyingSession``) whose server parses each SOAP
request, answers it the way AXL does (replies in the request's namespace, SOAP faults with axlError), records
every request, and can be told to fault, to store on/off values in another representation, or to refuse the
processconfig query. Retries, 401/403 and every error path are ``HttpSession``'s own.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import xml.etree.ElementTree as ET

from ansible_collections.collab.uc.plugins.module_utils.connection._connection import CucmConnection
from ansible_collections.collab.uc.plugins.module_utils.transport._http import Response
from ansible_collections.collab.uc.plugins.module_utils.domain._oauth_parameters import PARAMETERS
from ansible_collections.collab.uc.plugins.module_utils.transport._values import bool_equal
from ansible_collections.collab.uc.tests.unit.plugins.module_utils.memory_transport import ReplyingSession

SOAP = 'http://schemas.xmlsoap.org/soap/envelope/'

# How a cluster may store on/off values: (valueType, on, off). 'tf' is the schema's documented storage.
BOOLEAN_STYLES = {
    'truefalse': ('Boolean', 'true', 'false'),
    'tf': ('boolean', 'T', 'F'),
    'enum': ('Enum', '1', '0'),
}

# name: (kind, default, low, high). The OAuth parameters come from the collection's one table.
PARAMS = dict((p.name, ('bool' if p.is_bool else 'long', 3650 if p.default is None else p.default, p.minimum,
                        p.maximum)) for p in PARAMETERS)
PARAMS.update({
    'UseSSOforRTMT': ('bool', True, None, None),
    'ClusterID': ('string', 'StandAloneCluster', None, None),
})


def _esc(text):
    return str(text).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def xml_response(status, text):
    return Response(status, 'X', {'content-type': 'text/xml; charset=utf-8'}, text.encode('utf-8'))


def soap_reply(operation, version, inner):
    return xml_response(200, (
        '<?xml version="1.0" encoding="UTF-8"?><SOAP-ENV:Envelope xmlns:SOAP-ENV="%s"><SOAP-ENV:Body>'
        '<axl:%sResponse xmlns:axl="http://www.cisco.com/AXL/API/%s">%s</axl:%sResponse>'
        '</SOAP-ENV:Body></SOAP-ENV:Envelope>' % (SOAP, operation, version, inner, operation)))


def soap_fault(faultstring, axlcode=None, axlmessage=None, status=500):
    detail = ''
    if axlcode is not None:
        detail = ('<detail><axlError><axlcode>%s</axlcode><axlmessage>%s</axlmessage><request>x</request>'
                  '</axlError></detail>' % (axlcode, _esc(axlmessage if axlmessage is not None else faultstring)))
    return xml_response(status, (
        '<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="%s"><soapenv:Body><soapenv:Fault>'
        '<faultcode>soapenv:Server</faultcode><faultstring>%s</faultstring>%s</soapenv:Fault></soapenv:Body>'
        '</soapenv:Envelope>' % (SOAP, _esc(faultstring), detail)))


class Sent:
    """One recorded request: operation, namespace version, fields, headers."""

    def __init__(self, method, path, operation, version, fields, headers, body):
        self.method = method
        self.path = path
        self.operation = operation
        self.version = version
        self.fields = fields
        self.headers = headers
        self.body = body

    def __repr__(self):
        return '<Sent %s %s>' % (self.operation, self.fields)


class FakeAxlSession(ReplyingSession):
    def __init__(self, boolean_style='truefalse', ccm_version='14.0.1.13900(155)', values=None, sql=True,
                 sql_omit=(), sso_enabled=False, **session):
        session.setdefault('retries', 3)
        ReplyingSession.__init__(self, 'cucm.example.com', 8443, product=CucmConnection.label,
                                 auth_hints=CucmConnection.hints, **session)
        self.boolean_style = boolean_style
        self.ccm_version = ccm_version
        self.sql = sql
        self.sql_omit = set(sql_omit)
        self.sso_enabled = sso_enabled
        self.params = {}
        for name, (kind, default, _low, _high) in PARAMS.items():
            self.params[name] = self._store(kind, default)
        for name, value in (values or {}).items():
            self.params[name] = self._store(PARAMS[name][0], value) if name in PARAMS else value
        self.sent = []
        self.faults = []            # (operation or None, Response) answered once to the first match
        self.fail_writes = {}       # parameter name: Response answered to its update

    def _store(self, kind, value):
        if kind == 'bool' and isinstance(value, bool):
            style = BOOLEAN_STYLES[self.boolean_style]
            return style[1] if value else style[2]
        return str(value)

    # --- helpers for tests ----------------------------------------------------------------------------------
    def operations(self):
        return [sent.operation for sent in self.sent]

    def writes(self):
        return [sent for sent in self.sent if sent.operation.startswith('update')]

    # --- the fake -------------------------------------------------------------------------------------------
    def answer(self, request):
        method, path, body, headers = request.method, request.path, request.body, request.headers
        if path.startswith('/ssosp/ws/public/singleSignOn'):
            self.sent.append(Sent(method, path, 'singleSignOn', None, {}, headers or {}, body))
            return xml_response(200, '<?xml version="1.0"?><SingleSignOn version="1.0"><Status enabled="%s"/>'
                                     '<Token reuse="%s"/></SingleSignOn>'
                                % (str(self.sso_enabled).lower(),
                                   str(bool_equal(self.params['oAuthWithRefreshLoginFlow'], 'true')).lower()))
        assert method == 'POST' and path == '/axl/', (method, path)
        root = ET.fromstring(body)
        element = root.find('{%s}Body' % SOAP)[0]
        namespace, op = element.tag[1:].split('}')
        version = namespace.rsplit('/', 1)[-1]
        fields = dict((child.tag, child.text or '') for child in element)
        self.sent.append(Sent(method, path, op, version, fields, dict(headers or {}), body))
        for index, (fault_op, response) in enumerate(self.faults):
            if fault_op in (None, op):
                del self.faults[index]
                return response
        return getattr(self, '_' + op)(version, fields)

    def _getCCMVersion(self, version, fields):
        return soap_reply('getCCMVersion', version,
                          '<return><componentVersion><version>%s</version></componentVersion></return>'
                          % _esc(self.ccm_version))

    def _unknown(self, name):
        return soap_fault('Item not valid: The specified Service Parameter was not found', 5007)

    def _getServiceParameter(self, version, fields):
        name = fields['name']
        if name not in self.params or fields['processNodeName'] != 'EnterpriseWideData':
            return self._unknown(name)
        kind = PARAMS.get(name, ('string',))[0]
        value_type = {'bool': BOOLEAN_STYLES[self.boolean_style][0], 'long': 'long'}.get(kind, 'string')
        return soap_reply('getServiceParameter', version, (
            '<return><serviceParameter uuid="{1}"><processNodeName>EnterpriseWideData</processNodeName>'
            '<name>%s</name><service>Enterprise Wide</service><value>%s</value><valueType>%s</valueType>'
            '</serviceParameter></return>' % (_esc(name), _esc(self.params[name]), value_type)))

    def _updateServiceParameter(self, version, fields):
        name = fields['name']
        if name in self.fail_writes:
            return self.fail_writes.pop(name)
        if name not in self.params:
            return self._unknown(name)
        kind, _default, low, high = PARAMS.get(name, ('string', None, None, None))
        value = fields['value']
        if kind == 'bool' and value not in BOOLEAN_STYLES[self.boolean_style][1:]:
            return soap_fault('Invalid value %r for %s' % (value, name), 5009)
        if kind == 'long' and not (value.isdigit() and low <= int(value) <= high):
            return soap_fault('Invalid value %r for %s: must be between %d and %d' % (value, name, low, high), 5009)
        self.params[name] = value
        return soap_reply('updateServiceParameter', version, '<return>{1}</return>')

    def _executeSQLQuery(self, version, fields):
        if not self.sql:
            return soap_fault('A syntax error has occurred', 201)
        rows = ''.join('<row><paramname>%s</paramname><paramvalue>%s</paramvalue></row>' % (_esc(n), _esc(v))
                       for n, v in sorted(self.params.items()) if n not in self.sql_omit and "'%s'" % n in fields['sql'])
        return soap_reply('executeSQLQuery', version, '<return>%s</return>' % rows)
