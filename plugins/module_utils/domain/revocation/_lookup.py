# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which users hold live refresh tokens, read with AXL ``executeSQLQuery`` in chunks.

Internal module: the leading underscore means its API may change without notice.

``LiveTokenLookup`` reads ``refreshtokendetails`` (live tokens) and ``enduser`` (which of the others exist), so
that revoke is only called where it changes something; ``lookup_chunks`` cuts the users into IN lists.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.collab.uc.plugins.module_utils.transport._errors import UCError, shorten
from ansible_collections.collab.uc.plugins.module_utils.transport._http import backoff_delay
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import (
    AxlFault, is_throttling, sql_literal)


# Lookup chunks: at most this many user IDs per IN list, and at most this many bytes of quoted IDs, so that a
# statement stays well under 64 KB even with 128-character IDs full of quotes, and the reply (one short row per
# user) stays far below the 8 MB AXL limit and short enough not to hold CUCM's AXL memory for long.
LOOKUP_CHUNK_USERS = 500
LOOKUP_CHUNK_BYTES = 48 * 1024
# A token is taken as live when its validity (expiry, epoch seconds) is later than now minus this margin, so a
# controller clock ahead of CUCM's never hides a live token; the cost is at most one needless revoke call.
CLOCK_SKEW_SECONDS = 300
# A lookup answered with throttling (503, the AXL memory fault) beyond the session's retries is tried again this
# many times in all, after a longer pause each time; then the run fails (it never falls back to revoking all).
LOOKUP_ATTEMPTS = 3
LOOKUP_BACKOFF_BASE = 2.0
LOOKUP_BACKOFF_CAP = 30.0


def lookup_chunks(users, max_users=LOOKUP_CHUNK_USERS, max_bytes=LOOKUP_CHUNK_BYTES):
    """``users`` cut into lists of at most ``max_users`` IDs whose SQL literals take at most ``max_bytes``."""
    chunk = []
    size = 0
    for user in users:
        length = len(sql_literal(user).encode('utf-8')) + 2
        if chunk and (len(chunk) >= max_users or size + length > max_bytes):
            yield chunk
            chunk = []
            size = 0
        chunk.append(user)
        size += length
    if chunk:
        yield chunk


class Lookup:
    """What a lookup found for one chunk: existing users and live-token counts (None: could not be read)."""

    def __init__(self, existing, live):
        self.existing = existing
        self.live = live


class LiveTokenLookup:
    """Reads ``enduser`` and ``refreshtokendetails`` through AXL ``executeSQLQuery``.

    Throttling (503, the AXL memory fault) beyond the session's retries is tried again, ``attempts`` times in all
    with a longer backoff, then raises ``UCError``: a busy CUCM never turns the run into revoking everyone. A
    table whose query CUCM refuses otherwise (absent on that release, not readable: an AXL fault) raises
    ``UCError`` too, unless ``allow_fallback``: then it is not asked again in this run, its answers are None and
    the caller asks the revoke endpoint instead. 401, 403 and a CUCM that cannot be reached raise ``UCError``.
    Not thread-safe: the caller serialises calls.
    """

    def __init__(self, axl, client_id=None, clock=time.time, skew=CLOCK_SKEW_SECONDS, allow_fallback=False,
                 attempts=LOOKUP_ATTEMPTS, sleep=time.sleep):
        self.axl = axl
        self.client_id = client_id
        self.clock = clock
        self.skew = skew
        self.allow_fallback = allow_fallback
        self.attempts = attempts
        self.sleep = sleep
        self.users_readable = True
        self.tokens_readable = True
        self.problems = []   # (table, UCError) of the queries that failed

    @property
    def fallback_used(self):
        return bool(self.problems)

    def _query(self, table, sql_for, chunk):
        label = 'executeSQLQuery %s (%d users)' % (table, len(chunk))
        try:
            return self.axl.execute_sql_query(sql_for(chunk), label=label)
        except AxlFault as err:
            text = str(err).lower()
            if len(chunk) > 1 and 'too large' in text:
                half = len(chunk) // 2
                return self._query(table, sql_for, chunk[:half]) + self._query(table, sql_for, chunk[half:])
            raise

    def _read(self, table, sql_for, chunk):
        attempt = 0
        while True:
            try:
                return self._query(table, sql_for, chunk)
            except UCError as err:
                if err.status in (401, 403) or err.status is None:
                    raise
                if is_throttling(err):
                    attempt += 1
                    if attempt < self.attempts:
                        self.sleep(backoff_delay(attempt - 1, LOOKUP_BACKOFF_BASE, LOOKUP_BACKOFF_CAP))
                        continue
                    raise UCError(
                        'CUCM stayed too busy to say which users hold live refresh tokens (%d attempts, each with '
                        'the retries option\'s retries, were answered: %s)' % (self.attempts, _answer(err)),
                        host=err.host, operation=err.operation, status=err.status, product=err.product,
                        hint='Nothing was revoked for the users not yet done, and revoke was not called blindly. '
                             'Run again when CUCM is less loaded (with journal_path, users already done are not '
                             'asked again), or raise retries')
                if not self.allow_fallback:
                    raise UCError(
                        'CUCM cannot be asked which users hold live refresh tokens: the %s query was refused (%s)'
                        % (table, _answer(err)), host=err.host, operation=err.operation, status=err.status,
                        product=err.product,
                        hint='Revoke was not called for anybody. If this CUCM release has no readable %s table, '
                             'set fallback_revoke_all: true to call revoke for every listed user instead (one call '
                             'each, the result counts them in fallback_revokes)' % table)
                self.problems.append((table, err))
                return None

    def _users_sql(self, chunk):
        return 'SELECT userid FROM enduser WHERE userid IN (%s)' % ', '.join(sql_literal(u) for u in chunk)

    def _tokens_sql(self, chunk):
        sql = ('SELECT userid, COUNT(*) AS ntokens FROM refreshtokendetails WHERE userid IN (%s) AND validity > %d'
               % (', '.join(sql_literal(u) for u in chunk), int(self.clock()) - self.skew))
        if self.client_id:
            sql += ' AND clientid = %s' % sql_literal(self.client_id)
        return sql + ' GROUP BY userid'

    def lookup(self, chunk):
        """A ``Lookup`` of ``chunk``. Tokens are read first: a user holding one is an end user, so ``enduser`` is
        only asked about the others (none at all, typically, on a first run over leavers)."""
        existing = live = None
        if self.tokens_readable:
            rows = self._read('refreshtokendetails', self._tokens_sql, chunk)
            if rows is None:
                self.tokens_readable = False
            else:
                live = {}
                for row in rows:
                    user = _column(row, 'userid')
                    try:
                        count = int(_column(row, 'ntokens'))
                    except (TypeError, ValueError):
                        count = 1
                    live[user] = live.get(user, 0) + count
        if self.users_readable:
            ask = chunk if live is None else [user for user in chunk if user not in live]
            rows = self._read('enduser', self._users_sql, ask) if ask else []
            if rows is None:
                self.users_readable = False
            else:
                existing = set(_column(row, 'userid') for row in rows)
                existing.update(live or ())
        return Lookup(existing, live)

    def warning(self, revokes=None):
        if not self.problems:
            return None
        parts = ['%s: %s' % (table, err) for table, err in self.problems]
        cost = '' if revokes is None else ' (%d revoke calls)' % revokes
        return ('CUCM could not be asked which users hold live refresh tokens (%s); as fallback_revoke_all allows, '
                'revoke was called for every user whose tokens could not be read%s, and a successful answer with no '
                'tokens was taken as no live tokens' % ('; '.join(parts), cost))


def _answer(err):
    """What CUCM answered, for a message that has its own words around it (no repeated phrases)."""
    parts = [err.message]
    for name, value in err.details:
        if value not in (None, '') and str(value) not in err.message:
            parts.append('%s %s' % (name, shorten(str(value), 120)))
    return '; '.join(parts)


def _column(row, name):
    if name in row:
        return row[name]
    for key, value in row.items():
        if key.lower() == name:
            return value
    return None
