# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The journal of collab.uc.cucm_refresh_tokens: a run killed half way resumes where it stopped.

Internal module: the leading underscore means its API may change without notice.

``Journal`` appends every finished user to a JSON Lines file as it happens; ``open_journal`` loads what an
unfinished earlier run did and opens it; ``run_journaled`` carries out a run and marks the journal complete.
The journal, report and lock paths are locked with ``acquire_locks`` (``_run_lock``, raising ``JournalError``).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import json
import os
import threading
import time
from datetime import datetime

from ansible_collections.collab.uc.plugins.module_utils.domain import _run_lock
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._outcome import (
    FINAL_OUTCOMES, OUTCOMES, REVOKED, UTC, Outcome, utc_iso)


# Journal entries older than this are not trusted (the cluster may have changed since): their users are asked again.
JOURNAL_MAX_AGE_HOURS = 24

JOURNAL_KIND = 'collab.uc.cucm_refresh_tokens journal'
JOURNAL_FORMAT = 2


class JournalError(_run_lock.LockError):
    """The journal cannot be used (another cluster's, not a journal, not writable, in use by another run)."""


def users_digest(users):
    """A digest of the user list, so that a journal is only trusted by a run over the same users."""
    digest = hashlib.sha256()
    for user in users:
        digest.update(user.encode('utf-8') + b'\n')
    return digest.hexdigest()


# -- locks (plugins/module_utils/domain/_run_lock.py; the errors are JournalError here) ---------------------
def acquire_locks(paths, timeout=0):
    """Lock ``[(option, path)]`` (sorted, so that two runs never wait on each other); returns the locks. Raises
    ``JournalError``."""
    return _run_lock.acquire_locks(paths, timeout, error=JournalError)


release_locks = _run_lock.release_locks


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
    entries not trusted. Raises ``JournalError``. The caller holds the journal's lock (``acquire_locks``).
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
