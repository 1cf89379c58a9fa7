# -*- coding: utf-8 -*-
# Copyright: (c) 2026, collab.uc contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One run of collab.uc.cucm_refresh_tokens over one cluster: lookups, then revokes in a pool of workers.

Internal module: the leading underscore means its API may change without notice.

``Revocation`` runs the lookups (``_lookup``) in the calling thread and the revoke calls in a bounded pool of
worker threads (one HTTP session each) under the adaptive limiter (``_adaptive``), a throttled user waiting on
a delayed queue; it stops at once on 401/403 and after too many failures in a row.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
import time

from ansible_collections.collab.uc.plugins.module_utils.transport._adaptive import (
    AdaptiveLimiter, DelayedQueue, parse_retry_after)
from ansible_collections.collab.uc.plugins.module_utils.transport._errors import (
    OutcomeUnknown, UCError, Unavailable, shorten)
from ansible_collections.collab.uc.plugins.module_utils.transport._http import backoff_delay, throttled_hint
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_axl import is_throttling
from ansible_collections.collab.uc.plugins.module_utils.clients._cucm_rest import (
    REVOKED, NO_TOKENS, UNKNOWN_USER, FAILED,
)
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._lookup import lookup_chunks
from ansible_collections.collab.uc.plugins.module_utils.domain.revocation._outcome import (
    FINAL_OUTCOMES, OUTCOMES, Outcome)


# Stop the run when this many users in a row failed (CUCM unreachable or throttling beyond the retries); at least
# twice the concurrency.
MIN_CONSECUTIVE_FAILURES = 10

# A revoke answered with throttling is tried again from the delayed queue at most this many times (the module passes
# its retries option).
THROTTLE_ATTEMPTS = 8
# Without a Retry-After, a throttled user waits this backoff (base, cap; seconds) on the delayed queue: short, as the
# adaptive limiter already slows the whole run down.
THROTTLE_BACKOFF_BASE = 0.1
THROTTLE_BACKOFF_CAP = 4.0
# Not congested, a user's first this many retries wait the first backoff step; then its steps grow all the same.
RANDOM_RETRIES_AT_FIRST_STEP = 3


class _Stopped(Exception):
    """The run stopped while a worker waited for a slot: nothing was sent."""


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

    def retry_delay(self, busy, tries):
        """Seconds a user throttled (``busy``) after ``tries`` earlier retries waits on the delayed queue.

        A ``Retry-After`` is honoured (at least that long). Else a backoff with jitter: while the server is congested
        (the limiter's ``congested``) its steps grow with the user's tries; a refusal at random among answers served
        is retried after the first step (a growing backoff would only stretch the end of the run), but a user
        refused more than ``RANDOM_RETRIES_AT_FIRST_STEP`` times in a row backs off all the same (at 10 % of 503s at
        random, one user in ten thousand; so a server that refuses one user, or everything before there are
        answers enough to judge congestion, is not asked again and again within a second)."""
        after = parse_retry_after(getattr(busy, 'retry_after', None))
        if self.limiter.congested:
            step = tries
        else:
            step = max(0, tries + 1 - RANDOM_RETRIES_AT_FIRST_STEP)
        return max(after or 0.0, backoff_delay(step, self.backoff_base, self.backoff_cap))

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
                # backoff), not in this thread, which takes the next user meanwhile.
                delay = self.retry_delay(busy, tries)
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
