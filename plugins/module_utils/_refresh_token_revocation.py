# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The engine of collab.uc.cucm_refresh_tokens: revoke the refresh tokens of many CUCM end users.

Internal module: the leading underscore means its API may change without notice.

The parts, in the order a run uses them:

* ``read_users`` streams user IDs from a list and a file (one ID a line, or a CSV column), trims them, drops
  blanks and duplicates and checks each one (``user_id_problem``) before anything is sent;
* ``Journal`` appends every finished user to a JSON Lines file as it happens, so that a run killed half way
  resumes where it stopped;
* ``LiveTokenLookup`` reads, with AXL ``executeSQLQuery`` in chunks, which users hold live refresh tokens
  (``refreshtokendetails``) and which of the others exist (``enduser``), so that revoke is only called where it
  changes something;
* ``Revocation`` runs the lookups in the calling thread and the revoke calls in a bounded pool of worker threads
  (one HTTP session each), stopping at once on 401/403;
* ``write_report`` writes the audit file (JSON Lines or CSV) atomically.

Token values are never read into anything here: ``SsospClient.revoke`` only returns how many tokens went.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import csv
import hashlib
import itertools
import json
import os
import tempfile
import threading
import time
import unicodedata
from datetime import datetime, timezone

from ansible_collections.collab.uc.plugins.module_utils import _run_lock
from ansible_collections.collab.uc.plugins.module_utils._adaptive import (
    AdaptiveLimiter, DelayedQueue, parse_retry_after)
from ansible_collections.collab.uc.plugins.module_utils._errors import OutcomeUnknown, UCError, Unavailable, shorten
from ansible_collections.collab.uc.plugins.module_utils._http import backoff_delay, throttled_hint
from ansible_collections.collab.uc.plugins.module_utils._cucm_axl import (
    AxlFault, is_throttling, sql_literal)
from ansible_collections.collab.uc.plugins.module_utils._cucm_rest import (
    REVOKED, NO_TOKENS, UNKNOWN_USER, FAILED,
)

UTC = timezone.utc

OUTCOMES = (REVOKED, NO_TOKENS, UNKNOWN_USER, FAILED)
# Outcomes a resumed run does not ask again; a failed user is tried again.
FINAL_OUTCOMES = frozenset((REVOKED, NO_TOKENS, UNKNOWN_USER))

# User IDs: CUCM's userid holds at most 128 characters (AXL schema: String128).
MAX_USER_ID_LENGTH = 128
# Characters refused in a user ID besides control characters. No public Cisco document lists what CUCM allows;
# these are not expected in CUCM user IDs, and in a leavers file they are the mark of a mangled export (HTML,
# quoted CSV read as lines).
FORBIDDEN_CHARACTERS = '"<>'
# Unicode categories refused anywhere in a user ID: control, surrogate, line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset(('Cc', 'Cs', 'Zl', 'Zp'))
# How many offending IDs a message names (the count says how many there are in all).
SHOW_AT_MOST = 5

# Lookup chunks: at most this many user IDs per IN list, and at most this many bytes of quoted IDs, so that a
# statement stays well under 64 KB even with 128-character IDs full of quotes, and the reply (one short row per
# user) stays far below the 8 MB AXL limit and short enough not to hold CUCM's AXL memory for long.
LOOKUP_CHUNK_USERS = 500
LOOKUP_CHUNK_BYTES = 48 * 1024
# A token is taken as live when its validity (expiry, epoch seconds) is later than now minus this margin, so a
# controller clock ahead of CUCM's never hides a live token; the cost is at most one needless revoke call.
CLOCK_SKEW_SECONDS = 300
# Stop the run when this many users in a row failed (CUCM unreachable or throttling beyond the retries); at least
# twice the concurrency.
MIN_CONSECUTIVE_FAILURES = 10

# A lookup answered with throttling (503, the AXL memory fault) beyond the session's retries is tried again this
# many times in all, after a longer pause each time; then the run fails (it never falls back to revoking all).
LOOKUP_ATTEMPTS = 3
LOOKUP_BACKOFF_BASE = 2.0
LOOKUP_BACKOFF_CAP = 30.0
# Journal entries older than this are not trusted (the cluster may have changed since): their users are asked again.
JOURNAL_MAX_AGE_HOURS = 24

JOURNAL_KIND = 'collab.uc.cucm_refresh_tokens journal'
JOURNAL_FORMAT = 2
REPORT_FIELDS = ('time', 'cluster', 'user', 'client_id', 'outcome', 'tokens', 'reason')

# A revoke answered with throttling is tried again from the delayed queue at most this many times (the module passes
# its retries option).
THROTTLE_ATTEMPTS = 8
# Without a Retry-After, a throttled user waits this backoff (base, cap; seconds) on the delayed queue: short, as the
# adaptive limiter already slows the whole run down.
THROTTLE_BACKOFF_BASE = 0.1
THROTTLE_BACKOFF_CAP = 4.0


class _Stopped(Exception):
    """The run stopped while a worker waited for a slot: nothing was sent."""


class InputError(Exception):
    """The user list, a path or an option cannot be used; raised before any request."""


class JournalError(_run_lock.LockError):
    """The journal cannot be used (another cluster's, not a journal, not writable, in use by another run)."""


def users_digest(users):
    """A digest of the user list, so that a journal is only trusted by a run over the same users."""
    digest = hashlib.sha256()
    for user in users:
        digest.update(user.encode('utf-8') + b'\n')
    return digest.hexdigest()


# -- locks (plugins/module_utils/_run_lock.py; the errors are JournalError here) ------------------------------
class RunLock(_run_lock.RunLock):
    """``_run_lock.RunLock`` raising ``JournalError``."""
    error = JournalError


def acquire_locks(paths, timeout=0):
    """Lock ``[(option, path)]`` (sorted, so that two runs never wait on each other); returns the locks."""
    return _run_lock.acquire_locks(paths, timeout, lock_class=RunLock)


release_locks = _run_lock.release_locks


def utc_iso(epoch):
    """``epoch`` (seconds) as UTC ISO 8601 with a ``Z``: ``2026-05-12T07:00:53Z``."""
    return datetime.fromtimestamp(int(epoch), UTC).strftime('%Y-%m-%dT%H:%M:%SZ')


# -- user IDs --------------------------------------------------------------------------------------------------
def user_id_problem(user_id):
    """Why ``user_id`` (already trimmed, not empty) cannot be a CUCM user ID, or None if it can."""
    if len(user_id) > MAX_USER_ID_LENGTH:
        return 'longer than %d characters' % MAX_USER_ID_LENGTH
    for char in user_id:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            return 'contains the control character U+%04X' % ord(char)
        if char in FORBIDDEN_CHARACTERS:
            return 'contains %s' % char
    return None


class UserList:
    """The unique, valid user IDs in the order first seen, and what was left out."""

    def __init__(self):
        self.ids = []
        self._seen = set()
        self.duplicates = 0
        self.invalid = []          # the first SHOW_AT_MOST: (where, user_id, problem)
        self.invalid_count = 0

    def add(self, where, raw):
        user_id = (raw or '').strip()
        if not user_id:
            return
        problem = user_id_problem(user_id)
        if problem is not None:
            self.invalid_count += 1
            if len(self.invalid) < SHOW_AT_MOST:
                self.invalid.append((where, user_id, problem))
        elif user_id in self._seen:
            self.duplicates += 1
        else:
            self._seen.add(user_id)
            self.ids.append(user_id)

    def invalid_message(self):
        """The message naming the rejected IDs (the first few and how many), or None when all are valid."""
        if not self.invalid_count:
            return None
        shown = '; '.join('%s: %s (%s)' % (where, json.dumps(user_id, ensure_ascii=False), problem)
                          for where, user_id, problem in self.invalid)
        more = '' if self.invalid_count <= len(self.invalid) else '; and %d more' % (
            self.invalid_count - len(self.invalid))
        return ('%d user ID%s cannot be CUCM user IDs (at most %d characters, no control characters, none of %s): '
                '%s%s. Nothing was sent to CUCM; correct or remove them and run again'
                % (self.invalid_count, '' if self.invalid_count == 1 else 's', MAX_USER_ID_LENGTH,
                   ' '.join(FORBIDDEN_CHARACTERS), shown, more))


def file_format_of(path, file_format, csv_column):
    """``lines`` or ``csv``: ``file_format`` unless ``auto``, then CSV for a ``.csv`` name or a ``csv_column``."""
    if file_format in ('lines', 'csv'):
        return file_format
    if csv_column or path.lower().endswith('.csv'):
        return 'csv'
    return 'lines'


def _header_delimiter(line):
    counts = [(line.count(d), -i, d) for i, d in enumerate((',', ';', '\t'))]
    best = max(counts)
    return best[2] if best[0] else ','


def _csv_rows(handle, name, csv_column):
    """``(row number, value)`` of the user ID column of a CSV file with a header row."""
    header_line = ''
    skipped = -1
    for skipped, header_line in enumerate(handle):
        if header_line.strip():
            break
    if not header_line.strip():
        return
    delimiter = _header_delimiter(header_line)
    reader = csv.reader(itertools.chain([header_line], handle), delimiter=delimiter)
    header = [cell.strip() for cell in next(reader, [])]
    folded = [cell.casefold() for cell in header]
    if csv_column:
        wanted = [csv_column.strip().casefold()]
    else:
        wanted = ['userid', 'user_id', 'user id']
    index = next((folded.index(w) for w in wanted if w in folded), None)
    if index is None and not csv_column and len(header) == 1:
        index = 0
    if index is None:
        raise InputError('%s: no column %s in the header row (columns: %s); set csv_column to the column that '
                         'holds the user IDs' % (name, ' or '.join(json.dumps(w) for w in wanted),
                                                 ', '.join(json.dumps(h) for h in header)))
    for row in reader:
        if index < len(row):
            yield reader.line_num + skipped, row[index]


def read_users(users=None, users_file=None, file_format='auto', csv_column=None):
    """A ``UserList`` of ``users`` followed by the IDs in ``users_file``, streamed (never read whole)."""
    result = UserList()
    for number, user_id in enumerate(users or []):
        result.add('users[%d]' % number, user_id)
    if not users_file:
        return result
    name = os.path.basename(users_file)
    kind = file_format_of(users_file, file_format, csv_column)
    try:
        # utf-8-sig drops the byte order mark spreadsheets write; newline='' lets csv see quoted line breaks.
        with open(users_file, 'r', encoding='utf-8-sig', newline='') as handle:
            if kind == 'csv':
                for line_number, value in _csv_rows(handle, name, csv_column):
                    result.add('%s line %d' % (name, line_number), value)
            else:
                for line_number, line in enumerate(handle, 1):
                    result.add('%s line %d' % (name, line_number), line)
    except UnicodeDecodeError as exc:
        raise InputError('users_file %s is not UTF-8 text (byte %d: %s); save it as UTF-8 and run again'
                         % (users_file, exc.start, exc.reason))
    except csv.Error as exc:
        raise InputError('users_file %s is not a CSV file the module can read: %s' % (users_file, exc))
    except (IOError, OSError) as exc:
        raise InputError('cannot read users_file %s: %s' % (users_file, exc.strerror or exc))
    return result


def check_writable_path(option, path):
    """Raise ``InputError`` unless a file can be created at ``path`` (its directory exists and is writable)."""
    directory = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise InputError('%s %s is a directory; give a file name' % (option, path))
    if not os.path.isdir(directory):
        raise InputError('%s: the directory %s does not exist; create it first' % (option, directory))
    if not os.access(directory, os.W_OK | os.X_OK):
        raise InputError('%s: the directory %s is not writable by this user' % (option, directory))


def report_format_of(path, report_format):
    if report_format in ('jsonl', 'csv'):
        return report_format
    return 'csv' if path.lower().endswith('.csv') else 'jsonl'


# -- outcomes, journal and report -----------------------------------------------------------------------------
class Outcome:
    """What happened to one user (never a token value)."""

    __slots__ = ('user', 'outcome', 'tokens', 'reason', 'time', 'resumed')

    def __init__(self, user, outcome, tokens=0, reason=None, when=None, resumed=False):
        self.user = user
        self.outcome = outcome
        self.tokens = tokens
        self.reason = reason
        self.time = when if when is not None else time.time()
        self.resumed = resumed

    def journal_line(self):
        return json.dumps({'time': utc_iso(self.time), 'user': self.user, 'outcome': self.outcome,
                           'tokens': self.tokens, 'reason': self.reason}, ensure_ascii=False)

    def as_result(self):
        return {'user': self.user, 'outcome': self.outcome, 'tokens': self.tokens, 'reason': self.reason,
                'time': utc_iso(self.time), 'resumed': self.resumed}


def _parse_time(text):
    try:
        return (datetime.strptime(text, '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=UTC)
                - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
    except (TypeError, ValueError):
        return None


class Journal:
    """An append-only JSON Lines record of a run, for resuming a run killed half way.

    The first line names the cluster, the client_id and a digest of the user list; then, per user, an ``attempt``
    line written before its revoke is sent and an outcome line once it is done, each flushed at once; a run that
    finished every user ends it with a ``complete`` line, after which the next run starts a new journal.

    What an unfinished earlier run wrote is sorted on ``load()``: final outcomes of a run over the same user list
    and younger than ``max_age`` seconds are trusted (``previous``: not asked again); ``revoked`` outcomes of
    another user list (within ``max_age``) and revokes sent without a recorded answer (``inflight``) are kept as
    evidence: those users are looked up again, and one found without live tokens is reported ``revoked`` (by the
    earlier run). Anything older is ignored.
    """

    def __init__(self, path, cluster, client_id, users=None, max_age=JOURNAL_MAX_AGE_HOURS * 3600, clock=time.time):
        self.path = path
        self.cluster = cluster
        self.client_id = client_id
        self.digest = users_digest(users or [])
        self.max_age = max_age
        self.clock = clock
        self.previous = {}       # user -> Outcome with a final outcome, trusted
        self.evidence = {}       # user -> tokens an earlier run revoked or may have revoked (re-checked)
        self.ignored_lines = 0   # unreadable lines (other than a torn last line)
        self.stale = 0           # entries older than max_age, ignored
        self.other_users = False  # written by a run over another user list
        self._keep_bytes = None  # where the torn tail starts; None: the file is new, empty, complete or rewritten
        self._handle = None
        self._lock = threading.Lock()

    def load(self):
        """Read what an earlier, unfinished run of this journal did. Changes nothing on disk."""
        try:
            handle = open(self.path, 'rb')
        except (IOError, OSError) as exc:
            if not os.path.exists(self.path):
                return self
            raise JournalError('cannot read journal_path %s: %s' % (self.path, exc.strerror or exc))
        finals = {}
        revoked = {}
        inflight = {}
        good_end = 0
        header = None
        complete = False
        oldest = self.clock() - self.max_age
        with handle:
            for raw in handle:
                if not raw.endswith(b'\n'):
                    break  # torn last line: the run was killed while writing it
                try:
                    record = json.loads(raw.decode('utf-8'))
                except ValueError:
                    record = None
                good_end += len(raw)
                if header is None:
                    header = record
                    self._check_header(record)
                    continue
                if isinstance(record, dict) and record.get('complete') is True:
                    complete = True
                    continue
                if not isinstance(record, dict) or not isinstance(record.get('user'), str):
                    self.ignored_lines += 1
                    continue
                user = record['user']
                when = _parse_time(record.get('time'))
                tokens = record.get('tokens') if isinstance(record.get('tokens'), int) else None
                if when is None or when < oldest:
                    self.stale += 1
                    continue
                if record.get('attempt') is True:
                    complete = False
                    inflight[user] = tokens
                elif record.get('outcome') in OUTCOMES:
                    complete = False
                    inflight.pop(user, None)
                    if record['outcome'] in FINAL_OUTCOMES:
                        finals[user] = Outcome(user, record['outcome'], tokens or 0, None, when, resumed=True)
                        if record['outcome'] == REVOKED:
                            revoked[user] = tokens
                    else:
                        finals.pop(user, None)
                else:
                    self.ignored_lines += 1
        if header is None or complete:
            return self  # empty, only a torn header, or finished: start afresh
        self.other_users = header.get('users') != self.digest
        if self.other_users:
            self.evidence = revoked   # re-checked, and the journal starts again for this user list
        else:
            self.previous = finals
            self._keep_bytes = good_end
        for user, tokens in inflight.items():
            self.evidence.setdefault(user, tokens)
        return self

    def _check_header(self, record):
        if not isinstance(record, dict) or record.get('journal') != JOURNAL_KIND:
            raise JournalError('journal_path %s is not a journal of collab.uc.cucm_refresh_tokens; give another '
                               'path or remove the file' % self.path)
        if record.get('cluster') != self.cluster or record.get('client_id') != self.client_id:
            raise JournalError(
                'journal_path %s was written for cluster %s and client_id %s, not for cluster %s and client_id %s; '
                'use one journal per cluster and client_id (for example name it after the host), or remove it'
                % (self.path, record.get('cluster'), json.dumps(record.get('client_id')), self.cluster,
                   json.dumps(self.client_id)))

    def open(self, now=None):
        """Open for appending: continue an unfinished journal (cutting a torn last line) or start a new one."""
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | getattr(os, 'O_CLOEXEC', 0), 0o600)
            if self._keep_bytes is None:
                os.ftruncate(fd, 0)
            else:
                os.ftruncate(fd, self._keep_bytes)
            os.lseek(fd, 0, os.SEEK_END)
            self._handle = os.fdopen(fd, 'w', encoding='utf-8', newline='\n')
            if self._keep_bytes is None:
                self._write(json.dumps({'journal': JOURNAL_KIND, 'format': JOURNAL_FORMAT, 'cluster': self.cluster,
                                        'client_id': self.client_id, 'users': self.digest, 'pid': os.getpid(),
                                        'started': utc_iso(now if now is not None else time.time())}))
        except (IOError, OSError) as exc:
            raise JournalError('cannot write journal_path %s: %s' % (self.path, exc.strerror or exc))
        return self

    def _write(self, line):
        with self._lock:
            self._handle.write(line + '\n')
            self._handle.flush()

    def attempt(self, user, tokens, now=None):
        """Record that a revoke for ``user`` (holding ``tokens``, None if unknown) is about to be sent."""
        self._write(json.dumps({'time': utc_iso(now if now is not None else time.time()), 'user': user,
                                'attempt': True, 'tokens': tokens}, ensure_ascii=False))

    def record(self, outcome):
        self._write(outcome.journal_line())

    def complete(self, now=None):
        self._write(json.dumps({'complete': True, 'time': utc_iso(now if now is not None else time.time())}))

    def close(self):
        if self._handle is not None:
            try:
                self._handle.flush()
                os.fsync(self._handle.fileno())
            finally:
                self._handle.close()
                self._handle = None


def open_journal(path, cluster, client_id, check_mode=False, users=None, max_age=JOURNAL_MAX_AGE_HOURS * 3600):
    """``(journal, previous, warnings)`` for ``journal_path`` ``path`` (None: no journal, nothing resumed).

    The journal is loaded (what an unfinished earlier run did goes into ``previous`` and ``journal.evidence``)
    and, unless in check mode, opened for appending. ``warnings`` (a list) tells about unreadable lines and
    entries not trusted. Raises ``JournalError``. The caller holds the journal's ``RunLock``.
    """
    if not path:
        return None, {}, []
    journal = Journal(path, cluster, client_id, users, max_age).load()
    warnings = []
    if journal.ignored_lines:
        warnings.append('journal_path %s: %d unreadable lines were ignored; those users are asked again'
                        % (path, journal.ignored_lines))
    if journal.stale:
        warnings.append('journal_path %s: %d entries older than journal_max_age were not trusted; those users are '
                        'asked again' % (path, journal.stale))
    if journal.other_users:
        warnings.append('journal_path %s was written by a run over another user list, so its outcomes were not '
                        'trusted: every user is looked up again (users it shows revoked and found without live '
                        'tokens are reported revoked)' % path)
    if not check_mode:
        journal.open()
    return journal, journal.previous, warnings


def run_journaled(run, journal, check_mode=False):
    """Carry out ``run`` (a ``Revocation``); mark ``journal`` complete when every user finished, close it always."""
    try:
        run.run()
        if journal is not None and not check_mode and run.complete:
            journal.complete()
    finally:
        if journal is not None:
            journal.close()


def write_report(path, report_format, cluster, client_id, outcomes):
    """Write ``outcomes`` (an iterable of ``Outcome``) to ``path`` atomically: a temporary file, then a rename."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, temporary = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8', newline='') as handle:
            if report_format == 'csv':
                writer = csv.writer(handle, lineterminator='\n')
                writer.writerow(REPORT_FIELDS)
                for item in outcomes:
                    writer.writerow((utc_iso(item.time), cluster, item.user, client_id or '', item.outcome,
                                     '' if item.tokens is None else item.tokens, item.reason or ''))
            else:
                for item in outcomes:
                    handle.write(json.dumps({'time': utc_iso(item.time), 'cluster': cluster, 'user': item.user,
                                             'client_id': client_id, 'outcome': item.outcome,
                                             'tokens': item.tokens, 'reason': item.reason},
                                            ensure_ascii=False) + '\n')
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


# -- live-token lookup -----------------------------------------------------------------------------------------
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


# -- the run ---------------------------------------------------------------------------------------------------
class Revocation:
    """Revoke the tokens of ``users`` on one cluster.

    ``revoker_factory()`` returns an object with ``revoke(user_id, client_id) -> (outcome, count, reason)`` (an
    ``SsospClient`` over a new ``HttpSession``); each worker thread calls it once, when it gets its first user.
    ``previous`` maps users to final outcomes of an earlier, unfinished run (not asked again); ``evidence`` maps
    users an earlier run revoked or sent a revoke for to the tokens it counted (looked up again: no live token
    left means ``revoked``). ``journal`` (an open ``Journal``) gets an attempt before each revoke and each outcome
    as it happens. In check mode nothing is revoked or journaled: users holding live tokens get the outcome
    ``revoked`` they would get.

    A revoke whose answer is lost (``OutcomeUnknown``) is settled by reading that user's live tokens again: none
    left means this run revoked them; some left means it never arrived, and it is sent once more.
    """

    def __init__(self, users, lookup, revoker_factory, client_id=None, concurrency=8, journal=None, previous=None,
                 check_mode=False, clock=time.time, cluster=None, evidence=None, limiter=None,
                 throttle_attempts=THROTTLE_ATTEMPTS, backoff_base=THROTTLE_BACKOFF_BASE,
                 backoff_cap=THROTTLE_BACKOFF_CAP):
        self.users = users
        self.cluster = cluster
        self.lookup = lookup
        self.revoker_factory = revoker_factory
        self.client_id = client_id
        self.concurrency = concurrency
        # the adaptive window and pacing of the revoke calls; a throttled user is retried from a delayed queue
        self.limiter = limiter if limiter is not None else AdaptiveLimiter(concurrency)
        self.throttle_attempts = throttle_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.throttled_retries = 0
        self.journal = journal
        self.previous = previous or {}
        self.evidence = evidence or {}
        self.check_mode = check_mode
        self.clock = clock
        self.outcomes = {}
        self.resumed = 0
        self.revoke_calls = 0
        self.fallback_revokes = 0
        self.answers_lost = 0
        self.stop_error = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._lookup_lock = threading.Lock()
        self._consecutive_failures = 0
        self._failure_limit = max(MIN_CONSECUTIVE_FAILURES, 2 * concurrency)

    # -- bookkeeping (any thread) --
    def _finish(self, user, outcome, tokens=0, reason=None, resumed=False):
        item = Outcome(user, outcome, tokens, reason, self.clock(), resumed=resumed)
        with self._lock:
            self.outcomes[user] = item
            if resumed:
                self.resumed += 1
            if outcome == FAILED:
                self._consecutive_failures += 1
                too_many = self._consecutive_failures >= self._failure_limit and self.stop_error is None
            else:
                self._consecutive_failures = 0
                too_many = False
        if self.journal is not None and not self.check_mode:
            self.journal.record(item)
        if too_many:
            self._halt(UCError('%d users in a row failed, the last one with: %s' % (self._failure_limit, reason),
                               host=self.cluster, operation='revoke refresh tokens', product='CUCM',
                               hint='Stopped so as not to hammer CUCM; find out why (see failed_users), then run '
                                    'again with the same journal_path to go on where this run stopped'))

    def _halt(self, error):
        with self._lock:
            if self.stop_error is None:
                self.stop_error = error
        self._stop.set()

    @property
    def stopped(self):
        return self._stop.is_set()

    def _lookup(self, chunk):
        with self._lookup_lock:
            return self.lookup.lookup(chunk)

    # -- workers --
    def _settle(self, revoker, user, count, lost):
        """``(outcome, count, reason)`` of a revoke whose answer was lost: read the user's live tokens again."""
        with self._lock:
            self.answers_lost += 1
        note = 'the answer to revoke was lost (%s)' % shorten(lost.message, 120)
        try:
            found = self._lookup([user])
        except UCError as err:
            if err.status in (401, 403):
                raise
            return FAILED, 0, '%s and the live tokens could not be read again to learn whether it was carried ' \
                              'out: %s; run again' % (note, err)
        if found.live is not None:
            if not found.live.get(user):
                return REVOKED, count, '%s; no live token is left, so this run revoked them' % note
        # Still live (the revoke never arrived), or the tokens cannot be read: send it once more.
        with self._lock:
            self.revoke_calls += 1
        try:
            outcome, again, reason = revoker.revoke(user, self.client_id)
        except OutcomeUnknown as err:
            return FAILED, 0, '%s, and again when it was sent once more (%s); run again' % (
                note, shorten(err.message, 120))
        if outcome == NO_TOKENS:
            return REVOKED, count, '%s; sent again, it found no token left, so the first one revoked them' % note
        return outcome, again, reason

    def _revoke(self, revoker, user, count):
        """``(outcome, count, reason, resumed)`` of one user's revoke (journaled as an attempt first).

        Throttling (503) raises ``Unavailable``: nothing was carried out, and the caller retries it later."""
        if not self.limiter.acquire(self._stop):
            raise _Stopped()
        throttled = rate_limited = False
        try:
            if self.journal is not None:
                self.journal.attempt(user, count, self.clock())
            with self._lock:
                self.revoke_calls += 1
            outcome, revoked, reason = revoker.revoke(user, self.client_id)
        except Unavailable as busy:
            throttled = is_throttling(busy)
            rate_limited = throttled and getattr(busy, 'retry_after', None) is not None
            raise
        except OutcomeUnknown as lost:
            outcome, revoked, reason = self._settle(revoker, user, count, lost)
        finally:
            self.limiter.release(throttled, rate_limited)
        if outcome == NO_TOKENS and user in self.evidence:
            return REVOKED, self.evidence[user], 'revoked by an earlier run of this journal', True
        return outcome, revoked, reason, False

    def _worker(self, work):
        mine = {}  # this thread's revoker, made when it gets its first user
        while True:
            item = work.get(self._stop)
            if item is None:
                return  # no work left (or stopping: finish what is in flight, start nothing new)
            try:
                self._work(item, work, mine)
            finally:
                work.done()

    def _work(self, item, work, mine):
        user, count, tries = item
        resumed = False
        try:
            if 'revoker' not in mine:
                mine['revoker'] = self.revoker_factory()
            outcome, count, reason, resumed = self._revoke(mine['revoker'], user, count)
        except _Stopped:
            return
        except Unavailable as busy:
            if is_throttling(busy) and tries < self.throttle_attempts and not self._stop.is_set():
                # Throttled: nothing was carried out. The user waits on the delayed queue (Retry-After, else a
                # backoff), not in this thread, which takes the next user meanwhile. The backoff grows with the
                # user's tries only while the server is congested; a refusal at random among answers served is
                # retried after the first step (a growing backoff would only stretch the end of the run).
                delay = parse_retry_after(getattr(busy, 'retry_after', None))
                step = tries if self.limiter.congested else 0
                delay = max(delay or 0.0, backoff_delay(step, self.backoff_base, self.backoff_cap))
                with self._lock:
                    self.throttled_retries += 1
                work.put((user, count, tries + 1), delay)
                return
            if is_throttling(busy):
                # the retries were this pool's (the delayed queue), not the session's: say how many
                busy.hint = throttled_hint(tries)
            outcome, count, reason = FAILED, 0, str(busy)
        except UCError as err:
            if err.status in (401, 403):
                self._halt(err)
                return
            outcome, count, reason = FAILED, 0, str(err)
        except Exception as exc:  # pylint: disable=broad-except
            # A fault of this one user's answer must not stop the others; it is reported with the user.
            outcome, count, reason = FAILED, 0, 'unexpected error: %s' % exc
        self._finish(user, outcome, count, reason, resumed)

    def _decide(self, user, found, work):
        if found.existing is not None and user not in found.existing:
            self._finish(user, UNKNOWN_USER)
            return
        count = None
        if found.live is not None:
            count = found.live.get(user, 0)
            if not count:
                if user in self.evidence:
                    # An earlier run revoked them (or sent the revoke as it was killed): say so, do not ask again.
                    self._finish(user, REVOKED, self.evidence[user], 'revoked by an earlier run of this journal',
                                 resumed=True)
                else:
                    self._finish(user, NO_TOKENS)
                return
        if self.check_mode:
            self._finish(user, REVOKED, count)
        else:
            if count is None:
                self.fallback_revokes += 1
            work.put((user, count, 0))

    def run(self):
        for user in self.users:
            earlier = self.previous.get(user)
            if earlier is not None:
                self.outcomes[user] = earlier
                self.resumed += 1
        pending = [user for user in self.users if user not in self.outcomes]
        work = DelayedQueue()
        threads = []
        if not self.check_mode:
            for number in range(min(self.concurrency, len(pending))):
                thread = threading.Thread(target=self._worker, args=(work,), name='revoke-%d' % number)
                thread.daemon = True
                thread.start()
                threads.append(thread)
        try:
            for chunk in lookup_chunks(pending):
                if self._stop.is_set():
                    break
                try:
                    found = self._lookup(chunk)
                except UCError as err:
                    self._halt(err)
                    break
                for user in chunk:
                    if self._stop.is_set():
                        break
                    self._decide(user, found, work)
        finally:
            work.close()
            for thread in threads:
                thread.join()
        return self

    # -- results --
    def ordered(self):
        """The outcomes in input order (users never attempted, after a stop, are left out)."""
        return [self.outcomes[user] for user in self.users if user in self.outcomes]

    def summary(self):
        counts = dict((outcome, 0) for outcome in OUTCOMES)
        tokens = 0
        for item in self.outcomes.values():
            counts[item.outcome] += 1
            if item.outcome == REVOKED and item.tokens:
                tokens += item.tokens
        counts['users'] = len(self.users)
        counts['not_attempted'] = len(self.users) - len(self.outcomes)
        counts['tokens'] = tokens
        return counts

    @property
    def changed(self):
        return any(item.outcome == REVOKED and not item.resumed for item in self.outcomes.values())

    @property
    def complete(self):
        """Every user has a final outcome."""
        return (len(self.outcomes) == len(self.users)
                and all(item.outcome in FINAL_OUTCOMES for item in self.outcomes.values()))
