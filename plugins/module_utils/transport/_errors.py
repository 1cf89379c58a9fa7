# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The errors of collab.uc, apart from every transport (HTTP today, SSH next).

Internal module: the leading underscore means its API may change without notice.

Every failure talking to a product is a ``UCError``: which host, which operation, what the system answered
(status and the product's own details) and what to do (``hint``). ``OutcomeUnknown`` is the one failure a
caller must handle before reporting it: a write that may not be repeated was sent, and its answer was lost.
``error_from_reply`` is the one way a client turns an unwanted reply into a ``UCError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


MASK = '********'
# A failure message (and each of a system's fields in it) is cut to about this many characters, head and tail kept
MAX_MESSAGE = 10000


def clip(text, limit=MAX_MESSAGE):
    """``text`` (any value, as text) of at most ``limit`` characters: a longer one keeps its head (what failed) and
    its tail (often what to do), with a marker in between saying how many characters were left out."""
    text = text if isinstance(text, str) else str(text)
    if len(text) <= limit:
        return text
    marker = ' [... %d characters left out ...] '
    room = max(limit - len(marker % len(text)), 2)
    head = (room * 2) // 3
    tail = room - head
    return text[:head] + (marker % (len(text) - head - tail)) + text[-tail:]


def type_words(value):
    """What ``value`` is, in the words of YAML and JSON (never a Python class name)."""
    if value is None:
        return 'null (no value)'
    if isinstance(value, bool):
        return 'the boolean %s' % ('true' if value else 'false')
    if isinstance(value, int):
        return 'the number %d' % value
    if isinstance(value, float):
        return 'the number %s' % repr(value)
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, dict):
        return 'a dictionary (mapping)'
    if isinstance(value, (list, tuple)):
        return 'a list'
    return 'a value of another kind'


def shorten(text, limit=300):
    """A server's body fit for one line of an error message: whitespace folded, cut after ``limit`` characters."""
    text = ' '.join((text or '').split())
    return text if len(text) <= limit else text[:limit] + '...'


def page_text(text, limit=300):
    """A server's body fit for a message: an HTML error page reduced to its text (title, headings, paragraphs
    without markup, scripts or styles), then ``shorten``-ed; any other body only ``shorten``-ed."""
    text = text or ''
    head = text.lstrip()[:200].lower()
    if head.startswith('<!doctype html') or head.startswith('<html') or '<body' in text[:2000].lower():
        import re
        try:
            from html import unescape
        except ImportError:  # pragma: no cover
            unescape = None
        text = re.sub(r'(?is)<(script|style|head)\b.*?</\1\s*>', ' ', text)
        title = re.search(r'(?is)<title[^>]*>(.*?)</title>', text)
        text = re.sub(r'(?s)<[^>]+>', ' ', text)
        if unescape is not None:
            text = unescape(text)
        if title is not None and not text.strip():
            text = title.group(1)
    return shorten(text, limit)


class UCError(Exception):
    """A failure talking to a UC product, with everything the user needs to act on it.

    ``details`` is an ordered list of ``(label, value)`` pairs from the product's error body
    (for AXL: axlcode and axlmessage; for CUPI: code and message).
    """

    def __init__(self, message, host=None, operation=None, status=None, details=None, hint=None, product=None):
        super(UCError, self).__init__(message)
        self.message = message
        self.host = host
        self.operation = operation
        self.status = status
        self.details = list(details or [])
        self.hint = hint
        self.product = product

    def detail(self, label):
        for name, value in self.details:
            if name == label:
                return value
        return None

    def __str__(self):
        where = ' '.join(part for part in (self.product, self.host) if part)
        head = '%s: %s' % (where, self.operation) if where else (self.operation or '')
        parts = [self.message]
        if self.status is not None:
            parts.append('HTTP %s' % self.status)
        for name, value in self.details:
            if value not in (None, ''):
                parts.append('%s %s' % (name, value))
        text = '; '.join(parts)
        if head:
            text = '%s failed: %s' % (head, text)
        if self.hint:
            text = '%s. %s' % (text.rstrip('.'), self.hint)
        return clip(text)

    def to_dict(self):
        result = {
            'host': self.host,
            'operation': self.operation,
            'status': self.status,
            'message': self.message,
            'hint': self.hint,
        }
        if isinstance(self.message, str):
            result['message'] = clip(self.message)
        for name, value in self.details:
            # The server's own fields never hide ours: a CUPI 'message' becomes 'server_message'.
            result['server_' + name if name in result else name] = clip(value) if isinstance(value, str) else value
        return result


class OutcomeUnknown(UCError):
    """A request that may not be repeated was sent and its answer was lost (dropped connection, timeout).

    The server may or may not have carried it out: the caller reads the state to learn which, and never sends
    the request again blindly.
    """


class Unavailable(UCError):
    """The server gave no usable answer: HTTP 503 (or throttling) after the retries, a refused connection, or a
    connection that kept dropping. Nothing was carried out; the server may be down or restarting, so a caller
    waiting for it to come back may read again later.
    """


def error_from_reply(session, message, operation, response=None, details=None, hint=None, cls=UCError, status=None):
    """The ``UCError`` (or ``cls``) for an unwanted ``response`` of ``session``: host, product, status, details.

    Every client builds its errors here, so every failure names the session's host and product the same way.
    ``status`` stands in for the response's when there is no response at hand.
    """
    return cls(message, host=getattr(session, 'endpoint', None), operation=operation,
               status=response.status if response is not None else status, details=details, hint=hint,
               product=getattr(session, 'product', None))
