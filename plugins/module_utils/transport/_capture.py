# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A read-only capture of what the transports send and receive, masked, for an offline lab (``ucsim lab import``).

Internal module: the leading underscore means its API may change without notice.

Off unless the environment variable ``COLLAB_UC_CAPTURE_DIR`` names a directory (role ``collab.uc.oauth_audit``
sets it for its read tasks from ``oauth_audit_capture_dir``; ``COLLAB_UC_CAPTURE_SYSTEM`` names the inventory host,
so the import can name the system). While it is on:

* every HTTPS exchange (``_http.HttpSession.request``) and every CLI command (``_ssh.CliSession.run``) that got an
  answer is appended as one JSON line to ``DIR/capture-<system>-<pid>-<ms>.ndjson`` (one file per module run, mode 0600;
  the format is ``RECORD_FORMAT`` and is described in docs/offline-lab.md);
* a request that could change the system (an HTTP method other than GET/HEAD/OPTIONS, a SOAP operation that is not
  a get/list/query, a token revocation, a CLI command that is not a show, an ``xConfiguration``/``xStatus`` read or
  the pager setting) is refused before it is sent: a capture is read-only;
* what is written is masked: the Authorization header and cookies are never recorded, and in bodies, query strings
  and CLI output every value of an element, JSON key or ``name=value`` pair named like a secret (``SECRET_NAME``:
  password, secret, token, session id) and every occurrence of the session's own password, Basic credentials and
  session cookie values become ``********``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import json
import os
import re
import threading
import time

try:
    from urllib.parse import quote
except ImportError:  # pragma: no cover - Python 2 is not supported by this collection
    quote = None

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import MASK, UCError

ENV_DIR = 'COLLAB_UC_CAPTURE_DIR'
ENV_SYSTEM = 'COLLAB_UC_CAPTURE_SYSTEM'
RECORD_FORMAT = 1

# Names (XML elements, JSON keys, query/form/cookie names) whose values are secrets, matched on the whole name.
SECRET_NAME = re.compile(r'(?i)^(?:[\w.-]*(?:password|passwd|passphrase|secret)[\w.-]*|(?:access|refresh|id|auth|'
                         r'bearer|session)?[_-]?token|jsessionid\w*|authorization|cookie|set-cookie|credentials?)$')
_XML_ELEMENT = re.compile(r'(<(?:[\w.-]+:)?([\w.-]+)(?:\s[^<>]*)?>)([^<]*)(</(?:[\w.-]+:)?\2\s*>)')
_JSON_PAIR = re.compile(r'("((?:[^"\\]|\\.)*)"\s*:\s*)"((?:[^"\\]|\\.)*)"')
_NAME_VALUE = re.compile(r'(?<![\w.-])([\w.-]+)=([^&;\s"\'<>,]+)')

READ_METHODS = ('GET', 'HEAD', 'OPTIONS')
# SOAP operations that only read (AXL get*/list*/executeSQLQuery, Serviceability soapGet*, RIS select*).
READ_SOAP = re.compile(r'^(?:get|list|executeSQLQuery$|soapGet|select)')
WRITE_PATHS = re.compile(r'(?i)/revoke')
# CLI commands that only read, or set the session's pager.
READ_CLI = re.compile(r'(?i)^(?:show\s|set\s+cli\s+pagination\s|xstatus(?:\s|$)|xconfiguration(?:\s+[^:]*)?$)')
_SOAP_BODY_OP = re.compile(r'<(?:[\w.-]+:)?Body[^>]*>\s*<(?:[\w.-]+:)?([\w.-]+)')

_lock = threading.Lock()
_state = {'path': None, 'seq': 0}


def directory():
    """The capture directory, or None when capturing is off."""
    return os.environ.get(ENV_DIR) or None


def mask(text, secrets=()):
    """``text`` with secret values masked (see the module docstring); ``secrets``: literal values to mask too."""
    if not text:
        return text
    for secret in sorted(set(s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        variants = set([secret, secret.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;'),
                        json.dumps(secret)[1:-1]])
        if quote is not None:
            variants.add(quote(secret, safe=''))
        for variant in variants:
            text = text.replace(variant, MASK)

    def element(match):
        if SECRET_NAME.match(match.group(2)) and match.group(3).strip():
            return match.group(1) + MASK + match.group(4)
        return match.group(0)

    def pair(match):
        if SECRET_NAME.match(match.group(2)) and match.group(3):
            return match.group(1) + '"' + MASK + '"'
        return match.group(0)

    def name_value(match):
        if SECRET_NAME.match(match.group(1)):
            return match.group(1) + '=' + MASK
        return match.group(0)

    text = _XML_ELEMENT.sub(element, text)
    text = _JSON_PAIR.sub(pair, text)
    return _NAME_VALUE.sub(name_value, text)


def soap_operation(headers, body):
    """The SOAP operation of a request: the last word of SOAPAction, else the first element of the Body."""
    action = None
    for name, value in (headers or {}).items():
        if name.lower() == 'soapaction' and value:
            action = value.strip().strip('"').split()[-1] if value.strip().strip('"') else None
            if action and ('/' in action or ':' in action):
                action = re.split(r'[/:#]', action)[-1] or None
    if action:
        return action
    match = _SOAP_BODY_OP.search(body or '')
    return match.group(1) if match else None


def http_is_read(method, path, headers, body):
    """True when the request only reads (GET/HEAD/OPTIONS that revokes nothing, or a SOAP read)."""
    method = method.upper()
    if WRITE_PATHS.search(path or ''):
        return False
    if method in READ_METHODS:
        return True
    if method == 'POST':
        operation = soap_operation(headers, body)
        return bool(operation and READ_SOAP.match(operation))
    return False


def cli_is_read(command):
    """True when the CLI command only reads (or sets the session's pager)."""
    return bool(READ_CLI.match(' '.join(command.split())))


def _refused(what, host, operation, product):
    return UCError('a capture is read-only (%s is set), and this %s could change the system; it was not sent'
                   % (ENV_DIR, what), host=host, operation=operation, product=product,
                   hint='Capture only the read-only audit (collab.uc.oauth_audit with oauth_audit_capture_dir); '
                        'unset %s for tasks that change anything' % ENV_DIR)


def _text(data):
    if data is None:
        return '', None
    if isinstance(data, bytes):
        try:
            return data.decode('utf-8'), None
        except UnicodeDecodeError:
            return None, base64.b64encode(data).decode('ascii')
    return data, None


def _write(record):
    folder = directory()
    if not folder:
        return
    with _lock:
        if _state['path'] is None or not _state['path'].startswith(folder):
            try:
                os.makedirs(folder, 0o700)
            except OSError:  # it exists (another module of the audit made it), or is no directory (raised below)
                pass
            system = re.sub(r'[^\w.-]', '_', os.environ.get(ENV_SYSTEM) or record['host'])
            name = 'capture-%s-%d-%d.ndjson' % (system, os.getpid(), int(time.time() * 1000))
            _state['path'] = os.path.join(folder, name)
        _state['seq'] += 1
        record['seq'] = _state['seq']
        line = json.dumps(record, sort_keys=True, ensure_ascii=False) + '\n'
        try:
            fd = os.open(_state['path'], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, 'a') as handle:
                handle.write(line)
        except (IOError, OSError) as exc:
            raise UCError('cannot write the capture file %s: %s' % (_state['path'], exc), host=record['host'],
                          operation='capture', product=record['product'],
                          hint='Set oauth_audit_capture_dir (%s) to a directory this host can write' % ENV_DIR)


def _basic_secrets(authorization):
    """The password and the Basic blob of an Authorization header value (to mask wherever they appear)."""
    out = []
    if authorization and authorization.startswith('Basic '):
        blob = authorization[6:]
        out.append(blob)
        try:
            out.append(base64.b64decode(blob).decode('utf-8').split(':', 1)[1])
        except (ValueError, IndexError, UnicodeDecodeError):
            pass
    return out


def _basic_user(authorization):
    try:
        return base64.b64decode(authorization[6:]).decode('utf-8').split(':', 1)[0]
    except (ValueError, TypeError, UnicodeDecodeError):
        return None


def http_start(session, method, url, body, headers, operation):
    """Called by ``HttpSession.request`` before the first attempt: None when capturing is off; else refuses a
    write (``UCError``) or returns ``done(response)``, which records the exchange once it was answered."""
    if not directory():
        return None
    body_text, body_b64 = _text(body)
    if not http_is_read(method, url, headers, body_text or ''):
        raise _refused('%s request' % method.upper(), session.endpoint, operation, session.product)

    def done(response):
        credentials = session.credentials
        secrets = _basic_secrets(credentials.authorization) + list(credentials.cookies.values())
        reply_text, reply_b64 = _text(response.body)
        record = dict(format=RECORD_FORMAT, time=round(time.time(), 3), transport='https',
                      system=os.environ.get(ENV_SYSTEM) or None, product=session.product, host=session.host,
                      port=session.port, user=_basic_user(credentials.authorization), method=method.upper(),
                      path=mask(url, secrets),
                      soap_action=soap_operation(headers, body_text or ''),
                      request_content_type=dict((k.lower(), v) for k, v in (headers or {}).items()).get(
                          'content-type'),
                      request=mask(body_text, secrets) if body_b64 is None else None,
                      status=response.status, reason=response.reason,
                      headers=dict((k, v) for k, v in response.headers.items() if k == 'content-type'))
        if reply_b64 is None:
            record['body'] = mask(reply_text, secrets)
        else:
            record['body_base64'] = reply_b64
        _write(record)

    return done


def cli_start(session, command):
    """Called by ``CliSession.run`` before sending ``command``: None when capturing is off; else refuses a command
    that could change the system (``UCError``) or returns ``done(raw, output)``, which records the transcript."""
    if not directory():
        return None
    if not cli_is_read(command):
        raise _refused('CLI command', session.endpoint, command, session.product)

    def done(raw, output):
        secrets = [session._password]
        _write(dict(format=RECORD_FORMAT, time=round(time.time(), 3), transport='ssh',
                    system=os.environ.get(ENV_SYSTEM) or None, product=session.product, host=session.host,
                    port=session.port, user=session.username, command=command, output=mask(output, secrets),
                    closing=session.last_prompt, prompt_ends_line=session.prompt_ends_line,
                    raw=mask(raw, secrets)))

    return done
