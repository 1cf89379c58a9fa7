# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""SOAP 1.1 over ``HttpSession``: envelopes, serialisation, replies and faults, for AXL and Serviceability.

Internal module: the leading underscore means its API may change without notice.

Envelopes are written by hand (every text value XML-escaped) and replies are parsed with
``xml.etree.ElementTree`` by local name, so the namespace prefixes of a reply do not matter. A reply with a
``DOCTYPE`` is refused (no entity expansion). What is product-specific (the namespace, ``SOAPAction``, the fault's
``detail``, hints) stays in the product's client: ``call()`` takes it as arguments.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import html
import re
import xml.etree.ElementTree as ET

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, error_from_reply, shorten


SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/'
CONTENT_TYPE = 'text/xml; charset=utf-8'

# Characters XML 1.0 cannot carry at all (not even escaped).
_XML_INVALID = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
_HTML_HEAD = re.compile(r'<head\b.*?</head\s*>', re.IGNORECASE | re.DOTALL)
_HTML_TAG = re.compile(r'<[^>]*>')


class SoapFault(UCError):
    """The server answered with a SOAP fault (``details`` carry the product's codes, else faultstring)."""


def xml_escape(text):
    """``text`` escaped for an XML element; ``ValueError`` for characters XML cannot carry."""
    text = u'%s' % (text,)
    if _XML_INVALID.search(text):
        raise ValueError('contains a control character that XML cannot carry')
    return text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')


def serialize(fields, prefix=''):
    """XML of ``fields``: a list of ``(name, value)``, value a text, None (an empty element) or a nested list.
    ``prefix`` (e.g. ``'ns:'``) qualifies every element, children included."""
    parts = []
    for name, value in fields:
        name = prefix + name
        if value is None:
            parts.append(u'<%s/>' % name)
        elif isinstance(value, list):
            parts.append(u'<%s>%s</%s>' % (name, serialize(value, prefix), name))
        else:
            parts.append(u'<%s>%s</%s>' % (name, xml_escape(value), name))
    return u''.join(parts)


def envelope(namespace, operation, fields, qualified=False):
    """The SOAP envelope of ``operation`` (in ``namespace``, prefix ``ns``) with ``fields``; ``ValueError`` when a
    value cannot be carried. ``qualified``: the fields are in ``namespace`` too (a schema with
    ``elementFormDefault="qualified"``, e.g. Serviceability's); else they carry no namespace (AXL's)."""
    return (u'<?xml version="1.0" encoding="UTF-8"?>'
            u'<soapenv:Envelope xmlns:soapenv="%s" xmlns:ns="%s">'
            u'<soapenv:Header/><soapenv:Body><ns:%s>%s</ns:%s></soapenv:Body></soapenv:Envelope>'
            % (SOAP_ENV_NS, namespace, operation, serialize(fields, 'ns:' if qualified else ''), operation))


def local(tag):
    return tag.rsplit('}', 1)[-1] if isinstance(tag, str) else ''


def child(element, name):
    """The first child of ``element`` whose local name is ``name``."""
    if element is None:
        return None
    for node in element:
        if local(node.tag) == name:
            return node
    return None


def find(element, name):
    """The first descendant (or self) whose local name is ``name``."""
    if element is None:
        return None
    for node in element.iter():
        if local(node.tag) == name:
            return node
    return None


def text(element):
    if element is None:
        return None
    return element.text or ''


def stripped(element):
    """The stripped text of ``element``; None when there is no element."""
    value = text(element)
    return value.strip() if value is not None else None


def parse_xml(body):
    """The root element of an XML reply, or None when it is not (safe) XML."""
    if not body or b'<!DOCTYPE' in body[:2048].upper():
        return None
    try:
        return ET.fromstring(body)
    except ET.ParseError:
        return None


def parse_fault(body):
    """``{'faultcode', 'faultstring', 'detail'}`` (detail: the element, or None) of a SOAP fault reply, else None."""
    fault = find(parse_xml(body), 'Fault')
    if fault is None:
        return None
    return {
        'faultcode': stripped(child(fault, 'faultcode')) or '',
        'faultstring': stripped(child(fault, 'faultstring')) or '',
        'detail': child(fault, 'detail'),
    }


def page_text(body_text):
    """The readable text of an error page: without the HTML head and tags, whitespace collapsed, shortened."""
    body_text = _HTML_HEAD.sub(' ', body_text or '')
    return shorten(html.unescape(_HTML_TAG.sub(' ', body_text)))


def call(session, path, namespace, operation, fields, label=None, soap_action=None, retry_if=None,
         describe_error=None, fault_hint=None, idempotent=True, fault_class=SoapFault,
         fault_message='the server answered with a SOAP fault', not_soap_hint=None, qualified=False):
    """Send ``operation`` and return the operation's reply element (the first child of the SOAP Body).

    ``soap_action``: the ``SOAPAction`` header (as it goes on the wire, quotes included); ``qualified``: the
    operation's children are in ``namespace`` too (see ``envelope``).

    ``describe_error(response)`` gives the details of an error for messages, ``fault_hint(response)`` the hint
    of a fault. A fault raises ``fault_class``; another status than 200, or a reply that is
    no SOAP envelope, raises ``UCError``. SOAP requests are POSTs: ``idempotent`` says whether this one may be
    sent again after its answer was lost (a read, or a write that sets a value, may).
    """
    label = label or operation
    describe_error = describe_error or describe_soap_error
    try:
        request = envelope(namespace, operation, fields, qualified)
    except ValueError as exc:
        raise error_from_reply(session, 'cannot send %s: a value %s' % (operation, exc), operation,
                               hint='Remove control characters from the value')
    headers = {'Content-Type': CONTENT_TYPE, 'Accept': 'text/xml'}
    if soap_action:
        headers['SOAPAction'] = soap_action
    response = session.request('POST', path, label, body=request, headers=headers, retry_if=retry_if,
                               describe_error=describe_error, idempotent=idempotent)
    fault = parse_fault(response.body)
    if fault is not None:
        raise error_from_reply(session, fault_message, label, response, details=describe_error(response),
                               hint=fault_hint(response) if fault_hint else None, cls=fault_class)
    if response.status != 200:
        raise error_from_reply(session, 'unexpected answer', label, response, details=describe_error(response),
                               hint=not_soap_hint)
    body = find(parse_xml(response.body), 'Body')
    if body is None:
        raise error_from_reply(session, 'the reply is not a SOAP envelope', label, response,
                               details=[('body', shorten(response.text))], hint=not_soap_hint)
    return body[0] if len(body) else None


def describe_soap_error(response):
    """The details of an error reply for messages: faultstring, else the readable text of the body."""
    fault = parse_fault(response.body)
    if fault is None:
        body = page_text(response.text)
        return [('body', body)] if body else []
    return [('faultstring', fault['faultstring'])]
