# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CUCM AXL (SOAP) client: envelopes, schema version detection, service parameters, executeSQLQuery.

Internal module: the leading underscore means its API may change without notice.

This is the only code in collab.uc that speaks AXL. Envelopes are written by hand (every text value is XML
escaped) and replies are parsed with ``xml.etree.ElementTree`` by local name, so the namespace prefixes and
schema version of the reply do not matter. Transport, keep-alive, the ``JSESSIONIDSSO`` cookie and retries come
from ``HttpSession``; this client adds the AXL memory fault to what is retried.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import re
import xml.etree.ElementTree as ET

from ansible_collections.collab.uc.plugins.module_utils._errors import UCError, shorten


AXL_PATH = '/axl/'
SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
AXL_NS = 'http://www.cisco.com/AXL/API/%s'
# getCCMVersion is asked in the 1.0 namespace, which every release answers.
DISCOVERY_VERSION = '1.0'

ENTERPRISE_NODE = 'EnterpriseWideData'
ENTERPRISE_SERVICE = 'Enterprise Wide'
# The pkid of the EnterpriseWideData process node in processconfig (fkprocessnode).
ENTERPRISE_NODE_PKID = '00000000-1111-0000-0000-000000000000'

AXL_VERSION_RE = re.compile(r'^[0-9]{1,2}\.[0-9]{1,2}$')
CCM_VERSION_RE = re.compile(r'^\s*([0-9]{1,2})\.([0-9]{1,2})(?:[.(]|\s*$)')

MEMORY_FAULT_TEXT = 'maximum axl memory allocation consumed'

_HTML_HEAD = re.compile(r'<head\b.*?</head\s*>', re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r'<[^>]*>')

# Characters XML 1.0 cannot carry at all (not even escaped).
_XML_INVALID = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
# Characters refused in SQL string literals: every C0 control character and DEL.
_SQL_INVALID = re.compile(u'[\x00-\x1f\x7f]')


class AxlFault(UCError):
    """CUCM answered a request with a SOAP fault (``details`` carry axlcode/axlmessage or faultstring)."""


def check_axl_version(version):
    """``version`` if it looks like an AXL schema version (``14.0``, ``12.5``), else raise ``ValueError``."""
    text = '' if version is None else str(version).strip()
    if not AXL_VERSION_RE.match(text):
        raise ValueError('axl_version must be a schema version such as 14.0, 12.5 or 15.0 (major.minor), got %r'
                         % (version,))
    return text


def axl_version_from_ccm_version(ccm_version):
    """The AXL schema version of a CUCM release: ``14.0.1.13900(155)`` -> ``14.0``; ``None`` if unrecognised."""
    match = CCM_VERSION_RE.match(ccm_version or '')
    if not match:
        return None
    return '%d.%d' % (int(match.group(1)), int(match.group(2)))


def xml_escape(text):
    """``text`` escaped for an XML element; ``ValueError`` for characters XML cannot carry."""
    text = u'%s' % (text,)
    if _XML_INVALID.search(text):
        raise ValueError('contains a control character that XML cannot carry')
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def sql_literal(text):
    """``text`` as an Informix SQL string literal (single quotes, embedded quotes doubled).

    Raises ``ValueError`` for anything that is not a string or that holds NUL or another control character,
    which have no business in a name and could cut the statement short.
    """
    if not isinstance(text, str):
        raise ValueError('an SQL literal must be a string, got %s' % type(text).__name__)
    if _SQL_INVALID.search(text):
        raise ValueError('%r contains a control character and cannot be used in SQL' % (text,))
    return "'%s'" % text.replace("'", "''")


def _local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def _child(element, name):
    if element is None:
        return None
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _find(element, name):
    """The first descendant (or self) whose local name is ``name``."""
    if element is None:
        return None
    for node in element.iter():
        if _local(node.tag) == name:
            return node
    return None


def _text(element):
    if element is None:
        return None
    return element.text or ''


def _parse_xml(body):
    """The root element of an XML reply, or None when it is not (safe) XML."""
    if not body or b'<!DOCTYPE' in body[:2048].upper():
        return None
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        return None


def parse_fault(body):
    """``{'faultcode', 'faultstring', 'axlcode', 'axlmessage'}`` from a SOAP fault reply, else None."""
    root = _parse_xml(body)
    fault = _find(root, 'Fault')
    if fault is None:
        return None
    error = _find(fault, 'axlError')
    axlcode = _text(_child(error, 'axlcode'))
    return {
        'faultcode': (_text(_child(fault, 'faultcode')) or '').strip(),
        'faultstring': (_text(_child(fault, 'faultstring')) or '').strip(),
        'axlcode': axlcode.strip() if axlcode is not None else None,
        'axlmessage': (_text(_child(error, 'axlmessage')) or '').strip() if error is not None else None,
    }


def is_memory_fault(response):
    """True for the "Maximum AXL Memory Allocation Consumed" fault (axlcode -1), which is worth retrying.

    The same axlcode -1 also answers a query whose result is too large; that one is not retried.
    """
    if response.status == 200 or MEMORY_FAULT_TEXT.encode('ascii') not in response.body.lower():
        return False
    fault = parse_fault(response.body)
    if fault is None:
        return False
    text = ' '.join(part for part in (fault['axlmessage'], fault['faultstring']) if part).lower()
    return MEMORY_FAULT_TEXT in text


def _page_text(text):
    """The readable text of an error page: without the HTML head and tags, whitespace collapsed."""
    text = _HTML_HEAD.sub(' ', text or '')
    return shorten(html.unescape(_HTML_TAG.sub(' ', text)))


def describe_axl_error(response):
    """The AXL error details of a reply for messages: axlcode and axlmessage, else faultstring, else the body."""
    fault = parse_fault(response.body)
    if fault is None:
        text = _page_text(response.text)
        return [('body', text)] if text else []
    if fault['axlcode'] is not None or fault['axlmessage']:
        return [('axlcode', fault['axlcode']), ('axlmessage', fault['axlmessage'] or fault['faultstring'])]
    return [('faultstring', fault['faultstring'])]


def _fault_hint(fault, version, operation):
    code = fault.get('axlcode')
    message = ' '.join(part for part in (fault.get('axlmessage'), fault.get('faultstring')) if part)
    lowered = message.lower()
    if code == '5007' or 'item not valid' in lowered:
        return ('Check the programmatic name (it is case-sensitive, e.g. oauthTokenExpiryTimer, not the label shown '
                'in CUCM Administration)')
    if code == '201':
        return 'CUCM refused the SQL (syntax, or an unknown table or column); check the query'
    if 'too large' in lowered:
        return 'The reply would exceed the AXL size limit (8 MB); ask for fewer rows at a time'
    if 'range' in lowered or 'invalid value' in lowered or code == '5009':
        return 'Use a value in the allowed range shown by CUCM above (see also the parameter help in CUCM Administration)'
    if MEMORY_FAULT_TEXT in lowered:
        return 'CUCM is short of AXL memory; run again when fewer AXL requests are in progress'
    if code is None and ('unmarshalling' in lowered or 'not a valid' in lowered or 'unknown' in lowered
                         or 'version' in lowered or 'operation' in lowered):
        return ('CUCM did not understand %s in AXL schema %s: is axl_version right for this CUCM? Omit axl_version '
                'to detect it' % (operation, version))
    return None


class AxlClient:
    """CUCM's AXL API over one ``HttpSession``.

    ``version`` is the AXL schema version (``14.0``); when None it is found with ``getCCMVersion`` on first use.
    A malformed ``version`` raises ``UCError`` at once, before any request.
    """

    def __init__(self, session, version=None):
        self.session = session
        self._ccm_version = None
        if version is not None:
            try:
                version = check_axl_version(version)
            except ValueError as exc:
                raise UCError(str(exc), host=getattr(session, 'endpoint', None), operation='check axl_version',
                              product=getattr(session, 'product', None),
                              hint='Set axl_version to the CUCM release (e.g. 14.0), or omit it to detect it')
        self._version = version

    # -- plumbing ---------------------------------------------------------------------------------------------
    def _error(self, message, operation, status=None, details=None, hint=None):
        return UCError(message, host=self.session.endpoint, operation=operation, status=status, details=details,
                       hint=hint, product=self.session.product)

    def envelope(self, operation, fields, version):
        """The SOAP envelope of ``operation`` with ``fields``: a list of ``(name, value)`` (value: text, None for
        an empty element, or a nested list)."""
        try:
            body = _serialize(fields)
        except ValueError as exc:
            raise self._error('cannot send %s: a value %s' % (operation, exc), operation,
                              hint='Remove control characters from the value')
        return (u'<?xml version="1.0" encoding="UTF-8"?>'
                u'<soapenv:Envelope xmlns:soapenv="%s" xmlns:ns="%s">'
                u'<soapenv:Header/><soapenv:Body><ns:%s>%s</ns:%s></soapenv:Body></soapenv:Envelope>'
                % (SOAP_ENV_NS, AXL_NS % version, operation, body, operation))

    def call(self, operation, fields, label=None, version=None):
        """Send ``operation`` and return its ``<return>`` element (None if the reply has none).

        SOAP faults raise ``UCError`` with axlcode/axlmessage and a hint; the memory fault is retried first.
        """
        if version is None:
            version = self.version
        label = label or operation
        envelope = self.envelope(operation, fields, version)
        headers = {'Content-Type': 'text/xml; charset=utf-8', 'Accept': 'text/xml'}
        if version != DISCOVERY_VERSION:
            # Without a version in SOAPAction CUCM answers with its oldest schema, which is what getCCMVersion
            # in the 1.0 namespace wants (1.0 itself is no SOAPAction version CUCM knows).
            headers['SOAPAction'] = '"CUCM:DB ver=%s %s"' % (version, operation)
        response = self.session.request('POST', AXL_PATH, label, body=envelope, headers=headers,
                                        retry_if=is_memory_fault, describe_error=describe_axl_error)
        fault = parse_fault(response.body)
        if fault is not None:
            hint = _fault_hint(fault, version, operation)
            raise AxlFault('CUCM answered with a SOAP fault', host=self.session.endpoint, operation=label,
                           status=response.status, details=describe_axl_error(response), hint=hint,
                           product=self.session.product)
        if response.status != 200:
            raise self._error('unexpected answer', label, status=response.status,
                              details=describe_axl_error(response),
                              hint='Check that host and port point at a CUCM publisher (AXL is served on /axl/)')
        root = _parse_xml(response.body)
        body = _find(root, 'Body')
        if body is None:
            raise self._error('the reply is not a SOAP envelope', label, status=response.status,
                              details=[('body', shorten(response.text))],
                              hint='Check that host and port point at a CUCM publisher (AXL is served on /axl/)')
        reply = body[0] if len(body) else None
        return _child(reply, 'return')

    # -- version ----------------------------------------------------------------------------------------------
    @property
    def version(self):
        """The AXL schema version in use (``14.0``): the one given, else found with ``getCCMVersion``."""
        if self._version is None:
            full = self.get_ccm_version()
            version = axl_version_from_ccm_version(full)
            if version is None:
                raise self._error('cannot tell the AXL schema version from the CUCM version %r' % full,
                                  'getCCMVersion', status=200,
                                  hint='Set axl_version to the CUCM release (e.g. 14.0)')
            self._version = version
        return self._version

    @property
    def version_known(self):
        return self._version is not None

    def get_ccm_version(self):
        """The full CUCM version, e.g. ``14.0.1.13900(155)`` (asked once, then remembered)."""
        if self._ccm_version is None:
            result = self.call('getCCMVersion', [('processNodeName', None)], version=DISCOVERY_VERSION)
            version = (_text(_find(_find(result, 'componentVersion'), 'version')) or '').strip()
            if not version:
                raise self._error('the getCCMVersion reply carries no return/componentVersion/version',
                                  'getCCMVersion', status=200,
                                  hint='Set axl_version to the CUCM release (e.g. 14.0) to skip the detection')
            self._ccm_version = version
        return self._ccm_version

    # -- service parameters -----------------------------------------------------------------------------------
    def get_service_parameter(self, name, process_node=ENTERPRISE_NODE, service=ENTERPRISE_SERVICE):
        """``{'name', 'value', 'valueType'}`` of one service (or enterprise) parameter."""
        label = 'getServiceParameter %s' % name
        result = self.call('getServiceParameter',
                           [('processNodeName', process_node), ('name', name), ('service', service)], label)
        parameter = _child(result, 'serviceParameter')
        if parameter is None:
            raise self._error('the reply carries no return/serviceParameter', label, status=200,
                              details=[('name', name)],
                              hint='Check the programmatic name; is axl_version right for this CUCM?')
        value = _text(_child(parameter, 'value'))
        value_type = _text(_child(parameter, 'valueType'))
        return {
            'name': (_text(_child(parameter, 'name')) or name).strip() or name,
            'value': value if value is not None else '',
            'valueType': value_type.strip() if value_type is not None else None,
        }

    def update_service_parameter(self, name, value, process_node=ENTERPRISE_NODE, service=ENTERPRISE_SERVICE):
        """Set one service (or enterprise) parameter; returns CUCM's ``<return>`` text (a uuid or true)."""
        label = 'updateServiceParameter %s' % name
        result = self.call('updateServiceParameter',
                           [('processNodeName', process_node), ('name', name), ('service', service),
                            ('value', u'%s' % (value,))], label)
        return (_text(result) or '').strip()

    def get_enterprise_parameters(self, names):
        """``{name: {'name', 'value', 'valueType'}}`` of enterprise parameters, read in as few requests as can be.

        One ``executeSQLQuery`` on ``processconfig`` reads them all (``valueType`` is then None); a name that query
        does not return, or every name if the query faults, is read with ``getServiceParameter``.
        """
        names = list(names)
        found = {}
        if len(names) > 1:
            sql = ('select paramname, paramvalue from processconfig where fkprocessnode = %s and paramname in (%s)'
                   % (sql_literal(ENTERPRISE_NODE_PKID), ', '.join(sql_literal(name) for name in names)))
            try:
                rows = self.execute_sql_query(sql, label='executeSQLQuery processconfig (enterprise parameters)')
            except AxlFault as fault:
                # A release that refuses this query (SQL error, unknown column...) still answers
                # getServiceParameter: read one by one instead. A fault without axlError (wrong schema version,
                # malformed request) would only repeat itself.
                if fault.detail('axlcode') is None:
                    raise
                rows = []
            for row in rows:
                name = row.get('paramname')
                if name in names and name not in found:
                    found[name] = {'name': name, 'value': row.get('paramvalue') or '', 'valueType': None}
        for name in names:
            if name not in found:
                found[name] = self.get_service_parameter(name)
        return found

    # -- SQL --------------------------------------------------------------------------------------------------
    def execute_sql_query(self, sql, label=None):
        """Rows of a read-only SQL query as a list of dicts ``{column: text}``; an empty reply is an empty list."""
        result = self.call('executeSQLQuery', [('sql', sql)], label or 'executeSQLQuery')
        rows = []
        if result is None:
            return rows
        for row in result:
            if _local(row.tag) != 'row':
                continue
            rows.append(dict((_local(column.tag), column.text or '') for column in row))
        return rows


def _serialize(fields):
    parts = []
    for name, value in fields:
        if value is None:
            parts.append(u'<%s/>' % name)
        elif isinstance(value, list):
            parts.append(u'<%s>%s</%s>' % (name, _serialize(value), name))
        else:
            parts.append(u'<%s>%s</%s>' % (name, xml_escape(value), name))
    return u''.join(parts)
