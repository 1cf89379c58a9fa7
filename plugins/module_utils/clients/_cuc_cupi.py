# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Unity Connection CUPI (``/vmrest``): AuthZ servers and their key synchronisation.

Internal module: the leading underscore means its API may change without notice.

``CupiClient`` speaks JSON (``Accept: application/json``) over the shared ``HttpSession`` and tolerates what
Connection is known or suspected to do differently from one release to another:

* a list holds a single object instead of a one-element list, or no ``AuthzServer`` key at all when empty,
  and may or may not be wrapped in ``AuthzServers``;
* booleans and numbers arrive as strings (``"true"``, ``"8443"``);
* a reply (or an error body) arrives as XML although JSON was asked for;
* ``ErrorDetails`` holds one ``errors`` object or a list of them.

Values are normalised into ``AuthzServer`` dicts with the CUPI field names and Python types (``Port`` an int,
``IgnoreCertificateError`` a bool). ``ServerPassword`` is write-only: Connection never returns it and this
module never puts it into anything it returns.

What modules show, compare and judge of a server (views, diffs, a failed sync's meaning) lives in
``domain/_cuc_authz_servers``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import calendar
import json
import re
import xml.etree.ElementTree as ET

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import (
    OutcomeUnknown, UCError, error_from_reply, page_text, shorten, type_words)
from ansible_collections.collab.uc.plugins.module_utils.transport._values import parse_bool


BASE_PATH = '/vmrest'
SERVERS_PATH = BASE_PATH + '/authz/server'
SYNC_PATH = BASE_PATH + '/authz/sync'

ROWS_PER_PAGE = 100
MAX_PAGES = 1000

# CUPI field names.
OBJECT_ID = 'ObjectId'
DISPLAY_NAME = 'DisplayName'
ADDRESS = 'ServerNodeAddress'
PORT = 'Port'
USERNAME = 'ServerUsername'
PASSWORD = 'ServerPassword'
IGNORE_CERT = 'IgnoreCertificateError'
LAST_SYNC = 'LastSyncStatus'

BOOLEAN_FIELDS = (IGNORE_CERT,)
INTEGER_FIELDS = (PORT,)

# Field limits (CUPI API reference, System Settings: AuthZ servers).
MAX_LENGTHS = {DISPLAY_NAME: 64, ADDRESS: 64, USERNAME: 64}

# Outcomes of the last key synchronisation, from LastSyncStatus.
SYNC_PASSED = 'passed'
SYNC_NEVER = 'never'
SYNC_CANNOT_CONNECT = 'cannot_connect'
SYNC_BAD_CREDENTIALS = 'bad_credentials'
SYNC_MISSING_AXL_ROLE = 'missing_axl_role'
SYNC_CERTIFICATE = 'certificate_not_trusted'
SYNC_FAILED = 'failed'
SYNC_OUTCOMES = (SYNC_PASSED, SYNC_NEVER, SYNC_CANNOT_CONNECT, SYNC_BAD_CREDENTIALS, SYNC_MISSING_AXL_ROLE,
                 SYNC_CERTIFICATE, SYNC_FAILED)

_ERROR_HINTS = {
    400: 'Connection refused the values; see its message, correct the task and run again',
    404: 'The AuthZ server is gone (deleted meanwhile?); run the task again',
    405: 'This Connection does not offer AuthZ servers over CUPI; it needs Unity Connection 11.5(1)SU3 or later',
    409: 'Another object conflicts with this one; see the message',
    500: 'Connection failed internally; look at its CUPI logs (Tomcat) and run again',
}


def to_bool(value):
    """``True``/``False`` from a CUPI boolean (a bool or a string such as "true", "false", "1"); None stays None."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    text = str(value).strip()
    if not text:
        return False
    try:
        return parse_bool(text)[0]
    except ValueError:
        raise ValueError('not a boolean: %r' % (value,))


def to_int(value):
    """An int from a CUPI number (an int or a string such as "8443"); None and "" become None."""
    if value is None or isinstance(value, bool):
        return None if value is None else int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        return None
    if not re.match(r'^[+-]?\d+(\.0*)?$', text):
        raise ValueError('not an integer: %r' % (value,))
    return int(text.split('.', 1)[0])


def normalise_server(raw):
    """An AuthZ server from CUPI (JSON or XML-derived dict) with Python types; the password is dropped."""
    server = {}
    for key, value in (raw or {}).items():
        if key.startswith('@') or key == PASSWORD or isinstance(value, (dict, list)):
            continue
        if key in BOOLEAN_FIELDS:
            try:
                value = to_bool(value)
            except ValueError:
                pass
        elif key in INTEGER_FIELDS:
            try:
                value = to_int(value)
            except ValueError:
                pass
        elif value is not None and not isinstance(value, str):
            value = str(value)
        server[key] = value
    return server


def wire_value(key, value):
    """The JSON value sent for ``key``: CUPI answers every value as a string, so it is sent as one too."""
    if key in BOOLEAN_FIELDS:
        return 'true' if value else 'false'
    if key in INTEGER_FIELDS:
        return str(int(value))
    return value


def _element_to_dict(element):
    result = {}
    for key, value in element.attrib.items():
        result['@' + key] = value
    for child in element:
        tag = child.tag.split('}', 1)[-1]
        value = _element_to_dict(child) if len(child) else (child.text or '')
        if tag in result:
            if not isinstance(result[tag], list):
                result[tag] = [result[tag]]
            result[tag].append(value)
        else:
            result[tag] = value
    return result


def parse_body(text):
    """A dict from a CUPI body, JSON or XML (the XML root's children become keys, attributes ``@name``).

    Raises ValueError when the body is neither.
    """
    text = (text or '').strip()
    if not text:
        return {}
    if text.startswith('<'):
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ValueError('not XML: %s' % exc)
        return {root.tag.split('}', 1)[-1]: _element_to_dict(root)}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ValueError('not JSON: %s' % exc)
    if not isinstance(data, dict):
        raise ValueError('expected a JSON object, got %s' % type_words(data))
    return data


def _as_list(value):
    if value is None or value == '':
        return []
    if isinstance(value, list):
        return value
    return [value]


def parse_server_list(text):
    """``(servers, total)`` from a list reply; ``total`` is None when the reply does not say."""
    data = parse_body(text)
    if 'AuthzServers' in data:
        data = data['AuthzServers'] or {}
        if isinstance(data, list):
            data = {'AuthzServer': data}
    total = data.get('@total', data.get('total'))
    try:
        total = to_int(total)
    except ValueError:
        total = None
    items = [item for item in _as_list(data.get('AuthzServer')) if isinstance(item, dict)]
    return [normalise_server(item) for item in items], total


def parse_server(text):
    """One AuthZ server from a GET reply (bare, or wrapped in ``AuthzServer``)."""
    data = parse_body(text)
    if isinstance(data.get('AuthzServer'), dict):
        data = data['AuthzServer']
    return normalise_server(data)


def error_details(response):
    """``[('code', ...), ('message', ...)]`` from an ``ErrorDetails`` body (JSON or XML), else a short body."""
    try:
        data = parse_body(response.text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        body = data.get('ErrorDetails', data)
        errors = _as_list(body.get('errors') if isinstance(body, dict) else None)
        codes = []
        messages = []
        for error in errors:
            if isinstance(error, dict):
                if error.get('code') not in (None, ''):
                    codes.append(str(error['code']))
                if error.get('message') not in (None, ''):
                    messages.append(str(error['message']))
        if codes or messages:
            return [('code', ', '.join(codes) or None), ('message', ' / '.join(messages) or None)]
    text = page_text(response.text)
    return [('body', text)] if text else []


def same_name(one, other):
    """Whether two display names name the same AuthZ server as Connection matches them: surrounding spaces
    removed, letter case ignored (ucsim's ASSUMPTION, since Cisco does not document it; the tolerant choice)."""
    return (one or '').strip().casefold() == (other or '').strip().casefold()


class DuplicateName(UCError):
    """Connection refused a create because an AuthZ server of that name exists (DUPLICATE_OBJECT)."""


def object_id_from_uri(text):
    """The ObjectId at the end of the URI a POST answers with (``/vmrest/authz/server/<ObjectId>``)."""
    text = (text or '').strip().strip('"\'').strip()
    if not text:
        return None
    if text.startswith('{') or text.startswith('<'):
        try:
            data = parse_body(text)
        except ValueError:
            return None
        if isinstance(data.get('AuthzServer'), dict):
            data = data['AuthzServer']
        value = data.get(OBJECT_ID) or data.get('URI') or data.get('uri')
        return object_id_from_uri(value) if value and value != text else None
    segment = text.split('?', 1)[0].rstrip('/').rsplit('/', 1)[-1]
    return segment if re.match(r'^[A-Za-z0-9{}_.:-]+$', segment) else None


def classify_sync_status(status):
    """The outcome (one of ``SYNC_OUTCOMES``) of a LastSyncStatus text.

    Connection's GUI strings: "Passed - May 12,2017 07:00:53 AM GMT", "Failed to connect to Authz Server...",
    "Not authorized - Invalid Username or Password", "Failed to validate certificates...". Variations are
    tolerated: the checks look for keywords, the certificate ones first (a TLS failure is also a failure to
    connect), and a refusal that names the AXL role or access is told apart from a bad password.
    """
    text = (status or '').strip().lower()
    if not text:
        return SYNC_NEVER
    if text.startswith('pass') or text.startswith('success'):
        return SYNC_PASSED
    if any(word in text for word in ('certificat', 'pkix', 'ssl', 'tls', 'trust')):
        return SYNC_CERTIFICATE
    # HTTP status codes as words of their own, never digits of a port ("cucm1:40105") or of a date
    codes = set(re.findall(r'(?<![\d:.])\b(40[13])\b(?![\d:.])', text))
    refused = bool(codes) or any(word in text for word in ('not authorized', 'unauthorized', 'not authorised',
                                                           'username', 'password', 'credential', 'authentication',
                                                           'forbidden', 'access denied', 'permission'))
    if refused:
        if 'axl' in text or 'role' in text or 'forbidden' in text or 'access denied' in text or '403' in codes \
                or 'permission' in text:
            return SYNC_MISSING_AXL_ROLE
        return SYNC_BAD_CREDENTIALS
    if any(word in text for word in ('connect', 'unreachable', 'timed out', 'timeout', 'unknown host',
                                     'resolve', 'refused', 'route')):
        return SYNC_CANNOT_CONNECT
    return SYNC_FAILED


# "Passed - May 12,2017 07:00:53 AM GMT": the time of the sync (English month names, 12-hour clock, GMT).
_SYNC_TIME_RE = re.compile(r'([A-Za-z]{3})[a-z]*\.?\s+(\d{1,2}),\s*(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\s*([AaPp][Mm])?'
                           r'\s*(GMT|UTC|Z)?')
_MONTHS = ('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec')


def sync_time(status):
    """Epoch seconds of the time in a LastSyncStatus text (read as GMT, the zone Connection prints), or None when
    the text holds no time this function can read (never synced, or a form not seen so far)."""
    match = _SYNC_TIME_RE.search(status or '')
    if not match or match.group(1).lower() not in _MONTHS:
        return None
    month, day, year, hour, minute, second, half = match.groups()[:7]
    hour = int(hour)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == 'pm' else 0)
    try:
        return calendar.timegm((int(year), _MONTHS.index(month.lower()) + 1, int(day), hour, int(minute),
                                int(second), 0, 0, 0))
    except (OverflowError, ValueError):
        return None


class CupiClient:
    """Unity Connection's CUPI AuthZ-server calls over one ``HttpSession``."""

    def __init__(self, session, rows_per_page=ROWS_PER_PAGE):
        self.session = session
        self.rows_per_page = int(rows_per_page)
        # What the client had to find out by reading the state (a lost answer), for the module to warn about.
        self.warnings = []

    # --- plumbing -----------------------------------------------------------------------------------------
    def _request(self, method, path, operation, expect, idempotent, body=None, query=None):
        headers = {'Accept': 'application/json'}
        if body is not None:
            headers['Content-Type'] = 'application/json'
            body = json.dumps(body, sort_keys=True)
        response = self.session.request(method, path, operation, body=body, headers=headers, query=query,
                                        describe_error=error_details, idempotent=idempotent)
        if response.status not in expect:
            hint = _ERROR_HINTS.get(response.status)
            if hint is None and response.status >= 500:
                hint = _ERROR_HINTS[500]
            raise error_from_reply(self.session, 'unexpected answer', operation, response,
                                   details=error_details(response),
                                   hint=hint or 'Check that this is Unity Connection 11.5(1)SU3 or later with CUPI '
                                                'enabled')
        return response

    def _parse(self, parser, response, operation):
        try:
            return parser(response.text)
        except ValueError as exc:
            raise error_from_reply(self.session, 'the reply is neither the expected JSON nor XML (%s)' % exc,
                                   operation, response, hint='Check that host and port point to Unity Connection')

    @staticmethod
    def _path(base, object_id):
        return '%s/%s' % (base, object_id)

    # --- AuthZ servers ------------------------------------------------------------------------------------
    def list_servers(self):
        """Every AuthZ server (list of dicts with CUPI field names), reading page after page."""
        operation = 'list AuthZ servers (GET %s/)' % SERVERS_PATH
        servers = []
        seen = set()
        page = 1
        while page <= MAX_PAGES:
            query = [('rowsPerPage', str(self.rows_per_page)), ('pageNumber', str(page))]
            response = self._request('GET', SERVERS_PATH + '/', operation, (200,), True, query=query)
            items, total = self._parse(parse_server_list, response, operation)
            new = 0
            for item in items:
                key = item.get(OBJECT_ID) or id(item)
                if key not in seen:
                    seen.add(key)
                    servers.append(item)
                    new += 1
            if not new or len(items) < self.rows_per_page:
                break
            if total is not None and len(servers) >= total:
                break
            page += 1
        return servers

    def find_by_name(self, name):
        """The AuthZ servers whose DisplayName is ``name`` as Connection matches names (``same_name``: spaces
        around and letter case do not count); a list, since Connection may hold duplicates."""
        return [server for server in self.list_servers() if same_name(server.get(DISPLAY_NAME), name)]

    def find_one(self, name):
        """The AuthZ server named ``name``, or None; several of that name raise ``UCError`` (nothing is changed)."""
        matches = self.find_by_name(name)
        if len(matches) > 1:
            raise error_from_reply(self.session, '%d AuthZ servers have the display name %r (ObjectIds %s)'
                                   % (len(matches), name,
                                      ', '.join(shorten(str(m.get(OBJECT_ID)), 40) for m in matches[:5])),
                                   'find AuthZ server %r' % name,
                                   hint='Delete or rename the duplicates in Connection Administration; nothing was '
                                        'changed')
        return matches[0] if matches else None

    def get_server(self, object_id):
        """One AuthZ server by ObjectId."""
        operation = 'read AuthZ server %s (GET %s)' % (object_id, self._path(SERVERS_PATH, object_id))
        response = self._request('GET', self._path(SERVERS_PATH, object_id), operation, (200,), True)
        return self._parse(parse_server, response, operation)

    def create_server(self, fields):
        """Create an AuthZ server from CUPI ``fields`` and return its ObjectId.

        A create is not idempotent: it is never sent again after its answer was lost. Then (and when the reply
        names no ObjectId) the server is looked up by its name: found once, that is the one created; not found,
        the create never arrived and is sent once more; found several times, ``UCError`` says so.
        """
        name = fields.get(DISPLAY_NAME)
        operation = 'create AuthZ server %r (POST %s/)' % (name, SERVERS_PATH)
        body = dict((key, wire_value(key, value)) for key, value in fields.items())
        for attempt in (1, 2):
            lost = None
            try:
                response = self._request('POST', SERVERS_PATH + '/', operation, (200, 201), False, body=body)
            except OutcomeUnknown as err:
                lost = err
            except UCError as err:
                if err.status == 400 and 'DUPLICATE' in str(err.detail('code') or '').upper():
                    # Created meanwhile (a parallel run), or named like another one as Connection compares names.
                    raise DuplicateName(err.message, host=err.host, operation=err.operation, status=err.status,
                                        details=err.details, product=err.product, hint=err.hint)
                raise
            if lost is not None:
                created = self.find_by_name(name)
                if not created and attempt == 1:
                    self.warnings.append('%s: the answer was lost (%s) and no AuthZ server of that name exists, so '
                                         'the create never arrived; it was sent once more' % (operation, lost.message))
                    continue
                object_id = self._created_id(created, operation, lost)
                self.warnings.append('%s: the answer was lost (%s); the AuthZ servers read afterwards show it was '
                                     'created, ObjectId %s' % (operation, lost.message, object_id))
                return object_id
            object_id = object_id_from_uri(response.text) or object_id_from_uri(response.header('location'))
            return object_id or self._created_id(self.find_by_name(name), operation)

    def _created_id(self, created, operation, lost=None):
        if len(created) == 1 and created[0].get(OBJECT_ID):
            return created[0][OBJECT_ID]
        if lost is not None:
            why = 'the answer to the create was lost (%s)' % lost.message
        else:
            why = 'Connection created the AuthZ server but named no ObjectId'
        raise error_from_reply(self.session, '%s, and %d servers carry its name' % (why, len(created)), operation,
                               hint='Check the AuthZ servers in Connection')

    def update_server(self, object_id, fields):
        """Change the given CUPI ``fields`` (only those) of one AuthZ server."""
        operation = 'update AuthZ server %s (PUT %s)' % (object_id, self._path(SERVERS_PATH, object_id))
        body = dict((key, wire_value(key, value)) for key, value in fields.items())
        self._request('PUT', self._path(SERVERS_PATH, object_id), operation, (200, 204), True, body=body)

    def delete_server(self, object_id):
        """Delete one AuthZ server. Repeating it is safe: a 404 (already gone, say after a lost answer) is success."""
        operation = 'delete AuthZ server %s (DELETE %s)' % (object_id, self._path(SERVERS_PATH, object_id))
        self._request('DELETE', self._path(SERVERS_PATH, object_id), operation, (200, 204, 404), True)

    def sync_keys(self, object_id):
        """Ask Connection to fetch the AuthZ keys from the server now; return the server as read afterwards."""
        operation = 'sync AuthZ keys of %s (PUT %s)' % (object_id, self._path(SYNC_PATH, object_id))
        self._request('PUT', self._path(SYNC_PATH, object_id), operation, (200, 202, 204), True)
        return self.get_server(object_id)
