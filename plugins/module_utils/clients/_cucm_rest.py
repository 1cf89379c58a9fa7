# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""CUCM REST on ``/ssosp``: the single sign-on status and refresh-token revocation.

Internal module: the leading underscore means its API may change without notice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import xml.etree.ElementTree as ET

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import (
    MASK, error_from_reply, page_text, shorten)


SSO_STATUS_PATH = '/ssosp/ws/public/singleSignOn'
REVOKE_PATH = '/ssosp/token/revoke'

# Revocation outcomes.
REVOKED = 'revoked'
NO_TOKENS = 'no_live_tokens'
UNKNOWN_USER = 'unknown_user'
FAILED = 'failed'


def _local(name):
    """An element or attribute name without its namespace, lower-cased."""
    return name.rsplit('}', 1)[-1].lower()


def _attr(element, name):
    """The attribute ``name`` of ``element`` in any case and namespace; None when absent."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if _local(key) == name:
            return value
    return None


def _bool_attr(element, name):
    value = _attr(element, name)
    if value is None:
        return None
    return value.strip().lower() == 'true'


def _first(root, name):
    for element in root.iter():
        if element is not root and _local(element.tag) == name:
            return element
    return None


def parse_sso_status(text):
    """``{'version', 'sso_enabled', 'token_reuse'}`` from the singleSignOn XML.

    Tolerant of both public shapes and their likely variants: CUCM's ``<SingleSignOn version="">`` (the developer
    guide's sample), the Expressway trace's ``<?xml?>`` declaration and ``<SSOResult version="1.0">``, any root
    element name, namespaces, and the case of element and attribute names. ``version`` is the root's attribute as
    given (``''`` in CUCM's sample; None when absent).
    """
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise ValueError('not XML: %s' % exc)
    return {
        'version': _attr(root, 'version'),
        'sso_enabled': _bool_attr(_first(root, 'status'), 'enabled'),
        'token_reuse': _bool_attr(_first(root, 'token'), 'reuse'),
    }


def _rest_error_details(response):
    return [('body', page_text(_redact_tokens(response.text)))]


def _redact_tokens(text):
    """The body with every refresh_token value masked, so a token never reaches a message or a log."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    _mask_tokens(data)
    return json.dumps(data, sort_keys=True)


def _mask_tokens(node):
    if isinstance(node, dict):
        for key in list(node):
            if 'token' in key.lower() and isinstance(node[key], str):
                node[key] = MASK
            else:
                _mask_tokens(node[key])
    elif isinstance(node, list):
        for item in node:
            _mask_tokens(item)


class SsospClient:
    """CUCM's ``/ssosp`` endpoints over one ``HttpSession``."""

    def __init__(self, session):
        self.session = session

    def sso_status(self):
        """The public SSO status: ``{'version', 'sso_enabled', 'token_reuse'}``. Needs no authentication."""
        operation = 'GET singleSignOn status'
        response = self.session.request('GET', SSO_STATUS_PATH, operation,
                                        headers={'Accept': 'application/xml, text/xml'}, idempotent=True)
        if response.status != 200:
            raise error_from_reply(self.session, 'unexpected answer', operation, response,
                                   details=_rest_error_details(response),
                                   hint='Check that this is a CUCM node with the ssosp service running')
        try:
            return parse_sso_status(response.text)
        except ValueError as exc:
            raise error_from_reply(self.session, 'the SSO status reply is not the expected XML (%s)' % exc,
                                   operation, response)

    def revoke(self, user_id, client_id=None):
        """Revoke ``user_id``'s refresh tokens (one client's only with ``client_id``).

        Returns ``(outcome, count, reason)`` with outcome one of REVOKED, NO_TOKENS, UNKNOWN_USER, FAILED; token
        values are dropped here and never returned. 401/403 and exhausted retries raise ``UCError``; an answer lost
        after the request was sent raises ``OutcomeUnknown`` (it is not sent again here).
        """
        query = [('user_id', user_id)]
        if client_id:
            query.append(('client_id', client_id))
        response = self.session.request('GET', REVOKE_PATH, 'revoke refresh tokens of %s' % shorten(repr(user_id), 60),
                                        query=query, headers={'Accept': 'application/json'},
                                        describe_error=_rest_error_details,
                                        # Revoking twice revokes nothing more, but the second answer would say
                                        # "no tokens" for a user whose tokens the first removed: a lost answer
                                        # raises OutcomeUnknown, and the caller reads the tokens again instead.
                                        idempotent=False)
        return interpret_revoke_response(response.status, response.text)


def interpret_revoke_response(status, text):
    """``(outcome, count, reason)`` from a revoke answer, tolerant of the shapes CUCM does not document.

    Documented success (TAC 216948): ``{"revoked_tokens": {"status": "success", "user_id": ...,
    "clientID_tokens": [{"client_id": ..., "refresh_token": ...}]}}``. Not documented: what an unknown user or a
    user with no tokens gets. A 404, or a body saying the user does not exist, is taken as an unknown user; a
    success with no tokens as no live tokens; anything else as a failure, with the (token-free) body as reason.
    """
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError:
        data = None
    body = data.get('revoked_tokens', data) if isinstance(data, dict) else None
    state = str(body.get('status', '')).lower() if isinstance(body, dict) else ''
    message = ''
    if isinstance(body, dict):
        message = str(body.get('message') or body.get('error') or body.get('reason') or '')
    lowered = (message or text or '').lower()
    if 200 <= status < 300 and state == 'success':
        tokens = body.get('clientID_tokens') or []
        count = len(tokens) if isinstance(tokens, list) else 0
        return (REVOKED if count else NO_TOKENS), count, None
    if status == 404 or ('not found' in lowered or 'does not exist' in lowered or 'unknown user' in lowered
                         or 'invalid user' in lowered):
        return UNKNOWN_USER, 0, None
    reason = 'HTTP %s: %s' % (status, shorten(_redact_tokens(text)) or 'empty body')
    return FAILED, 0, reason
