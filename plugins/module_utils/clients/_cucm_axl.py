# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CUCM AXL (SOAP) client: envelopes, schema version detection, service parameters, executeSQLQuery.

Internal module: the leading underscore means its API may change without notice.

This is the only code in collab.uc that speaks AXL. Envelopes, serialisation and fault parsing are ``_soap``'s
(replies are read by local name, so the namespace prefixes and schema version of the reply do not matter);
this client adds the AXL namespace and ``SOAPAction``, the ``axlError`` detail of faults, their hints, and the
AXL memory fault to what is retried. Transport, keep-alive, the ``JSESSIONIDSSO`` cookie and retries come
from ``HttpSession``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.collab.uc.plugins.module_utils.transport import _soap
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, error_from_reply, type_words
from ansible_collections.collab.uc.plugins.module_utils.transport._soap import (
    SoapFault, child as _child, find as _find, local as _local, stripped as _stripped, text as _text)


AXL_PATH = '/axl/'
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
NOT_AXL_HINT = 'Check that host and port point at a CUCM publisher (AXL is served on /axl/)'

# Characters refused in SQL string literals: every C0 control character and DEL.
_SQL_INVALID = re.compile(u'[\x00-\x1f\x7f]')


class AxlFault(SoapFault):
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


def sql_literal(text):
    """``text`` as an Informix SQL string literal (single quotes, embedded quotes doubled).

    Raises ``ValueError`` for anything that is not a string or that holds NUL or another control character,
    which have no business in a name and could cut the statement short.
    """
    if not isinstance(text, str):
        raise ValueError('an SQL literal must be a string, got %s' % type_words(text))
    if _SQL_INVALID.search(text):
        raise ValueError('%r contains a control character and cannot be used in SQL' % (text,))
    return "'%s'" % text.replace("'", "''")


def parse_fault(body):
    """``{'faultcode', 'faultstring', 'axlcode', 'axlmessage'}`` from a SOAP fault reply, else None."""
    fault = _soap.parse_fault(body)
    if fault is None:
        return None
    error = _find(fault.pop('detail'), 'axlError')
    fault['axlcode'] = _stripped(_child(error, 'axlcode'))
    fault['axlmessage'] = (_stripped(_child(error, 'axlmessage')) or '') if error is not None else None
    return fault


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


def is_throttling(err):
    """True for an error that means "busy, try later" (nothing was carried out): HTTP 503 or the AXL memory
    fault, as ``HttpSession`` raises them once its retries are spent (or at once with ``throttle_retries`` 0)."""
    return err.status == 503 or MEMORY_FAULT_TEXT in str(err).lower()


def describe_axl_error(response):
    """The AXL error details of a reply for messages: axlcode and axlmessage, else faultstring, else the body."""
    fault = parse_fault(response.body)
    if fault is None:
        return _soap.describe_soap_error(response)
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


# The roles of an AXL account (CUCM's standard roles): the first may write, the second only read.
AXL_WRITE_ROLE = 'Standard AXL API Access'
AXL_READ_ONLY_ROLE = 'Standard AXL Read Only API Access'


def axl_access(roles):
    """``read-write`` when ``roles`` hold Standard AXL API Access, ``read-only`` when they hold only the read-only
    AXL role, None when they hold neither (a role this collection does not know may grant AXL: it cannot tell)."""
    lowered = set(role.strip().lower() for role in roles)
    if AXL_WRITE_ROLE.lower() in lowered:
        return 'read-write'
    if AXL_READ_ONLY_ROLE.lower() in lowered:
        return 'read-only'
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
        return error_from_reply(self.session, message, operation, details=details, hint=hint, status=status)

    def call(self, operation, fields, idempotent, label=None, version=None):
        """Send ``operation`` and return its ``<return>`` element (None if the reply has none).

        SOAP faults raise ``AxlFault`` with axlcode/axlmessage and a hint; the memory fault is retried first.
        ``idempotent`` says whether it may be sent again after its answer was lost: reads may, and so may an
        update that sets a value (setting it twice leaves the same state); an ``add`` may not.
        """
        if version is None:
            version = self.version
        soap_action = None
        if version != DISCOVERY_VERSION:
            # Without a version in SOAPAction CUCM answers with its oldest schema, which is what getCCMVersion
            # in the 1.0 namespace wants (1.0 itself is no SOAPAction version CUCM knows).
            soap_action = '"CUCM:DB ver=%s %s"' % (version, operation)
        reply = _soap.call(self.session, AXL_PATH, AXL_NS % version, operation, fields, label=label,
                           soap_action=soap_action, retry_if=is_memory_fault, describe_error=describe_axl_error,
                           fault_hint=lambda response: _fault_hint(parse_fault(response.body), version, operation), idempotent=idempotent,
                           fault_class=AxlFault, fault_message='CUCM answered with a SOAP fault',
                           not_soap_hint=NOT_AXL_HINT)
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

    def get_ccm_version(self):
        """The full CUCM version, e.g. ``14.0.1.13900(155)`` (asked once, then remembered)."""
        if self._ccm_version is None:
            result = self.call('getCCMVersion', [('processNodeName', None)], True, version=DISCOVERY_VERSION)
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
                           [('processNodeName', process_node), ('name', name), ('service', service)], True, label)
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
                            ('value', u'%s' % (value,))], True, label)
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

    # -- the account's rights ---------------------------------------------------------------------------------
    def app_user_roles(self, userid):
        """The roles the application user ``userid`` holds through its user groups (``getAppUser``:
        ``associatedGroups/userGroup/userRoles/userRole``), e.g. ``['Standard AXL API Access']``. ``AxlFault`` when
        CUCM has no application user of that name (an end user, for example)."""
        result = self.call('getAppUser', [('name', userid)], True)
        roles = []
        for element in (result.iter() if result is not None else ()):
            if _local(element.tag) == 'userRole' and (element.text or '').strip():
                roles.append(element.text.strip())
        return roles

    # -- SQL --------------------------------------------------------------------------------------------------
    def execute_sql_query(self, sql, label=None):
        """Rows of a read-only SQL query as a list of dicts ``{column: text}``; an empty reply is an empty list."""
        result = self.call('executeSQLQuery', [('sql', sql)], True, label or 'executeSQLQuery')
        rows = []
        if result is None:
            return rows
        for row in result:
            if _local(row.tag) != 'row':
                continue
            rows.append(dict((_local(column.tag), column.text or '') for column in row))
        return rows
